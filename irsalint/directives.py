"""The syntax of suppressions: `# irsalint: ignore=IDS -- reason` comments and the value of the
`irsalint.dev/ignore` annotation (`IDS -- reason`).

Pure text -> records. A comment that addresses irsalint but does not parse, `ignore=all`, or an id
that names no loaded rule is a `Problem` (reported as IRSA901 by suppress.py), never silently
dropped: a malformed suppression suppresses nothing, and the reviewer is told so.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator

from irsalint.record import record
from irsalint.suggest import did_you_mean

# A comment that addresses irsalint: `# irsalint: ...`, `// irsalint ignore ...` (to catch the
# missing colon). `#` / `//` must start the line or follow whitespace: `a#irsalint` is no comment.
_DIRECTIVE_RE = re.compile(r"(?:^|(?<=\s))(?P<lead>#|//)\s*irsalint\b(?P<rest>\s*(?::|ignore\b).*)$")
_IGNORE_RE = re.compile(r"^\s*:\s*ignore\s*=(?P<value>.*)$")
_ID_RE = re.compile(r"^[A-Z][A-Z0-9]*$")  # an id or a prefix (`IRSA`, `IRSA00`), upper-cased
_LOOKS_LIKE_ID_RE = re.compile(r"^[A-Za-z]+[0-9]+$")  # `IRSA004`, not a word of a reason
SYNTAX = "`irsalint: ignore=ID[,ID...] -- reason`"


@record
class Directive:
    """A usable ignore comment: rule ids (or prefixes) and the reason after ` -- `."""

    line: int
    col: int  # 1-based column of the comment's `#` / `//`
    ids: tuple[str, ...]
    reason: str
    own_line: bool  # alone on its line: covers the next line too


@record
class Problem:
    """A suppression, or one id in it, that cannot be honoured: one IRSA901 finding."""

    line: int
    col: int
    message: str
    text: str  # the suppression as written: the finding's entity (fingerprints carry no lines)


def parse_value(value: str, known: Collection[str] | None) -> tuple[tuple[str, ...], str, list[str]]:
    """`IDS -- reason` -> (usable ids, reason, problems).

    Ids are upper-cased and must name a loaded rule or be a prefix of one (`IRSA00`); `known=None`
    accepts any well-formed id. A value that does not parse yields no ids at all: half-understood
    suppressions suppress nothing."""
    ids_text, _, reason = value.partition("--")
    reason = reason.strip()
    parts = [part.strip() for part in ids_text.split(",")]
    words = [word for part in parts for word in part.split()]
    if any(len(part.split()) > 1 for part in parts):
        if all(_LOOKS_LIKE_ID_RE.match(w) for w in words):
            return (), reason, [f"separate rule ids with commas (`{','.join(words)}`); it suppresses nothing"]
        first = words[0]
        rest = ids_text.strip()[len(first):].strip()
        return (), reason, [f"the reason must follow ' -- ' (write `{first} -- {rest}`); it suppresses nothing"]
    if not words:
        return (), reason, [f"no rule ids (expected {SYNTAX}); it suppresses nothing"]
    ids: list[str] = []
    problems: list[str] = []
    for word in words:
        rule_id = word.upper()
        if rule_id == "ALL":
            problems.append("`ignore=all` is not supported: name the rules to ignore; it suppresses nothing")
        elif not _ID_RE.match(rule_id):
            problems.append(f"{word!r} is not a rule id (expected {SYNTAX}); it suppresses nothing")
        elif known is not None and not any(k.startswith(rule_id) for k in known):
            problems.append(f"unknown rule {rule_id}{did_you_mean(rule_id, known)}")
        else:
            ids.append(rule_id)
    if any(not p.startswith("unknown rule") for p in problems):
        return (), reason, problems  # `ignore=IRSA004,all`: not half-honoured
    return tuple(ids), reason, problems


def scan_comments(text: str, known: Collection[str] | None) -> Iterator[Directive | Problem]:
    """Every comment of a YAML or HCL file that addresses irsalint, in line order. A line gives
    a Directive when it has usable ids, and a Problem for each thing wrong with it."""
    for number, line in enumerate(text.splitlines(), 1):
        if "irsalint" not in line:
            continue
        match = _DIRECTIVE_RE.search(line)
        if match is None:
            continue
        col = match.start("lead") + 1
        written = line[match.start("lead"):].strip()
        ignore = _IGNORE_RE.match(match.group("rest"))
        if ignore is None:
            yield Problem(number, col, f"Malformed irsalint suppression: {_syntax_hint(match.group('rest'))}; "
                          "it suppresses nothing", written)
            continue
        ids, reason, problems = parse_value(ignore.group("value"), known)
        for problem in problems:
            yield Problem(number, col, _sentence(problem), written)
        if ids:
            own_line = line[: match.start("lead")].strip() == ""
            yield Directive(number, col, ids, reason, own_line)


def _syntax_hint(rest: str) -> str:
    """What is wrong with `irsalint<rest>`, the most likely mistakes first."""
    no_colon = re.match(r"^\s*ignore\b", rest)
    no_equals = re.match(r"^\s*:\s*ignore\s+([^=\s]+)", rest)
    if no_colon:
        return f"a colon must follow `irsalint` (expected {SYNTAX})"
    if no_equals:
        return f"`=` must follow `ignore` (write `ignore={no_equals.group(1)}`)"
    return f"expected {SYNTAX}"


def _sentence(problem: str) -> str:
    if problem.startswith("unknown rule"):
        return f"Unknown rule in an irsalint suppression: {problem[len('unknown rule '):]}"
    return f"Malformed irsalint suppression: {problem}"
