"""`@record`: the model's frozen slots dataclasses, made without compiling and without dataclasses.

`@dataclass(frozen=True, slots=True)` compiles six methods from source for every class it makes
(`__init__`, `__repr__`, `__eq__`, `__hash__`, `__setattr__`, `__delattr__`): on Python 3.11,
0.54 ms a class, 62 ms of the 120 ms it took to import irsalint's ~115 records, all of it before
the first file is parsed. And importing dataclasses itself (with inspect, ast, dis and tokenize)
costs ~10 ms of every run, a sixth of a warm one (docs/design.md, "Start-up and exit"). `record`
reads the fields from the class's annotations and defaults (`field()` below for the options),
makes the slots class, and adds:

- `__eq__`, `__hash__`, `__repr__` (and with `ordered_record` the comparisons) shared by every
  class, over the fields read by one `operator.attrgetter` call: the same results as the
  generated ones (compare=False and repr=False fields are left out alike);
- `__setattr__` and `__delattr__` raising FrozenInstanceError, as frozen dataclasses do;
- `__init__`, compiled the first time the class is called (a class a run never builds never
  pays): it writes each slot through its member descriptor, half the cost of the generated
  frozen one's `object.__setattr__` calls (Location(...) 0.62 -> 0.34 µs; a 1k-service corpus
  builds ~140k records while loading). Same parameters, defaults and default factories;
- `__reduce__`: pickled as a constructor call, several times faster to load than the default
  per-field `__setstate__` (the cache and the helper processes unpickle hundreds of thousands);
- `__match_args__`, and `__dataclass_fields__` and `__dataclass_params__` made by dataclasses the
  first time something reads them: `dataclasses.fields`, `replace`, `asdict` and `is_dataclass`
  work as before (`replace` below does the same for a record without importing dataclasses).

mypy reads them as frozen dataclasses (PEP 681). `__dataclass_params__` describes a call to
dataclasses that makes no method, not the class; a class without a docstring gets none (dataclasses
writes its signature there). Not supported, refused when declared: keyword-only fields, fields
left out of `__init__`, `ClassVar` and `InitVar` annotations, `__post_init__`, a class of its own
`__setattr__`, `__delattr__` or `__slots__`. A record's base classes are plain classes or records."""

from __future__ import annotations

import operator
import sys
from operator import attrgetter

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (a warm run): annotations only
if TYPE_CHECKING:
    from collections.abc import Callable
    from dataclasses import field as field  # what mypy checks `field(...)` against
    from typing import Any, TypeVar

    from typing_extensions import dataclass_transform  # typing's from Python 3.11; mypy's own dependency

    _Record = TypeVar("_Record")
else:
    def dataclass_transform(**_options: object) -> Callable[[object], object]:
        return lambda decorator: decorator


class _Absent:
    """No default (dataclasses.MISSING, without dataclasses)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<absent>"


_ABSENT = _Absent()


class FieldSpec:
    """One field of a record: what `field()` was given, and its name and annotation once built."""

    __slots__ = ("name", "type", "default", "default_factory", "compare", "repr", "hash")

    def __init__(self, default: Any = _ABSENT, default_factory: Any = _ABSENT, compare: bool = True,
                 repr: bool = True, hash: bool | None = None) -> None:  # noqa: A002 - dataclasses' names
        if default is not _ABSENT and default_factory is not _ABSENT:
            raise ValueError("cannot specify both default and default_factory")
        self.name = ""
        self.type: Any = None
        self.default = default
        self.default_factory = default_factory
        self.compare = compare
        self.repr = repr
        self.hash = hash

    def named(self, name: str, annotation: Any) -> FieldSpec:
        spec = FieldSpec(self.default, self.default_factory, self.compare, self.repr, self.hash)
        spec.name, spec.type = name, annotation
        return spec

    @property
    def has_default(self) -> bool:
        return self.default is not _ABSENT or self.default_factory is not _ABSENT


if not TYPE_CHECKING:
    def field(*, default: Any = _ABSENT, default_factory: Any = _ABSENT, compare: bool = True, repr: bool = True,  # noqa: A002
              hash: bool | None = None) -> Any:  # noqa: A002 - dataclasses.field's parameters, as far as records use them
        """A record field's options, as dataclasses.field takes them."""
        return FieldSpec(default, default_factory, compare, repr, hash)


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
def record(cls: type[_Record]) -> type[_Record]:
    """A frozen slots dataclass (see the module's docstring)."""
    return _build(cls, ordered=False)


