"""`@record`, `field` and `replace`: the one way records are declared in ananke_ci.

`record(frozen=..., slots=...)` builds the class the stdlib's `dataclasses.dataclass` would,
cheaply. On Python 3.11 the stdlib decorator costs ~1.5 ms a class (it compiles six methods
one by one and runs inspect.signature for the docstring), and importing `dataclasses` pulls
in inspect, ast and dis: together about a third of the hook's time for the ~30 records it
loads. Here a class gets one compiled `__init__` (the same code the stdlib generates, so
building records is as fast) and shared methods, and `dataclasses` is not imported. Its
`__dataclass_fields__` are made on first use by the stdlib decorator itself, on a copy of
the class, so `dataclasses.fields`, `replace`, `asdict` and `is_dataclass` work on these
records as on any.

The decorator is declared with `typing.dataclass_transform`, so the type checker checks the
declarations against this decorator as it runs (generated `__init__`, frozen fields, `field`
as the field specifier), with no stand-in. tests/test_records.py holds it to the stdlib's
behaviour. Supported: `record(frozen=..., slots=...)` with the other options at their
defaults, and `field(default=..., default_factory=..., init=...)`. `record_fields(cls)` and
`slot_setters(cls)` are what code that builds records by other means may rely on.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from typing import Any, TypeVar, dataclass_transform, overload

_C = TypeVar("_C", bound=type)
_T = TypeVar("_T")


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "<factory>"  # how the stdlib shows a factory default in a signature


MISSING: Any = object()
_HAS_FACTORY: Any = _Missing()
_UNSUPPORTED_ANNOTATIONS = frozenset({"ClassVar", "InitVar", "KW_ONLY"})


class _FieldSpec:
    """What `field()` says (plain classes: a NamedTuple costs more to create than it saves)."""

    __slots__ = ("default", "default_factory", "init")

    def __init__(self, default: Any, default_factory: Any, init: bool) -> None:
        self.default, self.default_factory, self.init = default, default_factory, init


class _Field:
    __slots__ = ("name", "spec", "type")

    def __init__(self, name: str, type: Any, spec: _FieldSpec) -> None:
        self.name, self.type, self.spec = name, type, spec


@overload
def field(*, default: _T, init: bool = True) -> _T: ...
@overload
def field(*, default_factory: Callable[[], _T], init: bool = True) -> _T: ...
@overload
def field(*, init: bool = True) -> Any: ...


def field(*, default: Any = MISSING, default_factory: Any = MISSING, init: bool = True) -> Any:
    """`dataclasses.field` for the options records use."""
    if default is not MISSING and default_factory is not MISSING:
        raise ValueError("cannot specify both default and default_factory")
    return _FieldSpec(default, default_factory, init)


@overload
def record(cls: _C, /) -> _C: ...
@overload
def record(*, frozen: bool = False, slots: bool = False) -> Callable[[_C], _C]: ...


@dataclass_transform(field_specifiers=(field,))
def record(cls: _C | None = None, /, *, frozen: bool = False, slots: bool = False) -> Any:
    """`dataclasses.dataclass(frozen=..., slots=...)`, as `@record` or `@record(...)`."""

    def wrap(cls: _C) -> _C:
        return _process(cls, frozen=frozen, slots=slots)

    return wrap if cls is None else wrap(cls)


def replace(obj: _T, /, **changes: Any) -> _T:
    """`dataclasses.replace`: a copy of obj with `changes` (init fields only)."""
    init_names: tuple[str, ...] | None = getattr(type(obj), "_record_init_names", None)
    if init_names is None:  # a stdlib dataclass
        import dataclasses

        return dataclasses.replace(obj, **changes)  # type: ignore[type-var]
    for name in getattr(type(obj), "_record_no_init", ()):
        if name in changes:
            raise ValueError(
                f"field {name} is declared with init=False, it cannot be specified with replace()"
            )
    for name in init_names:
        if name not in changes:
            changes[name] = getattr(obj, name)
    return type(obj)(**changes)


def _fields(cls: type) -> list[_Field]:
    if any("__dataclass_fields__" in base.__dict__ for base in cls.__mro__[1:]):
        raise TypeError(f"{cls.__qualname__}: records do not inherit fields; use dataclasses")
    # the class's own annotations, without importing inspect for get_annotations
    annotations: dict[str, Any] = cls.__dict__.get("__annotations__", {})  # noqa: RUF063
    out = []
    for name, annotation in annotations.items():
        text = annotation if isinstance(annotation, str) else repr(annotation)
        if text.split("[", 1)[0].rsplit(".", 1)[-1] in _UNSUPPORTED_ANNOTATIONS:
            raise TypeError(f"{cls.__qualname__}.{name}: {text} needs dataclasses.dataclass")
        value = cls.__dict__.get(name, MISSING)
        spec = value if isinstance(value, _FieldSpec) else _FieldSpec(value, MISSING, True)
        if spec.default is not MISSING and type(spec.default).__hash__ is None:
            raise ValueError(
                f"mutable default {type(spec.default)} for field {name} is not "
                "allowed: use default_factory"
            )
        out.append(_Field(name, annotation, spec))
    for name, value in cls.__dict__.items():
        if isinstance(value, _FieldSpec) and name not in annotations:
            raise TypeError(f"{name!r} is a field but has no type annotation")
    return out


def _process(cls: _C, *, frozen: bool, slots: bool) -> _C:
    fields = _fields(cls)
    names = tuple(f.name for f in fields)
    init_names = tuple(f.name for f in fields if f.spec.init)
    own = cls.__dict__
    methods: dict[str, Any] = {
        "__init__": _init_fn(cls, fields, frozen=frozen, slots=slots),
        "__repr__": _repr_fn(names),
        "__eq__": _eq_fn(names),
        "__match_args__": init_names,
    }
    if frozen and slots:
        methods["__getstate__"], methods["__setstate__"] = _state_fns(names)
    body = dict(own)
    for name, method in methods.items():
        if name not in body:  # what the class defines itself stays, as with the stdlib
            body[name] = method
            if callable(method):
                method.__qualname__ = f"{cls.__qualname__}.{name}"
    # the stdlib's rule: a class's own __hash__ stays (Python sets it to None by itself
    # when the class defines __eq__); otherwise frozen records hash their fields, mutable
    # ones are unhashable
    if "__hash__" not in own or (own["__hash__"] is None and "__eq__" in own):
        body["__hash__"] = _hash_fn(names) if frozen else None
    if frozen:
        for name, method in zip(
            ("__setattr__", "__delattr__"), _frozen_fns(frozenset(names)), strict=True
        ):
            if name in own:
                raise TypeError(f"Cannot overwrite attribute {name} in class {cls.__name__}")
            body[name] = method
    for f in fields:
        if slots or isinstance(body.get(f.name), _FieldSpec):
            body.pop(f.name, None)
            if not slots and f.spec.default is not MISSING:
                body[f.name] = f.spec.default
    body["_record_names"] = names
    body["_record_init_names"] = init_names
    body["_record_no_init"] = tuple(f.name for f in fields if not f.spec.init)
    body["__dataclass_fields__"] = _Lazy(cls, fields, frozen, "__dataclass_fields__")
    body["__dataclass_params__"] = _Lazy(cls, fields, frozen, "__dataclass_params__")
    if not body.get("__doc__"):
        body["__doc__"] = _signature_doc(cls.__name__, fields)
    if slots:
        body["__slots__"] = names
        body.pop("__dict__", None)
        body.pop("__weakref__", None)
        new = type(cls)(cls.__name__, cls.__bases__, body)
        new.__qualname__ = cls.__qualname__
        return new
    for name, value in body.items():
        if name not in ("__dict__", "__weakref__"):
            setattr(cls, name, value)
    return cls


def _init_fn(cls: type, fields: list[_Field], *, frozen: bool, slots: bool) -> Any:
    """The stdlib's __init__: the same source, compiled once."""
    scope: dict[str, Any] = {
        "__name__": cls.__module__,
        "_setattr": object.__setattr__,
        "_HAS_FACTORY": _HAS_FACTORY,
    }
    params, lines = [], []
    for f in fields:
        default, factory, init = f.spec.default, f.spec.default_factory, f.spec.init
        value: str | None = f.name
        if factory is not MISSING:
            scope[f"_dflt_{f.name}"] = factory
            value = (
                f"_dflt_{f.name}() if {f.name} is _HAS_FACTORY else {f.name}"
                if init
                else f"_dflt_{f.name}()"
            )
        elif not init:
            value = None
            if slots and default is not MISSING:
                scope[f"_dflt_{f.name}"] = default
                value = f"_dflt_{f.name}"
        if init:
            if factory is not MISSING:
                params.append(f"{f.name}=_HAS_FACTORY")
            elif default is not MISSING:
                scope[f"_dflt_{f.name}"] = default
                params.append(f"{f.name}=_dflt_{f.name}")
            elif params and "=" in params[-1]:
                raise TypeError(f"non-default argument {f.name!r} follows default argument")
            else:
                params.append(f.name)
        if value is not None:
            lines.append(
                f"_setattr(self, {f.name!r}, {value})" if frozen else f"self.{f.name} = {value}"
            )
    if "__post_init__" in cls.__dict__:
        lines.append("self.__post_init__()")
    source = f"def __init__(self, {', '.join(params)}):\n    " + "\n    ".join(lines or ["pass"])
    exec(source, scope)  # as the stdlib builds it
    init = scope["__init__"]
    init.__annotations__ = {f.name: f.type for f in fields if f.spec.init} | {"return": None}
    return init


