"""Content-keyed caches of results, stored as JSON (never pickle), in a cache directory of their own.

A cache entry is ``<cache_dir>/<name>-<key[:32]>.json``. ``key`` must change whenever the result would (callers
hash the code, the data, the options and the seed into it). Entries are written atomically; a damaged, foreign or
stale entry is recomputed and overwritten; older entries of the same ``name`` are removed; an unwritable cache
directory only makes the next run slower.

Results are encoded by :func:`encode`: numbers, strings, lists, dicts, tuples, pandas DataFrames and instances of
the dataclasses registered with :func:`register`. Decoding builds only those registered classes, so a crafted
file in the cache can give wrong numbers at worst, never run code (a pickle can).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from .atomic import atomic_write_text

T = TypeVar("T")

FORMAT_VERSION = 1
_REGISTRY: dict[str, type] = {}


def register(*classes: type) -> None:
    """Allow instances of these dataclasses in cached results (decoded by calling the class with its fields)."""
    for cls in classes:
        if not dataclasses.is_dataclass(cls):
            raise TypeError(f"{cls.__name__} is not a dataclass")
        _REGISTRY[f"{cls.__module__}.{cls.__qualname__}"] = cls


def encode(obj: Any) -> Any:
    """A JSON-ready form of ``obj`` (see the module docstring for what is allowed)."""
    if obj is None or isinstance(obj, (bool, str, int)):
        return obj
    if isinstance(obj, float):
        return obj if np.isfinite(obj) else {"__float__": repr(obj)}
    if isinstance(obj, np.generic):
        return encode(obj.item())
    if isinstance(obj, tuple):
        return {"__tuple__": [encode(v) for v in obj]}
    if isinstance(obj, list):
        return [encode(v) for v in obj]
    if isinstance(obj, dict):
        if not all(isinstance(k, str) for k in obj):
            return {"__items__": [[encode(k), encode(v)] for k, v in obj.items()]}
        return {"__dict__": {k: encode(v) for k, v in obj.items()}}
    if isinstance(obj, pd.DataFrame):
        return {"__frame__": {"columns": [encode(c) for c in obj.columns],
                              "dtypes": [str(d) for d in obj.dtypes],
                              "data": [[encode(v) for v in col] for col in (obj[c].tolist() for c in obj.columns)]}}
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        name = f"{type(obj).__module__}.{type(obj).__qualname__}"
        if name not in _REGISTRY:
            raise TypeError(f"{name} is not registered with evalutils.cache.register")
        return {"__dataclass__": name,
                "fields": {f.name: encode(getattr(obj, f.name)) for f in dataclasses.fields(obj) if f.init}}
    raise TypeError(f"cannot cache a {type(obj).__name__}")


def decode(data: Any) -> Any:
    """The object :func:`encode` was given."""
    if isinstance(data, list):
        return [decode(v) for v in data]
    if not isinstance(data, dict):
        return data
    if "__float__" in data:
        return float(data["__float__"])
    if "__tuple__" in data:
        return tuple(decode(v) for v in data["__tuple__"])
    if "__dict__" in data:
        return {k: decode(v) for k, v in data["__dict__"].items()}
    if "__items__" in data:
        return {decode(k): decode(v) for k, v in data["__items__"]}
    if "__frame__" in data:
        f = data["__frame__"]
        columns = [decode(c) for c in f["columns"]]
        frame = pd.DataFrame({i: [decode(v) for v in col] for i, col in enumerate(f["data"])},
                             columns=range(len(columns)))
        frame.columns = columns
        for c, dtype in zip(columns, f["dtypes"]):
            if dtype != "object":
                frame[c] = frame[c].astype(dtype)
        return frame
    if "__dataclass__" in data:
        cls = _REGISTRY.get(data["__dataclass__"])
        if cls is None:
            raise ValueError(f"unknown class {data['__dataclass__']!r} in a cache entry")
        return cls(**{k: decode(v) for k, v in data["fields"].items()})
    raise ValueError("not a cache entry")


def peek(cache_dir: str | Path | None, name: str, key: str, kind: type | tuple = object) -> Any:
    """The result stored under ``name`` and ``key`` by :func:`cached`, or None (none, damaged, stale or not a
    ``kind``); computes nothing."""
    if cache_dir is None:
        return None
    found = _read(Path(cache_dir) / f"{name}-{key[:32]}.json", key, kind)
    return None if found is _MISSING else found


_MISSING = object()


def _read(path: Path, key: str, kind: type | tuple) -> Any:
    """The result in the entry at ``path`` when it is whole, made with ``key`` and a ``kind``; else _MISSING."""
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
        if entry.get("format") == FORMAT_VERSION and entry.get("key") == key:
            result = decode(entry["result"])
            if isinstance(result, kind):
                return result
    except Exception:  # noqa: BLE001 - missing, damaged or foreign: computed again (and overwritten)
        pass
    return _MISSING


def cached(cache_dir: str | Path | None, name: str, key: str, compute: Callable[[], T], kind: type | tuple = object) -> T:
    """``compute()``, or its result stored under ``<cache_dir>/<name>-<key[:32]>.json`` by an earlier call.

    ``cache_dir=None`` always computes. An entry that cannot be read or is not a ``kind`` is recomputed.
    """
    if cache_dir is None:
        return compute()
    cache_dir = Path(cache_dir)
    path = cache_dir / f"{name}-{key[:32]}.json"
    found = _read(path, key, kind)
    if found is not _MISSING:
        return found
    result = compute()
    try:
        atomic_write_text(path, json.dumps({"format": FORMAT_VERSION, "key": key, "result": encode(result)},
                                           ensure_ascii=False, allow_nan=False))
        for old in cache_dir.glob(f"{name}-*.json"):
            if old != path and len(old.stem) == len(path.stem):
                old.unlink(missing_ok=True)
    except OSError:  # a read-only or full disk: the result is still right, only slower next time
        pass
    return result
