"""The API reference: HTML pages generated from the docstrings with pdoc (``evalutils api-docs --out DIR``), and
copied into the website under ``api/`` by :func:`evalutils.site.build_site`.

Only the public modules are documented (names starting with ``_`` are left out, as pdoc does by default); every
public function of :mod:`evalutils.effects` and :mod:`evalutils.productivity` and the analysis panel carries an
example that the tests run (tests/test_api_docs.py).
"""

from __future__ import annotations

from pathlib import Path

#: the modules of the reference, in the order of its index
MODULES = ("evalutils.effects", "evalutils.productivity", "evalutils.report.analysis", "evalutils.panel.analysis",
           "evalutils.measures.analysis", "evalutils.evaluate", "evalutils.errors")


def build_api_docs(out: str | Path) -> Path:
    """Write the API reference into ``out`` (created if missing); return its index page.

    Examples
    --------
    >>> import tempfile
    >>> build_api_docs(tempfile.mkdtemp()).name
    'index.html'
    """
    import pdoc  # noqa: PLC0415 - only the documentation build needs it
    import pdoc.render  # noqa: PLC0415

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    pdoc.render.configure(docformat="numpy", math=False, search=True, show_source=False,
                          footer_text="evalutils — API reference")
    pdoc.pdoc(*MODULES, output_directory=out)
    _BUILT[_key()] = out  # a website built later in this process copies this one
    return out / "index.html"


def api_files(out: str | Path) -> list[str]:
    """The files of a built API reference, relative to ``out`` (POSIX paths, sorted)."""
    out = Path(out)
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())


_BUILT: dict[str, Path] = {}  # this process's builds, by key: a site built again copies them


def _key() -> str:
    """The reference's version: the evalutils code and pdoc's version."""
    import hashlib  # noqa: PLC0415
    from importlib.metadata import version  # noqa: PLC0415

    from ..provenance import code_hash  # noqa: PLC0415

    return hashlib.sha256(f"{code_hash()} pdoc {version('pdoc')}".encode()).hexdigest()[:16]


def api_docs_cached(cache_dir: str | Path) -> Path:
    """A built API reference for the code as it is, kept in ``<cache_dir>/api/<key>`` (the key: the evalutils code
    and pdoc's version), built on first use; the directory holding it."""
    import os  # noqa: PLC0415
    import shutil  # noqa: PLC0415
    import tempfile  # noqa: PLC0415

    key = _key()
    if key in _BUILT and (_BUILT[key] / "index.html").exists():
        return _BUILT[key]
    final = Path(cache_dir) / "api" / key
    if not (final / "index.html").exists():
        final.parent.mkdir(parents=True, exist_ok=True)
        for old in final.parent.iterdir():  # earlier code versions' references
            if old.name != key and not old.name.startswith("."):
                shutil.rmtree(old, ignore_errors=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=final.parent))
        try:
            build_api_docs(tmp)
            os.replace(tmp, final)
        except OSError:
            if not (final / "index.html").exists():  # another process's build did not win the race either
                raise
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    _BUILT[key] = final
    return final
