"""One exception per layer; cli.error_handler maps them to exit code 2 with a one-line message."""

from __future__ import annotations


class IrsalintError(Exception):
    """Base class: a clear, one-line, user-facing problem."""


class UsageError(IrsalintError):
    """Bad command line: a missing path, an unknown rule id."""


class ConfigError(IrsalintError):
    """Invalid configuration file."""


class RulePackError(IrsalintError):
    """A rule file that does not validate or names an unknown check."""


class CheckError(IrsalintError):
    """A check crashed: a bug in irsalint, surfaced instead of hidden (exit 2)."""

    def __init__(self, rule_id: str, cause: BaseException) -> None:
        super().__init__(f"internal error in rule {rule_id}: {type(cause).__name__}: {cause}")
        self.rule_id = rule_id
        self.cause = cause
