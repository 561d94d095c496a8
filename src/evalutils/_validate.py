"""Argument checks shared by every estimator (bottom of the package: imports nothing from it).

>>> as_list("lemp"), as_list(["a", "b"]), as_list(None)
(['lemp'], ['a', 'b'], [])
>>> check_choice("vcov", "iid", ("iid", "hetero", "cluster"))
>>> check_choice("vcov", "HC9", ("iid", "hetero"))
Traceback (most recent call last):
...
ValueError: vcov='HC9' is not supported; choose one of 'iid', 'hetero'
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any


def as_list(value: str | Sequence[str] | None) -> list[str]:
    """A column argument (one name, several names or ``None``) as a list of names."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value)


def check_choice(name: str, value: Any, allowed: Iterable[Any]) -> None:
    """Raise ``ValueError`` listing the allowed values when ``value`` is not one of them."""
    allowed = tuple(allowed)
    if value not in allowed:
        shown = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"{name}={value!r} is not supported; choose one of {shown}")
