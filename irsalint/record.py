"""`@record`: the model's frozen slots dataclasses, with their methods made without compiling.

`@dataclass(frozen=True, slots=True)` compiles six methods from source for every class it makes
(`__init__`, `__repr__`, `__eq__`, `__hash__`, `__setattr__`, `__delattr__`): on Python 3.11,
0.54 ms a class, 62 ms of the 120 ms it took to import irsalint's ~115 records, all of it before
the first file is parsed (docs/design.md, "Start-up and exit"). `record` lets dataclasses do the
fields, slots and `__match_args__` (it compiles nothing when asked for no methods) and adds:

- `__eq__`, `__hash__`, `__repr__` (and with `ordered_record` the comparisons) shared by every
  class, over the fields read by one `operator.attrgetter` call: the same results as the
  generated ones (compare=False and repr=False fields are left out alike);
- `__setattr__` and `__delattr__` raising FrozenInstanceError, as frozen dataclasses do;
- `__init__`, compiled the first time the class is called (a class a run never builds never
  pays): it writes each slot through its member descriptor, half the cost of the generated
  frozen one's `object.__setattr__` calls (Location(...) 0.62 -> 0.34 µs; a 1k-service corpus
  builds ~140k records while loading). Same parameters, defaults and default factories;
- `__reduce__`: pickled as a constructor call, several times faster to load than the default
  per-field `__setstate__` (the cache and the helper processes unpickle hundreds of thousands).

They stay dataclasses: `dataclasses.fields`, `replace`, `asdict` and `is_dataclass` work as
before, and mypy reads them as frozen dataclasses (PEP 681). `__dataclass_params__` describes
the call to dataclasses (no methods), not the class. Not supported, refused when declared:
keyword-only fields, fields left out of `__init__`, `__post_init__`, a class of its own
`__setattr__` or `__delattr__`."""

from __future__ import annotations

import operator
from dataclasses import MISSING, Field, FrozenInstanceError, dataclass, field
from dataclasses import fields as dataclass_fields
from operator import attrgetter

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (a warm run): annotations only
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, TypeVar

    from typing_extensions import dataclass_transform  # typing's from Python 3.11; mypy's own dependency

    _Record = TypeVar("_Record")
else:
    def dataclass_transform(**_options: object) -> Callable[[object], object]:
        return lambda decorator: decorator


_fields_and_slots = dataclass(init=False, repr=False, eq=False, slots=True)  # compiles nothing


@dataclass_transform(frozen_default=True, field_specifiers=(field, Field))
def record(cls: type[_Record]) -> type[_Record]:
    """A frozen slots dataclass (see the module's docstring)."""
    return _build(cls, ordered=False)


@dataclass_transform(frozen_default=True, order_default=True, field_specifiers=(field, Field))
def ordered_record(cls: type[_Record]) -> type[_Record]:
    """A frozen slots dataclass with `order=True`: compared as the tuple of its compared fields."""
    return _build(cls, ordered=True)


def values_getter(names: tuple[str, ...]) -> Callable[[object], tuple[Any, ...]]:
    """The named attributes of an object as a tuple, read by one C call."""
    if not names:
        return lambda _: ()
    if len(names) == 1:  # attrgetter of one name returns the value, not a 1-tuple
        only = attrgetter(names[0])
        return lambda instance: (only(instance),)
    getter: Callable[[object], tuple[Any, ...]] = attrgetter(*names)
    return getter


