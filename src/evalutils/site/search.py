"""Full-text search that works from a static host AND from ``file://``: a small index written as a JavaScript
file (``assets/search-index.js``, loaded with a ``<script>`` tag, so no ``fetch``) and read by
``assets/search.js``.

Each page (site pages and reports, both languages) is reduced to its title and the set of its distinct words,
folded so that search ignores accents and case: "Bac Lieu" finds "Bạc Liêu", "da nang" finds "Đà Nẵng". A query
matches a page when every query word begins a word of the page. Why not Pagefind: see docs/site.md.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata

_SKIP = re.compile(r"<(script|style|svg|nav)\b[^>]*>.*?</\1\s*>|<!--.*?-->", re.S | re.I)
_TAG = re.compile(r"<[^>]+>")
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.S | re.I)
_WORD = re.compile(r"[a-z0-9]+")
_RAW_WORD = re.compile(r"\w+")
_BODY = re.compile(r"<body\b", re.I)


def fold(text: str) -> str:
    """Lower case without diacritics; đ becomes d (it is a letter of its own, not an accent)."""
    text = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    return "".join(c for c in text if not unicodedata.combining(c))


def page_text(document: str) -> tuple[str, str]:
    """(title, visible text) of an HTML document: scripts, styles, images and navigation left out."""
    m = _TITLE.search(document)
    title = html.unescape(_TAG.sub("", m.group(1))).strip() if m else ""
    body = _BODY.search(document)
    text = _TAG.sub(" ", _SKIP.sub(" ", document[body.start():] if body else document))
    return title, html.unescape(text)


def words(text: str) -> list[str]:
    """Distinct folded words of two or more characters, in order of first appearance."""
    out: dict[str, None] = {}
    for raw in dict.fromkeys(_RAW_WORD.findall(text.lower())):   # fold each distinct word once
        for w in _WORD.findall(fold(raw)):
            if len(w) > 1:
                out[w] = None
    return list(out)


def index_entry(url: str, lang: str, kind: str, document: str, *, extra: str = "") -> dict:
    title, text = page_text(document)
    return {"u": url, "l": lang, "k": kind, "t": title, "w": " ".join(words(f"{title} {extra} {text}"))}


def index_script(entries: list[dict]) -> str:
    """The index as a JavaScript file that sets ``window.EVALUTILS_SEARCH``."""
    data = json.dumps(entries, ensure_ascii=False, separators=(",", ":"))
    return "window.EVALUTILS_SEARCH = " + data.replace("</", "<\\/") + ";\n"
