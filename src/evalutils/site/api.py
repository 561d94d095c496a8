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


def place_api_docs(site: str | Path) -> list[str]:
    """Put the API reference under ``<site>/api/`` and return its site paths (``api/…``, the stamp included).

    It is rebuilt only when the code (or pdoc) changed: ``api/.evalutils-api.json`` records the version and the
    files of the reference in place. Nothing is written outside the site; a process builds it at most once per
    code version (into a temporary folder removed at exit) and copies it into each site it builds.
    """
    import atexit  # noqa: PLC0415
    import json  # noqa: PLC0415
    import shutil  # noqa: PLC0415
    import tempfile  # noqa: PLC0415

    site = Path(site)
    api = site / "api"
    stamp = api / ".evalutils-api.json"
    key = _key()
    try:
        recorded = json.loads(stamp.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        recorded = {}
    files = recorded.get("files") or []
    if recorded.get("key") != key or not all((api / f).is_file() for f in files) or not files:
        source = _BUILT.get(key)
        if source is None or not (source / "index.html").exists():
            source = Path(tempfile.mkdtemp(prefix="evalutils-api-"))
            atexit.register(shutil.rmtree, source, True)
            build_api_docs(source)
        files = api_files(source)
        for rel in files:
            (api / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source / rel, api / rel)
        stamp.write_text(json.dumps({"key": key, "files": files}, indent=1) + "\n", encoding="utf-8")
    return [f"api/{rel}" for rel in files] + [f"api/{stamp.name}"]
