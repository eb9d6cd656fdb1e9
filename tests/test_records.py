"""irsalint.core.fast_init: the hot records' own __init__ builds what the dataclass one built."""

from __future__ import annotations

import dataclasses
import inspect
import pickle
from dataclasses import dataclass, field

import pytest

import irsalint.discover  # noqa: F401 - the modules that register records
import irsalint.graph  # noqa: F401
import irsalint.project  # noqa: F401
from irsalint.core import FAST_RECORDS, fast_init


def test_the_hot_records_are_registered() -> None:
    names = {cls.__qualname__ for cls in FAST_RECORDS}
    assert {"Location", "Traversal", "Template", "Attribute", "Block", "Value", "ServiceAccount", "K8sFile",
            "TfFile", "SourceFile"} <= names


@pytest.mark.parametrize("cls", FAST_RECORDS, ids=lambda c: c.__qualname__)
def test_a_fast_record_keeps_its_signature_fields_and_frozenness(cls: type) -> None:
    fields = dataclasses.fields(cls)
    parameters = list(inspect.signature(cls).parameters.values())
    assert [p.name for p in parameters] == [f.name for f in fields]
    assert [p.default for p in parameters] == [
        inspect.Parameter.empty if f.default is dataclasses.MISSING else f.default for f in fields
    ]
    values = [object() for _ in fields]  # distinct markers: each must land in its own field
    record = cls(*values)
    assert [getattr(record, f.name) for f in fields] == values
    by_keyword = cls(**{f.name: v for f, v in zip(fields, values)})
    assert [getattr(by_keyword, f.name) for f in fields] == values
    if fields:
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(record, fields[0].name, None)
        changed = dataclasses.replace(record, **{fields[0].name: "x"})
        assert getattr(changed, fields[0].name) == "x" and getattr(record, fields[0].name) is values[0]


def test_a_fast_record_round_trips_through_pickle() -> None:
    from irsalint.load.hcl import Attribute, Literal, Traversal
    from irsalint.model import Location

    loc = Location("main.tf", 3, 5, 3, 9)
    attribute = Attribute("name", Traversal("var", ("x", 0), loc), Location("main.tf", 3))
    assert pickle.loads(pickle.dumps(attribute)) == attribute
    assert Location("a.tf", 1) == Location("a.tf", 1, 1, 0, 0) and Literal(None, loc).value is None


def test_fast_init_refuses_what_it_cannot_build_alike() -> None:
    @dataclass(slots=True)
    class Mutable:
        a: int

    @dataclass(frozen=True, slots=True)
    class Checked:
        a: int

        def __post_init__(self) -> None:
            pass

    @dataclass(frozen=True, slots=True)
    class Factory:
        a: list[int] = field(default_factory=list)

    @dataclass(frozen=True)
    class NoSlots:
        a: int

    for cls in (Mutable, Checked, Factory, NoSlots):
        with pytest.raises(TypeError):
            fast_init(cls)
