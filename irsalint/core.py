"""The smallest records, apart from irsalint.model: unknown and partly known values, positions,
role targets, annotations, and the notes about files. A warm run unpickles only these (findings,
the ProjectSummary), so it does not pay for creating the model's other classes (docs/design.md,
"Warm runs"). irsalint.model re-exports every name.

Values that could not be resolved statically are the UNKNOWN sentinel, never None: None means
"absent" (a key that is not there), UNKNOWN means "there, but we cannot know its value".
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import MISSING, dataclass, is_dataclass
from dataclasses import fields as dataclass_fields


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


@dataclass(frozen=True, slots=True)
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


def positional_reduce(self: object) -> tuple[type, tuple[object, ...]]:
    """Pickle a frozen slots dataclass as a constructor call: several times faster to load than
    the default per-field __setstate__ (the cache unpickles hundreds of thousands of these). The
    fields are read by one C call per record (a 1k-service corpus's ASTs: pickled in 0.12 s, not
    0.15 s as with a generator over the slots)."""
    cls = type(self)
    fields = _FIELD_GETTERS.get(cls)
    if fields is None:
        fields = _FIELD_GETTERS[cls] = _fields_getter(cls.__slots__)  # type: ignore[attr-defined]
    return (cls, fields(self))


_FIELD_GETTERS: dict[type, Callable[[object], tuple[object, ...]]] = {}


def _fields_getter(names: tuple[str, ...]) -> Callable[[object], tuple[object, ...]]:
    if len(names) == 1:  # attrgetter of one name returns the value, not a 1-tuple
        only = operator.attrgetter(names[0])
        return lambda record: (only(record),)
    getter: Callable[[object], tuple[object, ...]] = operator.attrgetter(*names)
    return getter


def fast_init(*classes: type) -> None:
    """Give hot frozen slots dataclasses an __init__ that writes each slot through its descriptor.
    The generated frozen one calls object.__setattr__ per field, twice the cost: Location(...)
    0.62 -> 0.34 µs, and a 1k-service corpus builds ~140k records while loading (unpickling a
    helper's results calls __init__ too). Same signature and defaults. Only for a frozen slots
    dataclass without __post_init__, default factories and fields left out of __init__."""
    for cls in classes:
        fields = dataclass_fields(cls)
        if (not cls.__dataclass_params__.frozen or "__slots__" not in cls.__dict__  # type: ignore[attr-defined]
                or hasattr(cls, "__post_init__")
                or any(not f.init or f.kw_only or f.default_factory is not MISSING for f in fields)):
            raise TypeError(f"fast_init: {cls.__qualname__} is not a plain frozen slots dataclass")
        namespace: dict[str, object] = {}
        params: list[str] = []
        lines: list[str] = []
        for f in fields:
            namespace[f"_set_{f.name}"] = cls.__dict__[f.name].__set__  # the slot's member descriptor
            if f.default is MISSING:
                params.append(f.name)
            else:
                namespace[f"_default_{f.name}"] = f.default
                params.append(f"{f.name}=_default_{f.name}")
            lines.append(f"    _set_{f.name}(self, {f.name})\n")
        source = f"def __init__(self, {', '.join(params)}):\n" + ("".join(lines) or "    pass\n")
        exec(source, namespace)  # noqa: S102 - our own field names, as dataclasses itself does
        init = namespace["__init__"]
        init.__qualname__ = f"{cls.__qualname__}.__init__"  # type: ignore[attr-defined]
        init.__annotations__ = dict(cls.__init__.__annotations__)  # type: ignore[misc]
        cls.__init__ = init  # type: ignore[misc]
        FAST_RECORDS.append(cls)


FAST_RECORDS: list[type] = []  # for the tests: every class fast_init gave its __init__


@dataclass(frozen=True, slots=True, order=True)
class Location:
    """A place in a scanned file: 1-based line and column (code points), and where it ends."""

    path: str  # repository-relative, POSIX separators
    line: int  # 1-based
    col: int = 1  # 1-based
    end_line: int = 0  # 0: same as line
    end_col: int = 0  # 0: unknown

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"

    __reduce__ = positional_reduce


@dataclass(frozen=True, slots=True)
class RoleRef:
    """A Terraform reference to a scanned role (`module.x.iam_role_arn`, `aws_iam_role.x.arn`)."""

    role_id: str
    attribute: str  # "arn" | "name"


@dataclass(frozen=True, slots=True)
class PolicyRef:
    """A Terraform reference to a scanned customer-managed policy (`aws_iam_policy.x.arn`)."""

    policy_id: str


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
class Annotation:
    """One `metadata.annotations` entry (or a Terraform/Helm equivalent), at its key."""

    key: str
    value: AnnotationValue
    loc: Location  # the key's line


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A file that looks like a manifest or Terraform but could not be parsed (IRSA900)."""

    loc: Location
    message: str
    level: str | None = None  # None: the rule's level; "note" for a file with no IRSA content


@dataclass(frozen=True, slots=True)
class SkipNote:
    """A file deliberately not linted (Helm template, not a manifest, over the size cap)."""

    path: str
    reason: str
    internal: bool = False  # irsalint failed on it (a bug to report), not the file


# Every record pickles as a constructor call: a warm run unpickles the whole previous project.
for _record in [value for value in list(globals().values())
                if isinstance(value, type) and is_dataclass(value) and value.__module__ == __name__]:
    _record.__reduce__ = positional_reduce  # type: ignore[method-assign]
fast_init(Location, Annotation, RoleRef, PolicyRef)
