"""irsalint.gitignore against pathspec's GitIgnoreSpec (the reference, test extra) and git itself.

pathspec's verdicts are git's as far as its authors checked them; where it raises on a line
(a trailing lone backslash, a bare `!`), git uses the line for nothing, and so do we."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pathspec import GitIgnoreSpec
from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern

from irsalint.gitignore import IgnorePatterns, pattern_to_regex

SEGMENT_CHARS = "ab*?![]^-\\ #."
LINE_CHARS = SEGMENT_CHARS + "/"


def _reference(lines: list[str]) -> GitIgnoreSpec:
    """pathspec's spec of the lines it accepts one by one."""
    usable = []
    for line in lines:
        try:
            GitIgnoreSpec.from_lines([line])
        except Exception:  # noqa: BLE001 - its pattern errors, and re.error for `[z-a]`
            continue
        usable.append(line)
    return GitIgnoreSpec.from_lines(usable)


def _same_regex(line: str) -> None:
    try:
        expected = GitIgnoreSpecPattern.pattern_to_regex(line)
    except Exception:  # noqa: BLE001 - pathspec refuses it: we skip it (no pattern)
        assert IgnorePatterns([line]).verdict("a") is None and not IgnorePatterns([line])
        return
    try:
        ours = pattern_to_regex(line, atomic=False)
    except ValueError:
        ours = None
    if expected == (None, None):
        assert ours is None
    else:
        assert ours == (expected[0], expected[1])


_lines = st.lists(st.text(LINE_CHARS, max_size=8), max_size=6)
_paths = st.lists(
    st.lists(st.text("ab*?[]!\\ #.", min_size=1, max_size=3), min_size=1, max_size=4).map("/".join)
    .flatmap(lambda p: st.sampled_from([p, p + "/"]))
    .filter(lambda p: not p.startswith("./")),  # pathspec drops it; a directory entry never has it
    min_size=1, max_size=6,
)


@settings(max_examples=400)
@given(_lines, _paths)
def test_verdicts_are_pathspecs(lines: list[str], paths: list[str]) -> None:
    ours = IgnorePatterns(lines)
    reference = _reference(lines)
    for path in paths:
        assert ours.verdict(path) == reference.check_file(path).include, (lines, path)


@settings(max_examples=400)
@given(st.text(LINE_CHARS, max_size=10))
def test_regexes_are_pathspecs(line: str) -> None:
    _same_regex(line)


# Lines of every kind: anchoring, directories, `**`, negation, escapes, brackets, and what git skips.
PINNED = [
    "build/", "/build", "*.tfstate", "!keep.tfstate", "docs/**/generated", "**/cache", "a/**", "**",
    "**/", "*/", "*", "/", "!/", "!", "foo\\", "\\#not-a-comment", "\\!bang", "# comment", "",
    "trailing   ", "escaped\\ ", "[abc]x", "[!a]x", "[^a]x", "[]a]", "[z-a]", "[unclosed", "a/b/",
    "a//b", "**/**/x", "x/**/**/y", " leading",
]
PATHS = ["build", "build/", "build/x.tf", "a/build/", "a/build/x", "x.tfstate", "keep.tfstate",
         "docs/a/b/generated", "docs/generated/", "cache/", "z/cache", "a/", "a/b", "a/b/", "a/b/c",
         "#not-a-comment", "!bang", "trailing", "escaped ", "ax", "bx", "]", "x/y", "x/q/y",
         " leading", "foo\\", "foo"]


@pytest.mark.parametrize("line", PINNED)
def test_pinned_lines(line: str) -> None:
    _same_regex(line)
    ours, reference = IgnorePatterns([line]), _reference([line])
    assert [ours.verdict(p) for p in PATHS] == [reference.check_file(p).include for p in PATHS]


def test_what_git_skips_does_not_stop_the_other_lines() -> None:
    patterns = IgnorePatterns(["foo\\", "!", "[unclosed", "[z-a]", "*.tfstate", "!keep.tfstate"])
    assert patterns.verdict("x.tfstate") is True
    assert patterns.verdict("keep.tfstate") is False
    assert patterns.verdict("main.tf") is None


def test_a_file_match_beats_a_later_directory_match_and_the_last_file_match_wins() -> None:
    patterns = IgnorePatterns(["build/", "!build/keep.tf", "*.tf", "!main.tf"])
    assert patterns.verdict("build/keep.tf") is True  # `*.tf` matches the file itself, after the `!`
    assert patterns.verdict("main.tf") is False
    assert patterns.verdict("build/other.yaml") is True  # only the directory pattern matches
    assert IgnorePatterns(["build/", "!build/keep.tf"]).verdict("build/keep.tf") is False


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_check_ignore_agrees_on_the_pinned_lines(tmp_path) -> None:
    """git itself, on the lines it uses alike whatever the directory walk (files at the top)."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    lines = ["*.tfstate", "!keep.tfstate", "\\#hash", "\\!bang", "foo\\", "!", "[unclosed", "[z-a]", "[!a]x",
             "escaped\\ ", "trailing   ", "/anchored", "**/deep"]
    (tmp_path / ".gitignore").write_text("\n".join(lines) + "\n")
    names = ["x.tfstate", "keep.tfstate", "#hash", "!bang", "foo", "foo\\", "ax", "bx", "escaped ", "trailing",
             "anchored", "deep", "other"]
    proc = subprocess.run(["git", "-C", str(tmp_path), "check-ignore", "--no-index", "--stdin"],
                          input="\n".join(names) + "\n", capture_output=True, text=True)
    ignored_by_git = set(proc.stdout.splitlines())
    ours = IgnorePatterns(lines)
    assert {name for name in names if ours.verdict(name)} == ignored_by_git


def test_a_star_heavy_line_against_a_long_name_does_not_hang() -> None:
    """`*a*a*...*b` as plain `[^/]*` pieces backtracks polynomially in the name's length (seven
    stars, a 60-character name: 9 s per name); the atomic form answers at once, alike."""
    import sys
    import time

    pattern = "*a" * 12 + "*b"
    began = time.monotonic()
    verdicts = [IgnorePatterns([pattern]).verdict(name) for name in ("a" * 255, "a" * 254 + "b", "a/" + "a" * 253)]
    assert time.monotonic() - began < 5 or sys.version_info < (3, 11)  # a hang guard, not a benchmark
    assert verdicts == [None, True, None]
    reference = _reference([pattern])
    assert [reference.check_file(name).include for name in ("a" * 30, "a" * 29 + "b")] == [None, True]


@settings(max_examples=500)
@given(st.lists(st.sampled_from(["a", "b", "?", "*", "[ab]", "[!a]", "ab"]), min_size=1, max_size=7).map("".join),
       st.lists(st.text("ab", min_size=1, max_size=12), min_size=1, max_size=5))
def test_star_runs_match_as_pathspecs_plain_expressions_do(glob: str, names: list[str]) -> None:
    """The atomic form of a segment with several stars gives the verdicts of the plain one."""
    ours, reference = IgnorePatterns([glob]), _reference([glob])
    for name in names:
        assert ours.verdict(name) == reference.check_file(name).include, (glob, name)
