"""The progress line: after a delay, on a terminal (rewritten in place, erased at the end), or when
asked (`--progress always`: one plain line per stage); never in a CI log by default."""

from __future__ import annotations

import io
import time

import pytest

from irsalint import cli, progress
from irsalint.progress import Progress
from tests.helpers import FIXTURES


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def fast(monkeypatch):
    monkeypatch.setattr(progress, "DELAY", 0.0)
    monkeypatch.setattr(progress, "TICK", 0.01)


def test_on_a_terminal_one_line_is_rewritten_then_erased(fast):
    stream = Terminal()
    meter = Progress(stream, "auto")
    with meter:
        meter.stage("parsing 3 files")
        time.sleep(0.1)
    written = stream.getvalue()
    assert written.startswith("\rirsalint: parsing 3 files... 0s") and "\n" not in written
    assert written.endswith("\r" + " " * len("irsalint: parsing 3 files... 0s") + "\r")


def test_not_a_terminal_stays_quiet_unless_asked(fast):
    log = io.StringIO()
    with Progress(log, "auto"):
        time.sleep(0.05)
    assert log.getvalue() == ""
    meter = Progress(log, "always")
    with meter:
        meter.stage("parsing 3 files")
        time.sleep(0.05)
        meter.stage("running 20 rules")
        time.sleep(0.05)
    assert log.getvalue().splitlines() == ["irsalint: parsing 3 files... (0s)", "irsalint: running 20 rules... (0s)"]
    quiet = Terminal()
    with Progress(quiet, "never"):
        time.sleep(0.05)
    assert quiet.getvalue() == ""


def test_short_runs_print_nothing():
    stream = Terminal()
    with Progress(stream, "always"):
        pass
    assert stream.getvalue() == ""


def test_the_check_command_reports_its_stages(fast, monkeypatch, capsys):
    stream = Terminal()
    monkeypatch.setattr("sys.stderr", stream)
    slow = progress.Progress.stage

    def stage(self, text):  # give the meter time to see every stage
        slow(self, text)
        time.sleep(0.05)

    monkeypatch.setattr(progress.Progress, "stage", stage)
    assert cli.main(["check", str(FIXTURES / "seed"), "--no-cache"]) == 0
    shown = stream.getvalue()
    for stage_text in ("finding files", "parsing 3 files", "running", "applying suppressions"):
        assert f"irsalint: {stage_text}" in shown
    assert shown.endswith("\r")  # erased before the report
    assert capsys.readouterr().out.startswith("No findings")
