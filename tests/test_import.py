"""Importing the group's files: what the seeds become, dedupe, re-import, bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.store import editing, queries
from annotator.store.importing import import_paths
from annotator.store.library import open_library
from annotator.store.paper_browser import PaperQuery, paper_ids, paper_rows
from tests.conftest import DATA, corpus_sites, seed_path
from tests.hang_guard import finishes_within
from tests.store_helpers import dump


def import_ok(lib, *paths, course=None):
    results, _ = import_paths(lib, list(paths), course)
    assert [r.error for r in results] == [""] * len(results)
    return results


def session(lib, ref):
    return queries.session_detail(lib.conn, queries.resolve_session(lib.conn, ref))


def titles(detail):
    return [r["title"] for r in detail["readings"]]


def test_seed_000_session_post(lib):
    [result] = import_ok(lib, seed_path(0))
    assert result.kind == "session_post" and result.readings == 9
    s = session(lib, seed_path(0).stem)
    assert s["title"] == "Domain Centered FMs"
    fm = s["front_matter"]
    assert (fm["notes"], fm["video"], fm["tags"]) == ("team-2", "team-2", ["1Basic"])
    assert list(fm) == ["layout", "title", "lecture", "lectureVersion", "extraContent", "notes", "video", "tags"]
    readings = s["readings"]
    assert len(readings) == 9
    assert readings[4]["title"] == "Emu Video: Factorizing Text-to-Video Generation by Explicit Image Conditioning"
    vit = next(r for r in readings if r["title"] == "Visual Instruction Tuning")
    assert vit["url"] == "" and vit["authors"].startswith("Haotian Liu")
    assert readings[-1]["title"] == "ConvNets Match Vision Transformers at Scale"
    assert readings[-1]["url"] == "" and readings[-1]["abstract"] == ""
    bloomberg = next(r for r in readings if r["title"].startswith("BloombergGPT"))
    assert bloomberg["url"] == "https://arxiv.org/abs/2303.17564"


def test_seed_001_lecture_page(lib):
    [result] = import_ok(lib, seed_path(1))
    assert result.kind == "lecture_page"
    s = session(lib, seed_path(1).stem)
    assert s["title"] == "Large Language Models"
    assert len(s["readings"]) >= 33
    gpt4 = next(r for r in s["readings"] if r["title"] == "GPT-4 Technical Report")
    assert gpt4["url"] == "https://arxiv.org/abs/2303.08774"


def test_seed_002_and_003_lists_share_two_papers(lib):
    first, second = import_ok(lib, seed_path(2), seed_path(3))
    assert first.kind == second.kind == "hf_list"
    assert first.papers_new == 230 and second.papers_new == 79 and second.papers_existing == 2
    papers = queries.list_papers(lib.conn)
    assert len(papers) == 309
    in_002 = titles_in_list(lib, seed_path(2).stem)
    assert len(in_002) == 230
    assert in_002[0] == "Do We Need Domain-Specific Embedding Models? An Empirical Investigation"
    assert not any(p["title"].startswith("Subscribe") for p in papers)
    in_003 = titles_in_list(lib, seed_path(3).stem)
    assert len(in_003) == 81 and in_003[0].startswith("SANSformers")


def titles_in_list(lib, name: str) -> list[str]:
    """The titles the Library tab shows, in list order, when paper list NAME is chosen."""
    [list_id] = [row["id"] for row in queries.paper_lists(lib.conn) if row["name"] == name]
    ids = paper_ids(lib.conn, PaperQuery(list_id=list_id))
    rows = paper_rows(lib.conn, ids)
    return [rows[paper_id].title for paper_id in ids]


def test_seed_004_slide_outline(lib):
    [result] = import_ok(lib, seed_path(4))
    assert result.kind == "slide_outline"
    s = session(lib, seed_path(4).stem)
    assert s["title"] == "Week2.2 More on LLMs" and s["date"] == "2024-01-25"
    assert "2307.06435" in [r["arxiv_id"] for r in s["readings"]]


def test_one_paper_once_across_seed_000_and_001(lib):
    import_ok(lib, seed_path(0), seed_path(1))
    papers = queries.list_papers(lib.conn)
    bloomberg = [p for p in papers if p["arxiv_id"] == "2303.17564"]
    assert len(bloomberg) == 1 and len(bloomberg[0]["sessions"]) == 2
    vit = [p for p in papers if p["title"] == "Visual Instruction Tuning"]
    assert len(vit) == 1
    assert vit[0]["url"] == "https://arxiv.org/abs/2304.08485" and vit[0]["authors"].startswith("Haotian Liu")


def test_visual_instruction_tuning_merges_in_either_order(lib):
    import_ok(lib, seed_path(1), seed_path(0))
    vit = [p for p in queries.list_papers(lib.conn) if p["title"] == "Visual Instruction Tuning"]
    assert len(vit) == 1 and vit[0]["arxiv_id"] == "2304.08485" and vit[0]["authors"].startswith("Haotian Liu")


def test_reimporting_the_same_file_adds_nothing(lib):
    import_ok(lib, seed_path(0), seed_path(2))
    before = dump(lib)
    results = import_ok(lib, seed_path(0), seed_path(2))
    assert dump(lib) == before
    assert all(r.papers_new == 0 for r in results)


def test_a_newer_version_updates_the_session_and_keeps_annotations(lib, tmp_path):
    post = tmp_path / "_contents" / "S0-L16.md"
    post.parent.mkdir()
    shutil.copy(seed_path(0), post)
    import_ok(lib, post)
    s = session(lib, "S0-L16")
    by_title = {r["title"]: r for r in queries.session_readings(lib.conn, queries.resolve_session(lib.conn, "S0-L16"))}
    editing.edit_reading(lib, by_title["Segment Anything"]["reading_id"], notes="SAM notes", team="team-5",
                         add_videos=["https://youtu.be/sam"])
    text = post.read_text(encoding="utf-8")
    newer = text.replace("lectureVersion: next", "lectureVersion: current")
    start = newer.index("### Large Language Models in Law")
    end = newer.index("### Visual Instruction Tuning")
    post.write_text(newer[:start] + newer[end:], encoding="utf-8")
    [result] = import_ok(lib, post)
    assert result.course == tmp_path.name  # the site folder holding _contents
    s = session(lib, "S0-L16")
    assert s["front_matter"]["lectureVersion"] == "current"
    assert len(s["readings"]) == 8 and "Large Language Models in Law: A Survey" not in titles(s)
    sam = next(r for r in s["readings"] if r["title"] == "Segment Anything")
    assert (sam["notes"], sam["team"], sam["videos"]) == ("SAM notes", "team-5", ["https://youtu.be/sam"])
    assert len(queries.list_sessions(lib.conn)) == 1


def test_course_comes_from_option_then_site_folder_then_parent(lib, tmp_path):
    site = tmp_path / "my-site" / "_sessions"
    site.mkdir(parents=True)
    shutil.copy(DATA / "unusual" / "crlf.md", site / "W01.1.md")
    plain = tmp_path / "loose"
    plain.mkdir()
    shutil.copy(DATA / "unusual" / "bom.md", plain / "W02.md")
    r1 = import_ok(lib, site / "W01.1.md")[0]
    r2 = import_ok(lib, plain / "W02.md")[0]
    r3 = import_ok(lib, plain / "W02.md", course="Named")[0]
    assert (r1.course, r1.session) == ("my-site", "my-site/W01.1")
    assert (r2.course, r3.course) == ("loose", "Named")


@pytest.mark.parametrize("name", sorted(p.name for p in (DATA / "unusual").iterdir()))
def test_valid_but_unusual_files_import(lib, name):
    [result] = import_ok(lib, DATA / "unusual" / name)
    assert result.readings == 2
    s = session(lib, Path(name).stem)
    assert s["readings"][0]["url"] == "https://arxiv.org/abs/2210.03629"
    if name == "duplicate_key.md":
        assert s["front_matter"]["lectureVersion"] == "current"  # the last one wins, as in Jekyll
    if name == "cjk_titles.md":
        assert s["title"] == "语言智能体的鲁棒性：评测"


BAD_FILES = {
    "binary.md": (3, "binary"),
    "latin1.md": (3, "not UTF-8"),
    "mixed_encoding.md": (6, "not UTF-8"),
    "empty.md": (1, "empty"),
    "unclosed.md": (1, "never closed"),
    "yaml_syntax.md": (5, "YAML"),
    "front_list.md": (2, "a list"),
    "front_scalar.md": (2, "single value"),
    "python_tag.md": (3, "python/object/apply"),
    "custom_tag.md": (3, "!custom/thing"),
    "billion_laughs.md": (3, "aliases"),  # the first `*a`
    "nul_bytes.md": (6, "NUL"),
    "deep_nesting.md": (4, "nesting"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_file_is_one_clear_error_and_the_good_files_still_import(tmp_path, capsys, name):
    db = str(tmp_path / "library.sqlite")
    bad = DATA / "bad" / name
    good = DATA / "unusual" / "crlf.md"
    code = finishes_within(10, lambda: main(["--db", db, "import", str(bad), str(good), "--json"]))  # (billion laughs)
    assert code == 1
    report = json.loads(capsys.readouterr().out)
    assert report["failed"] == 1
    bad_row, good_row = report["files"]
    line, reason = BAD_FILES[name]
    expected = f"{bad}: line {line}: " if line else f"{bad}: "
    assert bad_row["error"].startswith(expected) and reason in bad_row["error"]
    assert good_row["error"] == "" and good_row["readings"] == 2
    with open_library(db) as lib:
        assert [s["id"] for s in queries.list_sessions(lib.conn)] == ["crlf"]
    assert not Path("/tmp/annotator-pwned").exists()


def test_human_report_prints_error_lines_and_a_total(tmp_path, capsys):
    db = str(tmp_path / "library.sqlite")
    assert main(["--db", db, "import", str(DATA / "bad" / "unclosed.md"), str(DATA / "unusual" / "bom.md")]) == 1
    out, err = capsys.readouterr()
    assert err.strip() == f"error: {DATA / 'bad' / 'unclosed.md'}: line 1: front matter opened with '---' is never closed"
    assert out.strip().endswith("imported 1 of 2 files, 1 failed")


def test_file_over_20_mb_is_refused(tmp_path, capsys):
    big = tmp_path / "big.md"
    big.write_bytes(b"---\ntitle: big\n---\n" + b"x" * (20 * 1024 * 1024 + 1))
    assert main(["--db", str(tmp_path / "l.sqlite"), "import", str(big)]) == 1
    assert "larger than 20 MB" in capsys.readouterr().err


def test_folder_with_nothing_importable_and_missing_path(tmp_path, capsys):
    empty = tmp_path / "nothing"
    empty.mkdir()
    (empty / "picture.png").write_bytes(b"\x89PNG")
    db = str(tmp_path / "l.sqlite")
    assert main(["--db", db, "import", str(empty), str(tmp_path / "missing.md")]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [f"error: {empty}: no .md, .markdown or .txt files to import here",
                   f"error: {tmp_path / 'missing.md'}: no such file or directory"]


def test_folder_import_and_recursive(tmp_path, capsys):
    root = tmp_path / "site"
    (root / "_contents").mkdir(parents=True)
    shutil.copy(DATA / "unusual" / "crlf.md", root / "_contents" / "S1.md")
    shutil.copy(DATA / "unusual" / "tabs.md", root / "S2.markdown")
    db = str(tmp_path / "l.sqlite")
    assert main(["--db", db, "import", str(root), "--json"]) == 0
    assert [f["session"] for f in json.loads(capsys.readouterr().out)["files"]] == ["site/S2"]
    assert main(["--db", db, "import", str(root), "--recursive", "--json"]) == 0
    assert sorted(f["session"] for f in json.loads(capsys.readouterr().out)["files"]) == ["site/S1", "site/S2"]


def test_one_step_import_is_one_undo_step_and_cancel_keeps_nothing(lib):
    from annotator.store import operations
    from annotator.store.importing import ImportCancelled

    before = dump(lib)
    with pytest.raises(ImportCancelled):
        import_paths(lib, [seed_path(0), seed_path(2)], one_step=True, cancelled=lambda: len(lib.conn.execute(
            "SELECT 1 FROM sessions").fetchall()) > 0)
    assert dump(lib) == before
    results, changes = import_paths(lib, [seed_path(0), DATA / "bad" / "unclosed.md", seed_path(2)], one_step=True)
    assert [bool(r.error) for r in results] == [False, True, False]
    assert len(queries.list_papers(lib.conn)) == 239
    operations.undo(lib)
    assert dump(lib) == before


@pytest.mark.parametrize("site", corpus_sites(), ids=lambda p: p.name)
def test_every_corpus_post_imports_without_error(lib, site):
    results, _ = import_paths(lib, [site])
    assert [r.error for r in results if r.error] == []
    assert len(results) == len(list(site.glob("*.md")))


def test_newer_version_keeps_readings_added_in_the_app_and_reworded_headings(lib, tmp_path):
    post = tmp_path / "_contents" / "S1.md"
    post.parent.mkdir()
    shutil.copy(DATA / "unusual" / "crlf.md", post)
    import_ok(lib, post)
    session_id = queries.resolve_session(lib.conn, "S1")
    react, toolformer = queries.session_readings(lib.conn, session_id)
    editing.edit_reading(lib, toolformer["reading_id"], notes="Tool use notes", team="team-2")
    _, added = editing.add_reading(lib, session_id, paper=editing.Paper("Reflexion", "https://arxiv.org/abs/2303.11366"))
    editing.edit_reading(lib, added, notes="Added in the app")
    text = post.read_bytes().decode("utf-8")
    post.write_bytes(text.replace("### Toolformer: Language Models Can Teach Themselves to Use Tools",
                                  "### Toolformer (Schick et al., 2023)").encode("utf-8"))
    import_ok(lib, post)
    readings = queries.session_readings(lib.conn, session_id)
    assert [r["title"] for r in readings][-1] == "Reflexion"
    assert readings[-1]["notes"] == "Added in the app"
    moved = next(r for r in readings if "2302.04761" in r["url"])
    assert (moved["notes"], moved["team"]) == ("Tool use notes", "team-2")
    assert [r["position"] for r in readings] == [1, 2, 3]
