"""Render an executed notebook to HTML (nbconvert), written under a temporary name and renamed into place."""

from __future__ import annotations

from pathlib import Path

from ..atomic import atomic_write
from .export import TEMPLATE_DIR, TEMPLATE_NAME, export_settings
from .task import partial_name


def render_html(notebook_path: Path, html_path: Path) -> None:
    """Render an executed notebook to self-contained HTML without code or the injected parameters."""
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    nb = nbformat.read(notebook_path, as_version=4)
    settings = export_settings(nb)  # lang, "‹Province› — ‹title›", first navigation; template loads nothing remote
    nb.metadata["title"] = settings["title"]
    exporter = HTMLExporter(template_name=TEMPLATE_NAME, extra_template_basedirs=[str(TEMPLATE_DIR)],
                            language_code=settings["lang"])
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    tag_remover = TagRemovePreprocessor(remove_cell_tags={"parameters", "injected-parameters", "remove-cell"}, enabled=True)
    exporter.register_preprocessor(tag_remover, enabled=True)
    body, _ = exporter.from_notebook_node(nb, resources={"evalutils": settings})
    atomic_write(html_path, lambda tmp: tmp.write_text(body, encoding="utf-8"), temporary=partial_name)
