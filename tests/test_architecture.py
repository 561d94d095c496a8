"""The package's import structure: no cycle among its modules, and every arrow points down the layers.

Imports are read with ``ast`` from the source, at every depth (an import inside a function counts: hiding one
there does not make a circle go away). See docs/architecture.md for the layers.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "evalutils"

# Layers, lowest first. A module may import modules of its own component (a package such as ``panel``, or the
# bottom layer as a whole) and of any lower layer; never of a higher layer or of another component of its layer.
LAYERS: list[set[str]] = [
    {"__init__", "_dist", "_processes", "_validate", "atomic", "cache", "errors", "geography", "i18n", "provenance"},
    {"panel", "effects", "productivity"},  # raw files -> tables | estimators (generic: they know no file or schema)
    {"measures"},
    {"evaluate"},
    {"report"},
    {"render"},
    {"site"},
    {"cli", "__main__"},
]
BOTTOM = 0


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py")) if "__pycache__" not in p.parts}


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The module ``name`` names, or the longest prefix of it that is a module (``pkg.module.attr`` -> module)."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in modules:
            return candidate
        parts.pop()
    return None


def _imports(module: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """Modules of the package that ``module`` imports, anywhere in its source."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base if is_package else base[:-1]
                base = base[:len(base) - (node.level - 1)]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module or ""
            # ``from pkg import name``: name may be a submodule or an attribute of the package
            targets = [f"{origin}.{a.name}" for a in node.names]
        else:
            continue
        for target in targets:
            if target.split(".")[0] != "evalutils":
                continue
            found = _resolve(target, modules)
            if found and found != module:
                out.add(found)
    return out


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {m: _imports(m, p, modules) for m, p in modules.items()}


def _component(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _layer(component: str) -> int:
    for i, layer in enumerate(LAYERS):
        if component in layer:
            return i
    raise AssertionError(f"evalutils.{component} is in no layer: add it to LAYERS in {__file__} "
                         "and to docs/architecture.md")


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_the_reader_sees_every_kind_of_import():
    """The parser itself: relative, absolute, function-level and ``from pkg import module`` imports all count."""
    graph = _graph()
    assert "evalutils.errors" in graph["evalutils.effects.did"]            # from evalutils.errors import ...
    assert "evalutils._dist" in graph["evalutils.effects.did"]             # from .. import _dist
    assert "evalutils.panel.io" in graph["evalutils.measures.aggregates"]  # from ..panel.io import ...
    assert "evalutils.render.runner" in graph["evalutils.cli"]             # inside a function
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycle():
    cycles = _cycles(_graph())
    assert not cycles, "import cycles among the package's modules:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_every_arrow_points_down():
    upward = []
    for module, targets in _graph().items():
        src = _component(module)
        for target in sorted(targets):
            dst = _component(target)
            if src == dst or module == "evalutils":
                continue
            ls, ld = _layer(src), _layer(dst)
            if ld > ls or (ld == ls and ls != BOTTOM):
                upward.append(f"{module} -> {target} (layer {ls} imports layer {ld})")
    assert not upward, "imports against the layers (see docs/architecture.md):\n" + "\n".join(upward)


@pytest.mark.parametrize("bad", ["up", "sideways"])
def test_the_layer_check_can_fail(bad):
    """A panel module importing the report, or the effects importing the panel, is caught by the rule above."""
    src, dst = ("panel", "report") if bad == "up" else ("effects", "panel")
    ls, ld = _layer(src), _layer(dst)
    assert ld > ls or (ld == ls and ls != BOTTOM)


def test_every_setting_of_defaults_is_read():
    """A setting in params/defaults.yml that no code reads is a promise the suite does not keep."""
    import re

    from evalutils.panel.params import Defaults

    source = "\n".join(p.read_text(encoding="utf-8") for p in sorted(PACKAGE.rglob("*.py"))
                       if p.name != "params.py")
    unread = [name for name in Defaults.model_fields if not re.search(rf"\.{name}\b", source)]
    assert not unread, f"settings of defaults.yml read nowhere: {unread} (use them or remove them)"
