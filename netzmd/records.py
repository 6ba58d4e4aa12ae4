"""Fast construction of frozen, slotted dataclass records (100,000 of them in a large vault).

The `__init__` a frozen dataclass gets sets each field through `object.__setattr__`. An
object may instead be made as a plain class with the very same slots (and nothing else),
have its slots stored, and then take the record's class as its `__class__`: the same
object in half the time. `draft_of(cls)` is that plain class (for a loop that inlines the
stores); `record_builder(cls)` is a positional constructor made of it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from typing import Any, TypeVar

T = TypeVar("T")

_DRAFTS: dict[type, type] = {}
_BUILDERS: dict[type, Callable[..., Any]] = {}


def draft_of(cls: type) -> type:
    """A class with exactly `cls`'s slots and no frozen `__setattr__`."""
    draft = _DRAFTS.get(cls)
    if draft is None:
        slots = cls.__dict__.get("__slots__")
        if slots is None or cls.__bases__ != (object,):
            raise TypeError(f"{cls.__name__} is not a slotted record")
        draft = _DRAFTS[cls] = type(f"_{cls.__name__}Draft", (), {"__slots__": slots})
    return draft


def record_builder(cls: type[T]) -> Callable[..., T]:
    """A positional constructor (every field, in order) for a frozen, slotted dataclass.

    A class with a `__post_init__`, or whose fields are not all slots, gets its own
    constructor back.
    """
    built = _BUILDERS.get(cls)
    if built is None:
        built = _BUILDERS[cls] = _compile(cls)
    return built


def _compile(cls: type) -> Callable[..., Any]:
    names = [f.name for f in fields(cls)]
    slots = cls.__dict__.get("__slots__", ())
    if set(names) != set(slots) or hasattr(cls, "__post_init__"):
        return cls
    namespace: dict[str, Any] = {"new": object.__new__, "draft": draft_of(cls), "cls": cls}
    lines = [f"def build({', '.join(names)}):", "    obj = new(draft)"]
    lines += [f"    obj.{name} = {name}" for name in names]
    lines += ["    obj.__class__ = cls", "    return obj"]
    exec("\n".join(lines), namespace)
    builder: Callable[..., Any] = namespace["build"]
    return builder