def _build(cls: type[_Record], ordered: bool) -> type[_Record]:
    body = cls.__dict__
    refused = [name for name in ("__setattr__", "__delattr__", "__post_init__") if name in body]
    if refused:
        raise TypeError(f"record {cls.__qualname__}: defines {refused[0]}")
    built = _fields_and_slots(cls)
    fields = dataclass_fields(built)  # type: ignore[arg-type]
    if any(f.kw_only or not f.init for f in fields):
        raise TypeError(f"record {cls.__qualname__}: keyword-only fields and init=False are not supported")
    compared = values_getter(tuple(f.name for f in fields if f.compare))
    hashed = values_getter(tuple(f.name for f in fields if (f.compare if f.hash is None else f.hash)))
    shown = tuple(f.name for f in fields if f.repr)
    methods: dict[str, Callable[..., Any]] = {
        "__init__": _first_init(built, fields),
        "__repr__": _repr(shown),
        "__eq__": _compare(compared, operator.eq),
        "__reduce__": _reduce(values_getter(tuple(f.name for f in fields))),
    }
    if ordered:
        methods["__lt__"] = _compare(compared, operator.lt)
        methods["__le__"] = _compare(compared, operator.le)
        methods["__gt__"] = _compare(compared, operator.gt)
        methods["__ge__"] = _compare(compared, operator.ge)
    for name, method in methods.items():
        if name not in body:  # the class's own method wins, as with dataclasses
            method.__qualname__ = f"{built.__qualname__}.{name}"
            setattr(built, name, method)
    explicit_hash = body.get("__hash__", MISSING)
    if explicit_hash is MISSING or (explicit_hash is None and "__eq__" in body):  # as dataclasses decides
        built.__hash__ = _hash(hashed, built.__qualname__)  # type: ignore[method-assign,assignment]
    built.__setattr__ = _refuse_assignment  # type: ignore[method-assign]
    built.__delattr__ = _refuse_deletion  # type: ignore[method-assign]
    return built


def _refuse_assignment(self: object, name: str, value: object) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _refuse_deletion(self: object, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")


def _repr(names: tuple[str, ...]) -> Callable[[object], str]:
    def __repr__(self: object) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"{type(self).__qualname__}({shown})"

    return __repr__


def _compare(
    values: Callable[[object], tuple[Any, ...]], relation: Callable[[tuple[Any, ...], tuple[Any, ...]], bool]
) -> Callable[[object, object], Any]:
    def compare(self: object, other: object) -> Any:
        if other.__class__ is self.__class__:
            return relation(values(self), values(other))
        return NotImplemented

    return compare


def _hash(values: Callable[[object], tuple[Any, ...]], owner: str) -> Callable[[object], int]:
    def __hash__(self: object) -> int:
        return hash(values(self))

    __hash__.__qualname__ = f"{owner}.__hash__"
    return __hash__


def _reduce(values: Callable[[object], tuple[Any, ...]]) -> Callable[[object], tuple[type, tuple[Any, ...]]]:
    return lambda self: (type(self), values(self))


def _first_init(cls: type, fields: tuple[Field[Any], ...]) -> Callable[..., None]:
    """An `__init__` that compiles the real one, puts it on the class and runs it."""

    def __init__(self: object, *args: Any, **kwargs: Any) -> None:
        init = _compile_init(cls, fields)
        cls.__init__ = init  # type: ignore[misc]
        init(self, *args, **kwargs)

    return __init__


def _compile_init(cls: type, fields: tuple[Field[Any], ...]) -> Callable[..., None]:
    namespace: dict[str, object] = {"_FACTORY": _FACTORY}
    params: list[str] = []
    lines: list[str] = []
    for f in fields:
        name = f.name
        namespace[f"_set_{name}"] = cls.__dict__[name].__set__  # the slot's member descriptor
        if f.default is not MISSING:
            namespace[f"_default_{name}"] = f.default
            params.append(f"{name}=_default_{name}")
        elif f.default_factory is not MISSING:
            namespace[f"_factory_{name}"] = f.default_factory
            params.append(f"{name}=_FACTORY")
            lines.append(f"    if {name} is _FACTORY:\n        {name} = _factory_{name}()\n")
        else:
            params.append(name)
        lines.append(f"    _set_{name}(self, {name})\n")
    source = f"def __init__(self, {', '.join(params)}):\n" + ("".join(lines) or "    pass\n")
    exec(source, namespace)  # noqa: S102 - our own field names, as dataclasses itself does
    init: Any = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__annotations__ = {**{f.name: f.type for f in fields}, "return": None}  # as dataclasses writes them
    return init  # type: ignore[no-any-return]


class _Factory:
    """A parameter left to its field's default factory (shown as dataclasses shows it)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<factory>"


_FACTORY = _Factory()
