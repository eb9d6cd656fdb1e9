"""irsalint.record: `@record` classes behave as `@dataclass(frozen=True, slots=True)` ones do.

Every record of the package is compared with a twin that dataclasses builds from the same fields,
and hypothesis draws more classes (fields, defaults, factories, compare/repr flags, values)."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pickle
import pkgutil
from dataclasses import FrozenInstanceError, dataclass, field
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import irsalint
from irsalint.record import _refuse_assignment, ordered_record, record


def _package_records() -> list[type]:
    found: dict[str, type] = {}
    for module_info in pkgutil.walk_packages(irsalint.__path__, "irsalint."):
        if module_info.name.endswith("__main__"):  # runs the command line
            continue
        module = importlib.import_module(module_info.name)
        for value in vars(module).values():
            if isinstance(value, type) and value.__module__ == module.__name__ \
                    and value.__dict__.get("__setattr__") is _refuse_assignment:
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return [found[name] for name in sorted(found)]


RECORDS = _package_records()


def _twin(cls: type) -> type:
    """The same fields, made by dataclasses (frozen, slots, and ordered if `cls` is)."""
    specs = []
    for f in dataclasses.fields(cls):
        options: dict[str, Any] = {"compare": f.compare, "repr": f.repr, "hash": f.hash}
        if f.default is not dataclasses.MISSING:
            options["default"] = f.default
        if f.default_factory is not dataclasses.MISSING:
            options["default_factory"] = f.default_factory
        specs.append((f.name, f.type, field(**options)))
    ordered = "__lt__" in cls.__dict__
    twin: type = dataclasses.make_dataclass(cls.__name__, specs, frozen=True, slots=True, order=ordered)
    twin.__qualname__ = cls.__qualname__
    return twin


def _same_behaviour(cls: type, twin: type, first: list[Any], second: list[Any]) -> None:
    """`cls` and `twin` built from the same values agree on everything a caller can see."""
    names = [f.name for f in dataclasses.fields(cls)]
    mine, theirs = cls(*first), twin(*first)
    assert [getattr(mine, n) for n in names] == [getattr(theirs, n) for n in names] == first
    assert repr(mine) == repr(theirs)
    assert hash(mine) == hash(theirs)
    assert mine == cls(**dict(zip(names, first))) and not mine != cls(*first)
    other_mine, other_theirs = cls(*second), twin(*second)
    assert (mine == other_mine) == (theirs == other_theirs)
    assert (mine == theirs) is False  # another class: never equal, as between two dataclasses
    if "__lt__" in cls.__dict__:
        for relation in ("__lt__", "__le__", "__gt__", "__ge__"):
            assert getattr(mine, relation)(other_mine) == getattr(theirs, relation)(other_theirs)
    assert str(inspect.signature(cls)) == str(inspect.signature(twin))  # once built: the compiled __init__
    if names:
        with pytest.raises(FrozenInstanceError):
            setattr(mine, names[0], None)
        with pytest.raises(FrozenInstanceError):
            delattr(mine, names[0])
        changed = dataclasses.replace(mine, **{names[0]: second[0]})
        assert getattr(changed, names[0]) == second[0] and getattr(mine, names[0]) == first[0]
    assert pickle.loads(pickle.dumps(mine)) == mine
    assert dataclasses.is_dataclass(mine) and dataclasses.astuple(mine) == dataclasses.astuple(theirs)
    assert cls.__match_args__ == twin.__match_args__  # type: ignore[attr-defined]
    assert not hasattr(mine, "__dict__")  # slots


def test_the_package_records_are_found() -> None:
    names = {cls.__qualname__ for cls in RECORDS}
    assert {"Location", "Traversal", "Template", "Attribute", "Block", "Value", "ServiceAccount", "K8sFile",
            "TfFile", "SourceFile", "Finding", "ProjectSummary"} <= names
    assert len(RECORDS) > 100


@pytest.mark.parametrize("cls", RECORDS, ids=lambda c: f"{c.__module__}.{c.__qualname__}")
def test_a_package_record_behaves_as_its_dataclass_twin(cls: type) -> None:
    fields = dataclasses.fields(cls)
    first = [f"{f.name}-1" for f in fields]  # distinct, hashable, comparable values: each in its own field
    second = [f"{f.name}-2" for f in fields]
    _same_behaviour(cls, _twin(cls), first, second)


def test_defaults_and_default_factories_are_applied_per_instance() -> None:
    @record
    class WithDefaults:
        name: str
        count: int = 3
        tags: list[str] = field(default_factory=list)

    one, two = WithDefaults("a"), WithDefaults("b")
    assert (one.count, one.tags) == (3, []) and one.tags is not two.tags
    assert WithDefaults("a", tags=["x"]).tags == ["x"]
    with pytest.raises(TypeError):
        WithDefaults()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        WithDefaults("a", 1, [], "extra")  # type: ignore[call-arg]


def test_the_class_own_methods_win() -> None:
    @record
    class Own:
        a: int

        def __repr__(self) -> str:
            return "own"

        def __eq__(self, other: object) -> bool:
            return True

        def __hash__(self) -> int:
            return 7

    assert repr(Own(1)) == "own" and Own(1) == Own(2) and hash(Own(1)) == 7

    @record
    class EqOnly:  # __eq__ without __hash__: the record's hash, as dataclasses gives one
        a: int

        def __eq__(self, other: object) -> bool:
            return isinstance(other, EqOnly) and self.a == other.a

    assert hash(EqOnly(1)) == hash((1,))


def test_what_cannot_be_built_alike_is_refused() -> None:
    class Checked:
        a: int

        def __post_init__(self) -> None:
            pass

    class KeywordOnly:
        a: int = field(kw_only=True)

    class NotInInit:
        a: int = field(init=False, default=0)

    class OwnSetattr:
        a: int

        def __setattr__(self, name: str, value: object) -> None:
            pass

    for cls in (Checked, KeywordOnly, NotInInit, OwnSetattr):
        with pytest.raises(TypeError):
            record(cls)


_VALUES = st.one_of(st.integers(-5, 5), st.text(max_size=3), st.none(), st.tuples(st.integers(0, 3)))


@st.composite
def _classes(draw: st.DrawFn) -> tuple[type, type, list[Any], list[Any]]:
    count = draw(st.integers(0, 6))
    defaults_from = draw(st.integers(0, count))  # fields with a default come after those without
    ordered = draw(st.booleans())
    namespace: dict[str, Any] = {"__annotations__": {}, "__doc__": "drawn"}
    for index in range(count):
        name = f"f{index}"
        namespace["__annotations__"][name] = "Any"
        options: dict[str, Any] = {"compare": draw(st.booleans()), "repr": draw(st.booleans())}
        if index >= defaults_from:
            if draw(st.booleans()):
                options["default"] = draw(_VALUES)
            else:
                options["default_factory"] = tuple
        namespace[name] = field(**options)
    mine = (ordered_record if ordered else record)(type("Drawn", (), dict(namespace)))
    twin = dataclass(frozen=True, slots=True, order=ordered)(type("Drawn", (), dict(namespace)))
    # values of one type per field position, so that ordered comparisons are defined alike
    kinds = [draw(st.sampled_from([st.integers(-5, 5), st.text(max_size=3)])) for _ in range(count)]
    first = [draw(kind) for kind in kinds]
    second = [draw(kind) for kind in kinds]
    return mine, twin, first, second


@given(_classes())
def test_drawn_records_behave_as_dataclasses(drawn: tuple[type, type, list[Any], list[Any]]) -> None:
    mine, twin, first, second = drawn
    globals()["Drawn"] = mine  # where pickle looks the class up
    _same_behaviour(mine, twin, first, second)
    names = [f.name for f in dataclasses.fields(mine)]
    defaulted = [f.name for f in dataclasses.fields(mine)
                 if f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING]
    required = first[: len(names) - len(defaulted)]
    assert repr(mine(*required)) == repr(twin(*required))  # the defaults, applied alike


def test_more_of_what_dataclasses_would_refuse_or_treat_apart_is_refused() -> None:
    from typing import ClassVar  # noqa: F401 - named by the annotation below

    from irsalint.record import field as record_field

    class WithClassVar:
        a: int
        shared: ClassVar[int] = 0

    class MutableDefault:
        a: list[int] = []  # the mistake under test

    class DefaultFirst:
        a: int = 0
        b: int

    class OwnSlots:
        __slots__ = ("a",)
        a: int

    for cls in (WithClassVar, OwnSlots):
        with pytest.raises(TypeError):
            record(cls)
    with pytest.raises(ValueError):
        record(MutableDefault)
    with pytest.raises(TypeError):
        record(DefaultFirst)
    with pytest.raises(ValueError):
        record_field(default=1, default_factory=list)


def test_records_are_made_used_and_pickled_without_importing_dataclasses() -> None:
    """The dataclasses view (`__dataclass_fields__`) is made only when something reads it."""
    import subprocess
    import sys

    probe = (
        "import pickle, sys\n"
        "from irsalint.record import field, record, replace\n"
        "@record\nclass R:\n    a: int\n    b: tuple = field(default=(), compare=False)\n"
        "r = replace(R(1), b=(2,))\n"
        "assert pickle.loads(pickle.dumps(r)) == R(1) and r.b == (2,) and R.__match_args__ == ('a', 'b')\n"
        "print('dataclasses' in sys.modules)\n"
        "import dataclasses\n"
        "print([f.name for f in dataclasses.fields(r)], dataclasses.fields(R)[1].compare,\n"
        "      dataclasses.replace(r, a=3).a, dataclasses.is_dataclass(R))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == ["False", "['a', 'b'] False 3 True"]
