from __future__ import annotations

from irsalint.cli import run

run()