def _getter(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """obj -> (obj.a, obj.b, ...): what the stdlib's __eq__ and __hash__ compare."""
    if len(names) > 1:
        return attrgetter(*names)
    if names:
        get = attrgetter(names[0])
        return lambda obj: (get(obj),)
    return lambda obj: ()


def _repr_fn(names: tuple[str, ...]) -> Callable[[Any], str]:
    running: set[tuple[int, int]] = set()
    from _thread import get_ident

    def __repr__(self: Any) -> str:
        key = (id(self), get_ident())
        if key in running:  # a record that contains itself
            return "..."
        running.add(key)
        try:
            inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        finally:
            running.discard(key)
        return f"{type(self).__qualname__}({inner})"

    return __repr__


def _eq_fn(names: tuple[str, ...]) -> Callable[[Any, Any], Any]:
    values = _getter(names)

    def __eq__(self: Any, other: Any) -> Any:
        if other.__class__ is self.__class__:
            return values(self) == values(other)
        return NotImplemented

    return __eq__


def _hash_fn(names: tuple[str, ...]) -> Callable[[Any], int]:
    values = _getter(names)

    def __hash__(self: Any) -> int:
        return hash(values(self))

    return __hash__


def _frozen_fns(names: frozenset[str]) -> tuple[Callable[..., None], Callable[..., None]]:
    def __setattr__(self: Any, name: str, value: Any) -> None:
        if name in names:
            from dataclasses import FrozenInstanceError  # the error path only

            raise FrozenInstanceError(f"cannot assign to field {name!r}")
        object.__setattr__(self, name, value)

    def __delattr__(self: Any, name: str) -> None:
        if name in names:
            from dataclasses import FrozenInstanceError

            raise FrozenInstanceError(f"cannot delete field {name!r}")
        object.__delattr__(self, name)

    return __setattr__, __delattr__


def _state_fns(
    names: tuple[str, ...],
) -> tuple[Callable[[Any], list[Any]], Callable[[Any, list[Any]], None]]:
    """Pickling a frozen slotted record, as the stdlib does it."""

    def __getstate__(self: Any) -> list[Any]:
        return [getattr(self, name) for name in names]

    def __setstate__(self: Any, state: list[Any]) -> None:
        for name, value in zip(names, state, strict=False):
            object.__setattr__(self, name, value)

    return __getstate__, __setstate__


def _signature_doc(name: str, fields: list[_Field]) -> str:
    """The docstring the stdlib gives a record without one: its signature."""
    params = []
    for f in fields:
        if f.spec.init:
            text = f"{f.name}: {f.type!r}"
            if f.spec.default_factory is not MISSING:
                text += " = <factory>"
            elif f.spec.default is not MISSING:
                text += f" = {f.spec.default!r}"
            params.append(text)
    return f"{name}({', '.join(params)})"


class _Lazy:
    """`__dataclass_fields__` / `__dataclass_params__`, made on first use by running the
    stdlib decorator over a copy of the class (so they are exactly the stdlib's)."""

    def __init__(self, cls: type, fields: list[_Field], frozen: bool, attr: str) -> None:
        self.cls, self.fields, self.frozen, self.attr = cls, fields, frozen, attr

    def __get__(self, obj: object, owner: type) -> Any:
        import dataclasses

        body: dict[str, Any] = {
            "__annotations__": {f.name: f.type for f in self.fields},
            "__module__": self.cls.__module__,
            "__qualname__": self.cls.__qualname__,
        }
        for f in self.fields:
            default, factory, init = f.spec.default, f.spec.default_factory, f.spec.init
            options: dict[str, Any] = {} if init else {"init": False}
            if factory is not MISSING:
                options["default_factory"] = factory
            elif default is not MISSING:
                options["default"] = default
            if options:
                body[f.name] = dataclasses.field(**options)
        twin: type = dataclasses.dataclass(frozen=self.frozen)(type(self.cls.__name__, (), body))
        for attr in ("__dataclass_fields__", "__dataclass_params__"):
            setattr(owner, attr, getattr(twin, attr))
        return getattr(twin, self.attr)


def record_fields(cls: type) -> tuple[str, ...]:
    """The names of a record's fields, in declaration order (what `dataclasses.fields`
    gives, without importing dataclasses)."""
    names: tuple[str, ...] | None = cls.__dict__.get("_record_names")
    if names is None:
        raise TypeError(f"{cls.__qualname__} is not a record")
    return names


def slot_setters(cls: type) -> tuple[Callable[[Any, Any], None], ...]:
    """Each field's slot descriptor `__set__`, in field order: for code that builds many
    instances of a frozen slotted record without its `__init__` (analysis/rows.py)."""
    if "__slots__" not in cls.__dict__:
        raise TypeError(f"{cls.__qualname__} is not a slotted record")
    return tuple(cls.__dict__[name].__set__ for name in record_fields(cls))


__all__ = ["field", "record", "record_fields", "replace", "slot_setters"]