@dataclass_transform(frozen_default=True, order_default=True, field_specifiers=(field,))
def ordered_record(cls: type[_Record]) -> type[_Record]:
    """A frozen slots dataclass with `order=True`: compared as the tuple of its compared fields."""
    return _build(cls, ordered=True)


def replace(obj: _Record, /, **changes: Any) -> _Record:
    """dataclasses.replace: a copy of `obj` with `changes`; for a record, without dataclasses."""
    specs: tuple[FieldSpec, ...] | None = getattr(type(obj), "__record_fields__", None)
    if specs is None:
        import dataclasses

        return dataclasses.replace(obj, **changes)  # type: ignore[type-var]
    values = [changes.pop(spec.name) if spec.name in changes else getattr(obj, spec.name) for spec in specs]
    if changes:
        raise TypeError(f"{type(obj).__qualname__}.__init__() got an unexpected keyword argument {next(iter(changes))!r}")
    return type(obj)(*values)


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
    refused = [name for name in ("__setattr__", "__delattr__", "__post_init__", "__slots__") if name in body]
    if refused:
        raise TypeError(f"record {cls.__qualname__}: defines {refused[0]}")
    specs = _field_specs(cls)
    built = _with_slots(cls, specs)
    compared = values_getter(tuple(f.name for f in specs if f.compare))
    hashed = values_getter(tuple(f.name for f in specs if (f.compare if f.hash is None else f.hash)))
    shown = tuple(f.name for f in specs if f.repr)
    methods: dict[str, Callable[..., Any]] = {
        "__init__": _first_init(built, specs),
        "__repr__": _repr(shown),
        "__eq__": _compare(compared, operator.eq),
        "__reduce__": _reduce(values_getter(tuple(f.name for f in specs))),
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
    explicit_hash = body.get("__hash__", _ABSENT)
    if explicit_hash is _ABSENT or (explicit_hash is None and "__eq__" in body):  # as dataclasses decides
        built.__hash__ = _hash(hashed, built.__qualname__)  # type: ignore[method-assign,assignment]
    built.__setattr__ = _refuse_assignment  # type: ignore[method-assign]
    built.__delattr__ = _refuse_deletion  # type: ignore[method-assign]
    return built


def _field_specs(cls: type) -> tuple[FieldSpec, ...]:
    """The fields, the bases' records' first (as dataclasses orders them), from the annotations
    and the class attributes (a default, or `field()`'s options)."""
    specs: dict[str, FieldSpec] = {}
    for base in cls.__mro__[-1:0:-1]:
        specs.update((spec.name, spec) for spec in base.__dict__.get("__record_fields__", ()))
    for name, annotation in cls.__dict__.get("__annotations__", {}).items():
        if isinstance(annotation, str) and annotation.split("[", 1)[0].rsplit(".", 1)[-1] in ("ClassVar", "InitVar", "KW_ONLY"):
            raise TypeError(f"record {cls.__qualname__}: {name}: {annotation} is not supported")
        specs[name] = _spec(cls, name, cls.__dict__.get(name, _ABSENT)).named(name, annotation)
    defaulted = ""
    for spec in specs.values():  # dataclasses refuses this order when it makes __init__
        if spec.has_default:
            defaulted = spec.name
        elif defaulted:
            raise TypeError(f"record {cls.__qualname__}: non-default argument {spec.name!r} follows default argument")
    return tuple(specs.values())


def _spec(cls: type, name: str, value: object) -> FieldSpec:
    """A field's options from its class attribute: field()'s, dataclasses.field()'s, or a default."""
    if isinstance(value, FieldSpec):
        return value
    dataclasses = sys.modules.get("dataclasses")  # a dataclasses.field() implies it is imported
    if dataclasses is not None and isinstance(value, dataclasses.Field):
        if value.kw_only is True or not value.init:
            raise TypeError(f"record {cls.__qualname__}: keyword-only fields and init=False are not supported")
        absent = dataclasses.MISSING
        return FieldSpec(_ABSENT if value.default is absent else value.default,
                         _ABSENT if value.default_factory is absent else value.default_factory,
                         bool(value.compare), bool(value.repr), value.hash)
    if value is not _ABSENT and type(value).__hash__ is None:  # as dataclasses: a list default would be shared
        raise ValueError(f"mutable default {type(value)} for field {name} is not allowed: use default_factory")
    return FieldSpec(value)


def _with_slots(cls: type[_Record], specs: tuple[FieldSpec, ...]) -> type[_Record]:
    """`cls` made again with a slot per field (those no base has), as dataclasses' slots=True."""
    inherited = {slot for base in cls.__mro__[1:-1] for slot in _slots_of(base)}
    namespace = dict(cls.__dict__)
    namespace["__slots__"] = tuple(spec.name for spec in specs if spec.name not in inherited)
    for spec in specs:
        namespace.pop(spec.name, None)
    namespace.pop("__dict__", None)
    namespace.pop("__weakref__", None)
    namespace["__record_fields__"] = specs
    namespace.setdefault("__match_args__", tuple(spec.name for spec in specs))
    namespace["__dataclass_fields__"] = _DataclassView("__dataclass_fields__")
    namespace["__dataclass_params__"] = _DataclassView("__dataclass_params__")
    metaclass: Any = type(cls)
    built: type[_Record] = metaclass(cls.__name__, cls.__bases__, namespace)
    built.__qualname__ = cls.__qualname__
    return built


def _slots_of(base: type) -> tuple[str, ...]:
    slots = base.__dict__.get("__slots__", ())
    return (slots,) if isinstance(slots, str) else tuple(slots)


class _DataclassView:
    """A record's `__dataclass_fields__` or `__dataclass_params__`: made by dataclasses (from a
    plain twin class with the same fields) the first time either is read, then set on the class."""

    def __init__(self, attribute: str) -> None:
        self.attribute = attribute

    def __get__(self, instance: object, owner: type) -> Any:
        import dataclasses

        specs: tuple[FieldSpec, ...] = owner.__dict__.get("__record_fields__") or getattr(owner, "__record_fields__")
        namespace: dict[str, Any] = {"__annotations__": {spec.name: spec.type for spec in specs}}
        for spec in specs:
            options: dict[str, Any] = {"compare": spec.compare, "repr": spec.repr, "hash": spec.hash}
            if spec.default is not _ABSENT:
                options["default"] = spec.default
            if spec.default_factory is not _ABSENT:
                options["default_factory"] = spec.default_factory
            namespace[spec.name] = dataclasses.field(**options)
        twin: Any = dataclasses.dataclass(init=False, repr=False, eq=False)(type(owner.__name__, (), namespace))
        type.__setattr__(owner, "__dataclass_fields__", twin.__dataclass_fields__)
        type.__setattr__(owner, "__dataclass_params__", twin.__dataclass_params__)
        return getattr(owner, self.attribute)


def _refuse_assignment(self: object, name: str, value: object) -> None:
    from dataclasses import FrozenInstanceError  # here: a run that assigns nothing never imports it

    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _refuse_deletion(self: object, name: str) -> None:
    from dataclasses import FrozenInstanceError

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


def _first_init(cls: type, fields: tuple[FieldSpec, ...]) -> Callable[..., None]:
    """An `__init__` that compiles the real one, puts it on the class and runs it."""

    def __init__(self: object, *args: Any, **kwargs: Any) -> None:
        init = _compile_init(cls, fields)
        cls.__init__ = init  # type: ignore[misc]
        init(self, *args, **kwargs)

    return __init__


def _compile_init(cls: type, fields: tuple[FieldSpec, ...]) -> Callable[..., None]:
    namespace: dict[str, object] = {"_FACTORY": _FACTORY}
    params: list[str] = []
    lines: list[str] = []
    for f in fields:
        name = f.name
        slot = next(owner.__dict__[name] for owner in cls.__mro__ if name in owner.__dict__)
        namespace[f"_set_{name}"] = slot.__set__  # the slot's member descriptor (here or a base record's)
        if f.default is not _ABSENT:
            namespace[f"_default_{name}"] = f.default
            params.append(f"{name}=_default_{name}")
        elif f.default_factory is not _ABSENT:
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
