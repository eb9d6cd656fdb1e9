"""The smallest records, apart from irsalint.model: unknown and partly known values, positions,
role targets, annotations, and the notes about files. A warm run unpickles only these (findings,
the ProjectSummary), so it does not pay for creating the model's other classes (docs/design.md,
"Warm runs"). irsalint.model re-exports every name.

Values that could not be resolved statically are the UNKNOWN sentinel, never None: None means
"absent" (a key that is not there), UNKNOWN means "there, but we cannot know its value".
"""

from __future__ import annotations

from irsalint.record import ordered_record, record


class _Unknown:
    """Singleton for a value that static analysis cannot know (survives pickling)."""

    __slots__ = ()
    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __reduce__(self) -> tuple[type[_Unknown], tuple[()]]:
        return (_Unknown, ())

    def __bool__(self) -> bool:
        raise TypeError("UNKNOWN has no truth value; compare with `is UNKNOWN`")


UNKNOWN = _Unknown()

# A string that may be unknown.
Str = str | _Unknown  # PEP 604 at run time: a warm run does not import typing


@record
class Partial:
    """A string only partly known: literal pieces around holes, each hole any text (a Terraform
    `${var.env}`, a Flux `${CLUSTER_NAME}`, a data source's partition). Not a `str`, so every
    check that needs a value treats it as unknown; only code that understands patterns (role
    matching, ARN shapes) looks inside. `pieces` has one more element than `holes`."""

    pieces: tuple[str, ...]
    holes: tuple[str, ...]  # how each hole was written, for messages

    def __str__(self) -> str:
        out = [self.pieces[0]]
        for hole, piece in zip(self.holes, self.pieces[1:]):
            out.extend((hole, piece))
        return "".join(out)

    def fill(self, text: str) -> str:
        """The string with every hole replaced by `text`."""
        return text.join(self.pieces)


def known(value: object) -> bool:
    return value is not UNKNOWN


@ordered_record
class Location:
    """A place in a scanned file: 1-based line and column (code points), and where it ends."""

    path: str  # repository-relative, POSIX separators
    line: int  # 1-based
    col: int = 1  # 1-based
    end_line: int = 0  # 0: same as line
    end_col: int = 0  # 0: unknown

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


@record
class RoleRef:
    """A Terraform reference to a scanned role (`module.x.iam_role_arn`, `aws_iam_role.x.arn`)."""

    role_id: str
    attribute: str  # "arn" | "name"


@record
class PolicyRef:
    """A Terraform reference to a scanned customer-managed policy (`aws_iam_policy.x.arn`)."""

    policy_id: str


@record
class RoleName:
    """A role looked up by name (`data "aws_iam_role" "x" { name = "..." }`): whichever scanned role
    of that name is in scope, if exactly one is."""

    name: str | Partial
    attribute: str  # "arn" | "name"


# What names a role: an ARN (known, partly known or not), a reference to a scanned role, a lookup.
RoleTarget = str | _Unknown | RoleRef | RoleName | Partial
ROLE_TARGET_TYPES = (str, RoleRef, RoleName, Partial)
AnnotationValue = RoleTarget
# A name that may be unknown or partly known.
Name = str | _Unknown | Partial


# The annotation that silences findings inside the object that carries it (irsalint.suppress).
IGNORE_ANNOTATION = "irsalint.dev/ignore"


@record
class Annotation:
    """One `metadata.annotations` entry (or a Terraform/Helm equivalent), at its key."""

    key: str
    value: AnnotationValue
    loc: Location  # the key's line


@record
class Diagnostic:
    """A file that looks like a manifest or Terraform but could not be parsed (IRSA900)."""

    loc: Location
    message: str
    level: str | None = None  # None: the rule's level; "note" for a file with no IRSA content


@record
class SkipNote:
    """A file deliberately not linted (Helm template, not a manifest, over the size cap)."""

    path: str
    reason: str
    internal: bool = False  # irsalint failed on it (a bug to report), not the file


