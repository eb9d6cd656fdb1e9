"""The files shipped inside the irsalint package (`data/`, `schemas/`), read by their path.

importlib.resources would import tempfile, zipfile, shutil and random for it: ~7 ms of every run's
start-up, before the first file is parsed (docs/design.md, "Start-up and exit"). It is kept for a
package that is not a directory on disk (run from a zip archive)."""

from __future__ import annotations

import os

_PACKAGE_DIRECTORY = os.path.dirname(os.path.abspath(__file__))


def read_text(relative: str) -> str:
    """The UTF-8 text of `relative` ("data/carriers.json") in the installed package."""
    try:
        with open(os.path.join(_PACKAGE_DIRECTORY, *relative.split("/")), encoding="utf-8") as file:
            return file.read()
    except (FileNotFoundError, NotADirectoryError):  # a zipped package: its loader knows
        from importlib import resources

        return resources.files("irsalint").joinpath(relative).read_text("utf-8")
