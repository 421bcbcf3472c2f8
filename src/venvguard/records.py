"""Plain record classes: ``==``, hashing, ordering and ``repr`` from ``__slots__``.

venvguard's value types were dataclasses. ``dataclasses`` costs every run the import of
``inspect`` (with ``ast``, ``dis`` and ``tokenize``), and each class it makes is compiled
with ``exec``: together more than a small ``venvguard check`` spends on its own work. A
record instead names its fields in ``__slots__`` (in the order its ``__init__`` takes them)
and writes that ``__init__``; these bases supply the rest the way ``@dataclass`` did:

- ``Record``: ``==`` between records of the same class compares their fields, a record is
  unhashable (``@dataclass``);
- ``FrozenRecord``: also hashable (``@dataclass(frozen=True)``); immutability is left to
  ``Final`` annotations, checked by mypy;
- ``OrderedRecord``: also ``<``, ``<=``, ``>``, ``>=`` (``@dataclass(frozen=True, order=True)``).

``_compare`` names the fields that ``==``, hashing and ordering use when not all of them
(``field(compare=False)``). This module imports nothing of venvguard's, so any module may use it.
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

_R = TypeVar("_R", bound="Record")


class Record:
    """A mutable record: equal to a record of the same class with equal fields."""

    __slots__: ClassVar[tuple[str, ...]] = ()
    #: The fields ``==`` compares, when not every field.
    _compare: ClassVar[tuple[str, ...]] = ()

    def _key(self) -> tuple[Any, ...]:
        return tuple([getattr(self, name) for name in self._compare or self.__slots__])

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() == other._key()

    __hash__ = None  # type: ignore[assignment]  # unhashable, as ``__eq__`` alone would make it

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__qualname__}({fields})"

    def replace(self: _R, **changes: Any) -> _R:
        """A copy with ``changes`` by field name, made by ``__init__`` as dataclasses.replace."""
        fields = {name: getattr(self, name) for name in self.__slots__}
        fields.update(changes)
        return type(self)(**fields)


class FrozenRecord(Record):
    """An immutable record (by convention and ``Final``): hashable, by its compared fields."""

    __slots__ = ()

    def __hash__(self) -> int:  # type: ignore[override]  # None in Record
        return hash(self._key())


class OrderedRecord(FrozenRecord):
    """An immutable record ordered by its compared fields, in the order of ``__slots__``."""

    __slots__ = ()

    def __lt__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() < other._key()

    def __le__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() <= other._key()

    def __gt__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() > other._key()

    def __ge__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() >= other._key()
