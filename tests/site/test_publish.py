"""``evalutils publish`` never deletes what it did not write (issue 15, item 7).

Real folders on disk: a reports folder with a run manifest and rendered files, a data folder beside it, and the
CLI as a user calls it. Each refusal is checked to leave every file exactly as it was."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from evalutils.cli import main
from evalutils.errors import ReportError
from evalutils.render.manifest import LOCK_NAME
PROJECT_ROOT = Path(__file__).resolve().parents[2]  # the checkout
from evalutils.site import PUBLISH_MARKER, publish

SECRET = "ParameterError: /home/official/secret-path/data/panel.parquet <b>bad</b>"


def _entry(geo: str, lang: str, slug: str, data: Path, params: Path, *, ok: bool = True) -> dict:
    return {"province": slug, "lang": lang, "geography": geo, "outcome": "built" if ok else "failed",
            "html": f"{lang}/{slug}.html" if ok else None, "error": None if ok else SECRET,
            "parameters": {"data_dir": str(data.resolve()), "params_dir": str(params.resolve())},
            "results": {"name_vi": slug.replace("-", " ").title(), "n_targets": 3,
                        "target_status_counts": {"met": 1}}}


def _doc(text: str) -> str:
    return f"<!DOCTYPE html><html><head><title>Notebook</title></head><body><main>{text}</main></body></html>"


@pytest.fixture
def project(tmp_path):
    """<tmp>/proj/{data,params,reports}: two provinces, Bạc Liêu's Vietnamese build failed."""
    proj = tmp_path / "proj"
    data, params, reports = proj / "data", proj / "params", proj / "reports"
    for d in (data, params):
        d.mkdir(parents=True)
        (d / "keep.txt").write_text("precious", encoding="utf-8")
    entries = {}
    for lang in ("vi", "en"):
        for slug in ("bac-lieu", "khanh-hoa"):
            ok = not (slug == "bac-lieu" and lang == "vi")
            entries[f"pre2025/{lang}/{slug}"] = _entry("pre2025", lang, slug, data, params, ok=ok)
            if ok:
                (reports / lang).mkdir(parents=True, exist_ok=True)
                (reports / lang / f"{slug}.html").write_text(_doc(f"{slug} {lang}"), encoding="utf-8")
    (reports / "en" / "khanh-hoa.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    (reports / "manifest.json").write_text(json.dumps({"schema": 1, "reports": entries}), encoding="utf-8")
    return proj


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _files(folder: Path) -> set[str]:
    return set(_snapshot(folder))


def test_publish_into_a_new_folder_writes_the_site_and_a_marker_listing_it(project, tmp_path):
    out = tmp_path / "public" / "site"
    assert main(["publish", "--reports", str(project / "reports"), "--to", str(out)]) == 0
    files = _files(out)
    pages = {f"{lang}/{p}.html" for lang in ("vi", "en") for p in ("index", "overview", "methods", "figures", "search")}
    assets = {f"assets/{a}" for a in ("site.css", "site.js", "search.js", "search-index.js", "report-nav.css")}
    reports = {"en/bac-lieu.html", "en/khanh-hoa.html", "en/khanh-hoa.pdf", "vi/khanh-hoa.html"}
    data = {"data/overview-pre2025.csv", "data/en/bac-lieu.json", "data/en/khanh-hoa.json", "data/vi/khanh-hoa.json"}
    api = {f for f in files if f.startswith("api/")}  # the API reference (docs/analysis.md), checked in test_api_docs
    assert {"api/index.html", "api/evalutils/effects.html"} <= api
    assert files == {"index.html", ".nojekyll", PUBLISH_MARKER} | pages | assets | reports | data | api
    marker = json.loads((out / PUBLISH_MARKER).read_text(encoding="utf-8"))
    assert set(marker["files"]) == files - {PUBLISH_MARKER}


def test_failed_report_is_not_yet_available_without_error_or_path(project, tmp_path):
    out = tmp_path / "public"
    publish(project / "reports", out)
    for lang, label in (("vi", "chưa có"), ("en", "not yet available")):
        index = (out / lang / "index.html").read_text(encoding="utf-8")
        row = index[index.index('id="pre2025-bac-lieu"'):]
        row = row[:row.index("</tr>")]
        if lang == "vi":
            assert label in row and "../en/bac-lieu.html" in row  # the other language's report instead
        else:
            assert 'href="bac-lieu.html"' in row
    for f in out.rglob("*"):
        # the API reference documents the code (its errors included), not the reports: tests/test_api_docs.py
        if f.is_file() and f.suffix in (".html", ".js", ".json", ".csv") and "api" not in f.relative_to(out).parts[:1]:
            text = f.read_text(encoding="utf-8")
            assert "failed" not in text.lower() and "ParameterError" not in text and "secret-path" not in text, f
            assert str(tmp_path) not in text, f
    assert not (out / "vi" / "bac-lieu.html").exists()


def test_republish_replaces_only_what_publish_wrote(project, tmp_path):
    out = tmp_path / "public"
    reports = project / "reports"
    publish(reports, out)
    # the user adds files of their own, at the top and inside a folder publish writes into
    (out / "CNAME").write_text("example.gov.vn", encoding="utf-8")
    (out / "en" / "notes.txt").write_text("mine", encoding="utf-8")
    # the next run no longer has Khánh Hòa's English report; Bạc Liêu's English report changed
    m = json.loads((reports / "manifest.json").read_text(encoding="utf-8"))
    del m["reports"]["pre2025/en/khanh-hoa"]
    (reports / "manifest.json").write_text(json.dumps(m), encoding="utf-8")
    (reports / "en" / "bac-lieu.html").write_text(_doc("new content"), encoding="utf-8")

    _, n = publish(reports, out)
    files = _files(out)
    assert (out / "CNAME").read_text(encoding="utf-8") == "example.gov.vn"
    assert (out / "en" / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert "<main>new content</main>" in (out / "en" / "bac-lieu.html").read_text(encoding="utf-8")
    assert "en/khanh-hoa.html" not in files and "en/khanh-hoa.pdf" not in files   # no longer published
    assert n == len(json.loads((out / PUBLISH_MARKER).read_text(encoding="utf-8"))["files"])
    assert not [f for f in files if "partial" in f]


def test_empty_folders_left_by_removed_reports_go_but_not_the_users(project, tmp_path):
    out = tmp_path / "public"
    reports = project / "reports"
    publish(reports, out)
    (out / "mine").mkdir()
    m = json.loads((reports / "manifest.json").read_text(encoding="utf-8"))
    m["reports"] = {k: v for k, v in m["reports"].items() if "/vi/" not in k}
    (reports / "manifest.json").write_text(json.dumps(m), encoding="utf-8")
    publish(reports, out)
    assert not (out / "data" / "vi").exists() and (out / "vi" / "index.html").is_file() and (out / "mine").is_dir()


def test_refuses_a_non_empty_folder_it_did_not_write(project, tmp_path, capsys):
    out = tmp_path / "theirs"
    (out / "sub").mkdir(parents=True)
    (out / "index.html").write_text("their page", encoding="utf-8")
    (out / "sub" / "x.csv").write_text("a,b", encoding="utf-8")
    before = _snapshot(out)
    assert main(["publish", "--reports", str(project / "reports"), "--to", str(out)]) == 2
    err = capsys.readouterr().err
    assert "refusing to publish" in err and str(out) in err and "not empty" in err and "what to do" in err
    assert _snapshot(out) == before


def test_an_empty_folder_it_did_not_create_is_fine(project, tmp_path):
    out = tmp_path / "empty"
    out.mkdir()
    publish(project / "reports", out)
    assert (out / "index.html").is_file()


def test_refuses_a_file_it_would_overwrite_that_it_did_not_write(project, tmp_path):
    out = tmp_path / "public"
    reports = project / "reports"
    m = json.loads((reports / "manifest.json").read_text(encoding="utf-8"))
    saved = m["reports"].pop("pre2025/en/khanh-hoa")
    (reports / "manifest.json").write_text(json.dumps(m), encoding="utf-8")
    publish(reports, out)
    (out / "en" / "khanh-hoa.html").write_text("the user's own page", encoding="utf-8")
    m["reports"]["pre2025/en/khanh-hoa"] = saved
    (reports / "manifest.json").write_text(json.dumps(m), encoding="utf-8")
    before = _snapshot(out)
    with pytest.raises(ReportError, match="not written by `evalutils publish`") as exc:
        publish(reports, out)
    assert "en/khanh-hoa.html" in str(exc.value)
    assert _snapshot(out) == before


@pytest.mark.parametrize("where", ["reports", "reports/en", "reports/site-public", "data", "data/public",
                                   "params", ".", "..", "/", "PROJECT_ROOT", "PROJECT_ROOT/.."])
def test_refuses_reports_data_project_folders_and_their_parents(project, where, capsys):
    if where.startswith("PROJECT_ROOT"):
        target = Path(where.replace("PROJECT_ROOT", str(PROJECT_ROOT)))
    elif where == "/":
        target = Path("/")
    else:
        target = project / where
    before = _snapshot(project)  # (the checkout itself changes under other work; the refusal writes nothing)
    assert main(["publish", "--reports", str(project / "reports"), "--to", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: refusing to publish into ") and "what to do" in err
    assert str(target.resolve()) in err
    assert _snapshot(project) == before
    assert not (target / PUBLISH_MARKER).exists()


def test_refuses_a_file_as_target(project, tmp_path):
    f = tmp_path / "public"
    f.write_text("a file", encoding="utf-8")
    with pytest.raises(ReportError, match="is a file"):
        publish(project / "reports", f)
    assert f.read_text(encoding="utf-8") == "a file"


def _cli(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    return subprocess.run([sys.executable, "-m", "evalutils.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_publish_to_dot(project, tmp_path):
    """`--to .` from the project folder refuses cleanly; from an empty folder (and again) it publishes."""
    reports = project / "reports"
    before = _snapshot(project)
    res = _cli(["publish", "--reports", "reports", "--to", "."], cwd=project)
    assert res.returncode == 2, res.stderr
    assert "Traceback" not in res.stderr and "refusing to publish into" in res.stderr and str(project) in res.stderr
    assert _snapshot(project) == before

    site = tmp_path / "site"
    site.mkdir()
    for _ in range(2):  # the second time it replaces its own files
        res = _cli(["publish", "--reports", str(reports), "--to", "."], cwd=site)
        assert res.returncode == 0 and "Traceback" not in res.stderr, res.stderr
        assert (site / "index.html").is_file() and (site / PUBLISH_MARKER).is_file()
    # publishing built the site in reports/site/ and changed nothing else in the project (but for the run lock
    # file it held while building, which every `evalutils run` leaves too, and the site's memo of what it wrote
    # in the reports' cache folder, reports/.cache/, as every `evalutils run --site` writes it)
    assert {k: v for k, v in _snapshot(project).items()
            if not k.startswith(("reports/site/", "reports/.cache/")) and k != f"reports/{LOCK_NAME}"} == before
    assert set(k for k in _snapshot(project) if k.startswith("reports/.cache/")) == {
        "reports/.cache/site-reports.json"}


def test_a_tampered_marker_cannot_delete_outside_the_folder(project, tmp_path):
    out = tmp_path / "public"
    publish(project / "reports", out)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    marker = out / PUBLISH_MARKER
    m = json.loads(marker.read_text(encoding="utf-8"))
    m["files"] += ["../victim.txt", str(victim), "en/../../victim.txt"]
    marker.write_text(json.dumps(m), encoding="utf-8")
    # a folder publish wrote, replaced by a link to somewhere else
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "bac-lieu.html").write_text("not yours", encoding="utf-8")
    m["files"].append("gone/bac-lieu.html")
    marker.write_text(json.dumps(m), encoding="utf-8")
    (out / "gone").symlink_to(elsewhere)
    publish(project / "reports", out)
    assert victim.read_text(encoding="utf-8") == "keep me"
    assert (elsewhere / "bac-lieu.html").read_text(encoding="utf-8") == "not yours"


def test_a_marker_not_written_by_publish_is_refused(project, tmp_path):
    out = tmp_path / "public"
    out.mkdir()
    (out / PUBLISH_MARKER).write_text('{"files": ["x"]}', encoding="utf-8")
    (out / "x").write_text("mine", encoding="utf-8")
    with pytest.raises(ReportError, match="not a marker written by"):
        publish(project / "reports", out)
    assert (out / "x").read_text(encoding="utf-8") == "mine"


def test_publish_waits_for_no_run(project, tmp_path):
    """While a run writes the reports, publish refuses (naming the run lock file) and writes nothing."""
    from evalutils.render.manifest import run_lock

    out = tmp_path / "public"
    with run_lock(project / "reports"):
        with pytest.raises(ReportError, match="another evalutils run writes the reports") as err:
            publish(project / "reports", out)
    assert err.value.file == str(project / "reports" / LOCK_NAME)
    assert not out.exists()
    publish(project / "reports", out)
    assert (out / PUBLISH_MARKER).is_file()
