"""Values that are not values yet: substitution placeholders (Flux/envsubst `${VAR}`, kustomize
`$(VAR)`, Helm/Go `{{ }}`, `<ACCOUNT_ID>`, `%VAR%`) and redacted documentation ARNs
(`arn:aws:iam::xxxxxxxxxxxx:role/...`). Such a value is unknown — or partly known — never invalid."""

from __future__ import annotations

import re

from irsalint.model import UNKNOWN, Partial, Str
from irsalint.partial import make_partial, split_placeholders

PLACEHOLDER_RE = re.compile(
    r"\$\{[^}]*\}"  # ${VAR}, ${VAR:=default}, ${data.aws_partition.current.partition}
    r"|\{\{.*?\}\}"  # {{ .Values.x }}
    r"|\$\([\w.-]+\)"  # $(VAR)
    r"|<[A-Za-z_][\w .-]*>"  # <ACCOUNT_ID>, <account id>
    r"|%[A-Za-z_]\w*%",  # %VAR%
    re.DOTALL,
)
# An ARN's account written as a stand-in: xxxxxxxxxxxx, ACCOUNT_ID, YOUR-ACCOUNT-ID, AccountId
_REDACTED_ACCOUNT_RE = re.compile(r"(?i)x{3,}|[a-z_-]*account[a-z_-]*(?:id)?[a-z_-]*")
_ARN_ACCOUNT_RE = re.compile(r"^(arn:[^:]*:[^:]*:[^:]*:)([^:]*)(:.*)$", re.DOTALL)


def has_placeholder(text: str) -> bool:
    return PLACEHOLDER_RE.search(text) is not None


def redacted_account(account: str) -> bool:
    """An account id written as a stand-in rather than digits."""
    return not account.isdigit() and _REDACTED_ACCOUNT_RE.fullmatch(account) is not None


def placeholder_value(text: str) -> str | Partial | Str:
    """A manifest value as irsalint models it: the text itself, a Partial when placeholders (or a
    redacted account) stand for parts of it, UNKNOWN when nothing of it is literal."""
    match = _ARN_ACCOUNT_RE.match(text)
    if match is not None and redacted_account(match.group(2)):
        head, account, tail = match.groups()
        parts = (split_placeholders(head, PLACEHOLDER_RE), (account,), split_placeholders(tail, PLACEHOLDER_RE))
        value = make_partial([part for part in parts if part is not None])
    elif not has_placeholder(text):
        return text
    else:
        value = split_placeholders(text, PLACEHOLDER_RE)
    return UNKNOWN if value is None else value
