"""core.records builds the same classes as the stdlib `dataclasses`: held to it side by side."""

from __future__ import annotations

import dataclasses
import inspect
import pickle
from typing import Any

import pytest

from ananke_ci.core import records

SOURCE = '''
from __future__ import annotations

@dataclass(frozen=True, slots=True)
class Point:
    x: int
    y: int = 0
    tags: tuple[str, ...] = field(default=())

    @property
    def norm(self) -> int:
        return abs(self.x) + abs(self.y)

@dataclass(frozen=True, slots=True)
class Bag:
    """A record with factories and a field its __post_init__ computes."""

    name: str
    items: dict[str, int] = field(default_factory=dict)
    size: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "size", len(self.items))

@dataclass(frozen=True, slots=True)
class Empty:
    pass

@dataclass
class Mutable:
    n: int
    seen: list[int] = field(default_factory=list)
    label: str = "m"
'''


def build(decorator: Any, field: Any) -> dict[str, Any]:
    scope: dict[str, Any] = {"dataclass": decorator, "field": field, "__name__": __name__}
    exec(SOURCE, scope)
    return scope


STD = build(dataclasses.dataclass, dataclasses.field)
OURS = build(records.record, records.field)
SAMPLES: dict[str, list[tuple[tuple[Any, ...], dict[str, Any]]]] = {
    "Point": [((1,), {}), ((1, 2), {"tags": ("a",)})],
    "Bag": [(("b",), {}), (("b",), {"items": {"k": 1}})],
    "Empty": [((), {})],
    "Mutable": [((3,), {}), ((3, [1]), {"label": "z"})],
}


def pairs() -> list[tuple[str, Any, Any, tuple[Any, ...], dict[str, Any]]]:
    return [
        (name, STD[name], OURS[name], args, kwargs)
        for name, calls in SAMPLES.items()
        for args, kwargs in calls
    ]


@pytest.mark.parametrize(("name", "std", "ours", "args", "kwargs"), pairs())
def test_instances_behave_alike(
    name: str, std: Any, ours: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    a, b = std(*args, **kwargs), ours(*args, **kwargs)
    assert repr(a) == repr(b)
    assert dataclasses.asdict(a) == dataclasses.asdict(b)
    assert dataclasses.astuple(a) == dataclasses.astuple(b)
    assert (a == std(*args, **kwargs)) and (b == ours(*args, **kwargs))
    assert (b != a) and (b.__eq__(a) is NotImplemented)  # another class never equals
    assert std.__match_args__ == ours.__match_args__
    assert hasattr(a, "__dict__") == hasattr(b, "__dict__")
    assert getattr(std, "__slots__", None) == getattr(ours, "__slots__", None)
    assert hash_of(a) == hash_of(b)


def hash_of(obj: Any) -> int | str:
    try:
        return hash(obj)
    except TypeError as exc:  # unhashable: a mutable record, or a dict among the fields
        return str(exc)


def _is_dataclass(obj: object) -> bool:
    """dataclasses.is_dataclass without its narrowing (it would make `ours` a union)."""
    return dataclasses.is_dataclass(obj)


@pytest.mark.parametrize("name", SAMPLES)
def test_classes_describe_themselves_alike(name: str) -> None:
    std: Any = STD[name]
    ours: Any = OURS[name]
    assert _is_dataclass(ours)
    assert str(inspect.signature(std)) == str(inspect.signature(ours))
    assert std.__doc__ == ours.__doc__
    assert ours.__qualname__ == std.__qualname__ and ours.__module__ == std.__module__
    described = [
        (f.name, f.type, f.default, f.default_factory, f.init) for f in dataclasses.fields(std)
    ]
    assert [
        (f.name, f.type, f.default, f.default_factory, f.init) for f in dataclasses.fields(ours)
    ] == described
    assert ours.__dataclass_params__.frozen == std.__dataclass_params__.frozen


def test_frozen_records_refuse_changes_with_the_stdlib_error() -> None:
    point = OURS["Point"](1)
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field 'x'"):
        point.x = 2
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot delete field 'y'"):
        del point.y
    with pytest.raises(AttributeError):
        point.other = 1  # slots: no other attributes either


@pytest.mark.parametrize("replace", [records.replace, dataclasses.replace])
def test_replace_copies_and_recomputes(replace: Any) -> None:
    bag = OURS["Bag"]("b", {"k": 1})
    changed = replace(bag, items={"k": 1, "j": 2})
    assert (changed.name, changed.size, bag.size) == ("b", 2, 1)
    with pytest.raises(ValueError, match="init=False"):
        replace(bag, size=3)
    with pytest.raises(TypeError):
        replace(bag, nope=1)


def test_replace_of_a_stdlib_dataclass_is_the_stdlibs() -> None:
    assert records.replace(STD["Point"](1), y=5) == STD["Point"](1, 5)


def test_pickle_round_trips(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(globals(), "Point", OURS["Point"])  # where pickle looks it up
    point = OURS["Point"](1, 2, ("t",))
    assert pickle.loads(pickle.dumps(point)) == point


def test_factories_give_each_instance_its_own_value() -> None:
    first, second = OURS["Mutable"](1), OURS["Mutable"](2)
    first.seen.append(1)
    assert second.seen == []
    first.n = 5  # not frozen
    assert first.n == 5
    assert OURS["Mutable"].label == "m"  # without slots a default stays a class attribute


def test_slot_descriptors_are_the_fields() -> None:
    point = object.__new__(OURS["Point"])
    for name, value in (("x", 1), ("y", 2), ("tags", ())):
        OURS["Point"].__dict__[name].__set__(point, value)
    assert point == OURS["Point"](1, 2)


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("class A:\n    x: int = 1\n    y: int\n", "non-default argument 'y'"),
        ("class A:\n    x: list[int] = []\n", "mutable default"),
        ("class A:\n    x: ClassVar[int] = 1\n", "needs dataclasses"),
        ("class A:\n    x = field(default=1)\n", "no type annotation"),
    ],
)
def test_what_the_stdlib_refuses_is_refused(source: str, error: str) -> None:
    scope: dict[str, Any] = {"field": records.field}
    exec(source, scope)
    with pytest.raises((TypeError, ValueError), match=error):
        records.record(frozen=True)(scope["A"])


def test_record_fields_name_every_field_in_order() -> None:
    for name in ("Point", "Bag", "Empty", "Mutable"):
        assert records.record_fields(OURS[name]) == tuple(
            f.name for f in dataclasses.fields(STD[name])
        )
    with pytest.raises(TypeError, match="not a record"):
        records.record_fields(STD["Point"])


def test_slot_setters_build_a_record_without_its_init() -> None:
    point = OURS["Point"]
    obj = object.__new__(point)
    for setter, value in zip(records.slot_setters(point), (3, 4, ("t",)), strict=True):
        setter(obj, value)
    assert obj == point(3, 4, ("t",))
    with pytest.raises(TypeError, match="not a slotted record"):
        records.slot_setters(OURS["Mutable"])
