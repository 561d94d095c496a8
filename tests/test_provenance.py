"""File digests: computed once while a file is unchanged, remembered between processes in the cache directory,
and computed again whenever the contents may have changed (even with the old size and modification time)."""

from __future__ import annotations

import hashlib
import json
import os

import pytest

from evalutils import provenance
from evalutils.provenance import DIGESTS_FILE, FileHasher


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_a_remembered_digest_is_not_read_again(tmp_path, monkeypatch):
    f = tmp_path / "panel.parquet"
    f.write_bytes(b"a" * 5000)
    cache = tmp_path / "cache"
    assert FileHasher(store=cache)(f) == _sha(b"a" * 5000)
    stored = json.loads((cache / DIGESTS_FILE).read_text(encoding="utf-8"))
    assert stored[str(f.resolve())][4] == _sha(b"a" * 5000)

    def no_read(*args, **kwargs):
        raise AssertionError("the file was read again")

    monkeypatch.setattr(provenance, "open", no_read, raising=False)
    assert FileHasher(store=cache)(f) == _sha(b"a" * 5000)  # another process: from the store
    with pytest.raises(AssertionError, match="read again"):
        FileHasher()(f)  # without a store it must read: the check above is not vacuous


def test_a_rewrite_with_the_old_size_and_time_is_hashed_again(tmp_path):
    f = tmp_path / "participation.csv"
    f.write_bytes(b"firm,2022\n")
    cache = tmp_path / "cache"
    assert FileHasher(store=cache)(f) == _sha(b"firm,2022\n")
    st = f.stat()
    f.write_bytes(b"firm,2023\n")  # same size
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns))  # the old modification time restored
    assert f.stat().st_size == st.st_size and f.stat().st_mtime_ns == st.st_mtime_ns
    assert FileHasher(store=cache)(f) == _sha(b"firm,2023\n")


def test_a_damaged_store_only_costs_a_new_hash(tmp_path):
    f = tmp_path / "x.csv"
    f.write_bytes(b"1,2,3\n")
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / DIGESTS_FILE).write_text("[not a dict", encoding="utf-8")
    assert FileHasher(store=cache)(f) == _sha(b"1,2,3\n")
    # a forged entry with another file's stamp is not used for this file
    (cache / DIGESTS_FILE).write_text(json.dumps({str(f.resolve()): [1, 2, 3, 4, "0" * 64]}), encoding="utf-8")
    assert FileHasher(store=cache)(f) == _sha(b"1,2,3\n")


def test_processes_merge_their_digests(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_bytes(b"A")
    b.write_bytes(b"B")
    cache = tmp_path / "cache"
    one, two = FileHasher(store=cache), FileHasher(store=cache)  # both read the (empty) store first
    one(a)
    two(b)
    stored = json.loads((cache / DIGESTS_FILE).read_text(encoding="utf-8"))
    assert {k: v[4] for k, v in stored.items()} == {str(a.resolve()): _sha(b"A"), str(b.resolve()): _sha(b"B")}
