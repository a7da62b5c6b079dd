"""A name -> class registry filled by a decorator where each class is defined.

Unknown names fail with the list of known names and a "did you mean". Tasks and strategies each
own one registry; nothing central is edited to add one.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

T = TypeVar("T")


class UnknownNameError(KeyError):
    """A configured name that no registry entry or config file has."""

    def __str__(self) -> str:  # KeyError quotes its message; show it plainly
        return str(self.args[0])


def unknown_name_message(kind: str, name: str, known: Iterable[str]) -> str:
    """`unknown task 'gsm9k'; did you mean 'gsm8k'? Valid tasks: aime24, gsm8k, ...`"""
    names = sorted(set(known))
    close = difflib.get_close_matches(name, names, n=1)
    hint = f"; did you mean '{close[0]}'?" if close else "."
    return f"unknown {kind} '{name}'{hint} Valid {kind} names: {', '.join(names)}"


class Registry(Generic[T]):
    """Maps names to registered objects (classes or factories)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._items: dict[str, T] = {}

    def register(self, name: str) -> Callable[[T], T]:
        def decorate(obj: T) -> T:
            if name in self._items and self._items[name] is not obj:
                raise ValueError(f"{self.kind} '{name}' is registered twice")
            self._items[name] = obj
            return obj

        return decorate

    def get(self, name: str) -> T:
        if name not in self._items:
            raise UnknownNameError(unknown_name_message(self.kind, name, self._items))
        return self._items[name]

    def names(self) -> list[str]:
        return sorted(self._items)


def import_submodules(package_name: str, package_path: Iterable[str]) -> None:
    """Import every public module of a package so that their decorators register them."""
    import importlib
    import pkgutil

    for info in pkgutil.iter_modules(list(package_path)):
        if not info.name.startswith("_"):
            importlib.import_module(f"{package_name}.{info.name}")
