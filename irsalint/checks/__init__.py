"""The registry of check functions that rule files name in `check.function`
(names and modules: irsalint.check_registry)."""

from __future__ import annotations

from collections.abc import Mapping
from importlib import import_module

from irsalint.check_registry import CHECK_MODULES
from irsalint.checks.base import Check, Hit

CHECKS: Mapping[str, Check] = {
    name: getattr(import_module(f"irsalint.checks.{module}"), name) for name, module in CHECK_MODULES.items()
}

__all__ = ["CHECKS", "Check", "Hit"]
