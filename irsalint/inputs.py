"""Files a run reads besides the scanned ones: the templates of Terraform's `templatefile()` and
`file()`. A cached run is reused only while each is as it was read (irsalint.engine), so their
reading and their digest live here, apart from the Terraform sources a warm run never imports."""

from __future__ import annotations

import os

from irsalint.digest import hexdigest

MAX_TEMPLATE_BYTES = 1024 * 1024


def read_input(full: str, base_real: str) -> bytes | str:
    """The bytes of a file the configuration reads, or why there are none ("absent", "outside",
    "large": over MAX_TEMPLATE_BYTES, never read, so its content cannot matter)."""
    try:
        if os.path.commonpath([full, base_real]) != base_real:
            return "outside"
        if not os.path.isfile(full):
            return "absent"
        with open(full, "rb") as handle:
            data = handle.read(MAX_TEMPLATE_BYTES + 1)
    except (OSError, ValueError):
        return "absent"
    return data if len(data) <= MAX_TEMPLATE_BYTES else "large"


def input_digest(data: bytes | str) -> str:
    return hexdigest(data) if isinstance(data, bytes) else data


def current_digest(base: str, rel: str) -> str:
    """input_digest() of a file read by a previous run, as it is now."""
    base_real = os.path.realpath(base)
    return input_digest(read_input(os.path.realpath(os.path.join(base_real, rel)), base_real))
