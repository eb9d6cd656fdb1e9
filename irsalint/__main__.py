from __future__ import annotations

from irsalint.cli import main

raise SystemExit(main())
