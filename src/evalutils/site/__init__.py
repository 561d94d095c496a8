"""The website: home, overview (sortable table and tile map of the provinces), methods, figure map and search,
in Vietnamese first and English second, around every built report; and ``publish``, which copies it into a
folder to serve and never deletes what it did not write.

Built from the run manifest (``reports/manifest.json``: the results payload each notebook displayed) and the
rendered reports; pages from Jinja2 templates (autoescaped); links relative, so the site works from ``file://``
and from any static host; nothing is loaded from another host. See docs/site.md.
"""

from __future__ import annotations

from .build import build_site, overview_csv, render_pages
from .figures import MAPPED_MODULES, Provenance, figure_map
from .markers import PUBLISH_MARKER, SITE_MARKER
from .publish import publish

__all__ = ["build_site", "publish", "figure_map", "Provenance", "MAPPED_MODULES", "PUBLISH_MARKER", "SITE_MARKER",
           "overview_csv", "render_pages"]
