"""Export: byte-identical when unedited (whole corpus), minimal diffs when edited, safe file names."""

from __future__ import annotations

import difflib
import json
import shutil
import time
from pathlib import Path

import pytest
import yaml

from annotator.cli import main
from annotator.store import queries
from annotator.store.exporting import export_sessions
from annotator.store.importing import import_paths
from annotator.store.library import open_library
from tests.conftest import DATA, corpus_sites, seed_path


def changed_lines(before: str, after: str) -> tuple[int, int]:
    """(lines removed, lines added), as `git diff --stat` counts them."""
    removed = added = 0
    for line in difflib.ndiff(before.splitlines(keepends=True), after.splitlines(keepends=True)):
        removed += line.startswith("- ")
        added += line.startswith("+ ")
    return removed, added


def cli(db: Path, *args: str) -> str:
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["--db", str(db), *args])
    assert code == 0, out.getvalue()
    return out.getvalue()


@pytest.mark.parametrize("site", corpus_sites(), ids=lambda p: p.name)
def test_every_corpus_post_exports_byte_identical(tmp_path, site):
    with open_library(tmp_path / "library.sqlite") as lib:
        results, _ = import_paths(lib, [site])
        assert not [r.error for r in results if r.error]
        ids = [s["row_id"] for s in queries.list_sessions(lib.conn)]
        started = time.perf_counter()
        exported = export_sessions(lib.conn, ids, tmp_path / "out")
        elapsed = time.perf_counter() - started
    assert len(exported) == len(list(site.glob("*.md")))
    for result in exported:
        path = Path(result.path)
        original = site / path.name
        assert path.read_bytes() == original.read_bytes(), f"{path.name} changed on export"
    print(f"{site.name}: {len(exported)} posts exported in {elapsed:.2f} s")


def test_seeds_000_and_001_export_byte_identical(tmp_path):
    db = tmp_path / "library.sqlite"
    cli(db, "import", str(seed_path(0)), str(seed_path(1)))
    cli(db, "export", "--all", "--out", str(tmp_path / "out"))
    for number in (0, 1):
        exported = tmp_path / "out" / f"{seed_path(number).stem}.md"
        assert exported.read_bytes() == seed_path(number).read_bytes()


@pytest.mark.parametrize("name", sorted(p.name for p in (DATA / "unusual").iterdir()))
def test_unusual_files_export_byte_identical(tmp_path, name):
    db = tmp_path / "library.sqlite"
    cli(db, "import", str(DATA / "unusual" / name))
    cli(db, "export", "--all", "--out", str(tmp_path / "out"))
    assert (tmp_path / "out" / name).read_bytes() == (DATA / "unusual" / name).read_bytes()


@pytest.fixture
def seed_db(tmp_path):
    site = tmp_path / "site" / "_contents"
    site.mkdir(parents=True)
    shutil.copy(seed_path(0), site / "S0-L16.md")
    db = tmp_path / "library.sqlite"
    cli(db, "import", str(site / "S0-L16.md"))
    return db, site / "S0-L16.md"


def export_text(db: Path, out: Path) -> str:
    cli(db, "export", "S0-L16", "--out", str(out))
    return (out / "S0-L16.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "edit, expected",
    [
        (["--set", "lectureVersion=current"], (1, 1)),
        (["--set", "lecture=W9: domain LLMs"], (1, 1)),
        (["--title", "Domain-centred foundation models"], (1, 1)),
        (["--set", "desc=2024-S16"], (0, 1)),
        (["--unset", "extraContent"], (1, 0)),
        (["--reading", "1", "--team", "team-3"], (0, 1)),
        (["--reading", "Segment Anything", "--add-video", "https://youtu.be/a", "--add-video", "https://youtu.be/b"], (0, 2)),
    ],
)
def test_one_edit_changes_only_its_own_lines(seed_db, tmp_path, edit, expected):
    db, original = seed_db
    cli(db, "edit", "S0-L16", *edit)
    after = export_text(db, tmp_path / "out")
    assert changed_lines(original.read_text(encoding="utf-8"), after) == expected


def test_quoting_only_when_yaml_needs_it(seed_db, tmp_path):
    db, _ = seed_db
    cli(db, "edit", "S0-L16", "--set", "lecture=W9: domain", "--set", "desc=plain words", "--set", "term=2024",
        "--set", "extra=yes", "--set", "platform=#hashtag", "--set", "morenotes=2024-01-25")
    text = export_text(db, tmp_path / "out")
    lines = text.splitlines()
    assert "desc: plain words" in lines
    for key, value in {"lecture": "W9: domain", "term": "2024", "extra": "yes", "platform": "#hashtag",
                       "morenotes": "2024-01-25"}.items():
        line = next(x for x in lines if x.startswith(f"{key}:"))
        assert line != f"{key}: {value}", f"{line!r} needs quotes"
    front = yaml.safe_load(text.split("---\n")[1])
    assert front["lecture"] == "W9: domain" and front["term"] == "2024" and front["extra"] == "yes"
    assert front["platform"] == "#hashtag" and front["morenotes"] == "2024-01-25"


def test_notes_go_to_the_blog_part_once(seed_db, tmp_path):
    db, original = seed_db
    cli(db, "edit", "S0-L16", "--reading", "BloombergGPT", "--notes", "Finance needs its own model.\n\n- 363B tokens")
    cli(db, "edit", "S0-L16", "--reading", "Segment Anything", "--notes", "SA-1B has 1B masks.")
    after = export_text(db, tmp_path / "out")
    assert after.startswith(original.read_text(encoding="utf-8").rstrip("\n"))
    assert after.count("<!--excerpt.start-->") == 1
    blog = after.split("<!--excerpt.start-->")[1]
    assert "## BloombergGPT: A Large Language Model for Finance" in blog and "SA-1B has 1B masks." in blog


def test_round_trip_gives_back_annotations_and_the_same_bytes(seed_db, tmp_path):
    db, _ = seed_db
    cli(db, "edit", "S0-L16", "--reading", "1", "--team", "team-3", "--add-video", "https://youtu.be/x1",
        "--notes", "Notes on *BloombergGPT*.")
    cli(db, "edit", "S0-L16", "--reading", "Visual Instruction Tuning", "--team", "team-1")
    cli(db, "edit", "S0-L16", "--set", "lectureVersion=current", "--set", "tags=1Basic, FMAdapt")
    first = tmp_path / "first" / "_contents"
    first.mkdir(parents=True)
    cli(db, "export", "S0-L16", "--out", str(first))
    shown = json.loads(cli(db, "show", "S0-L16", "--json"))
    db2 = tmp_path / "second.sqlite"
    cli(db2, "import", str(first / "S0-L16.md"))
    again = json.loads(cli(db2, "show", "S0-L16", "--json"))
    assert again["front_matter"] == shown["front_matter"]
    strip = lambda detail: [(r["title"], r["team"], r["videos"], r["notes"]) for r in detail["readings"]]  # noqa: E731
    assert strip(again) == strip(shown)
    cli(db2, "export", "S0-L16", "--out", str(tmp_path / "second"))
    assert (tmp_path / "second" / "S0-L16.md").read_bytes() == (first / "S0-L16.md").read_bytes()


def test_exported_post_parses_with_pyyaml_to_what_the_app_shows(seed_db, tmp_path):
    db, _ = seed_db
    cli(db, "edit", "S0-L16", "--title", "Größe: \"quotes\" & #tags — 模型", "--set", "video=team-4")
    text = export_text(db, tmp_path / "out")
    front = yaml.safe_load(text.split("---\n")[1])
    shown = json.loads(cli(db, "show", "S0-L16", "--json"))
    assert front["title"] == shown["front_matter"]["title"] == "Größe: \"quotes\" & #tags — 模型"
    assert front["video"] == "team-4" and front["tags"] == ["1Basic"]


def test_new_session_exports_in_the_layout_of_seed_000(tmp_path):
    db = tmp_path / "library.sqlite"
    cli(db, "new-session", "GenAI/S0-L29", "--title", "Agents: planning & tools", "--date", "2024-04-01")
    cli(db, "add-reading", "S0-L29", "--title", "ReAct: Synergizing Reasoning and Acting", "--url",
        "https://arxiv.org/abs/2210.03629")
    cli(db, "edit", "S0-L29", "--reading", "1", "--team", "team-2")
    cli(db, "edit", "S0-L29", "--set", "video=team-2", "--set", "notes=team-5", "--set", "tags=Agents")
    text = export_text_for(db, "S0-L29", tmp_path / "out", "S0-L29.md")
    lines = text.splitlines()
    keys = [line.split(":")[0] for line in lines[1: lines.index("---", 1)] if not line.startswith("-")]
    assert keys[:8] == ["layout", "title", "lecture", "lectureVersion", "extraContent", "notes", "video", "tags"]
    assert "In this session, our readings cover: " in lines or "In this session, our readings cover:" in lines
    assert "## Required Readings:" in [x.rstrip() for x in lines]
    assert "### ReAct: Synergizing Reasoning and Acting" in lines
    assert "  + https://arxiv.org/abs/2210.03629" in lines and "  + Team: team-2" in lines
    front = yaml.safe_load(text.split("---\n")[1])
    assert front["title"] == "Agents: planning & tools" and front["tags"] == ["Agents"]
    db2 = tmp_path / "again.sqlite"
    cli(db2, "import", str(tmp_path / "out" / "S0-L29.md"))
    again = json.loads(cli(db2, "show", "S0-L29", "--json"))
    assert again["readings"][0]["team"] == "team-2" and again["title"] == "Agents: planning & tools"


def export_text_for(db: Path, ref: str, out: Path, name: str) -> str:
    cli(db, "export", ref, "--out", str(out))
    return (out / name).read_text(encoding="utf-8")


def test_posts_folder_gets_dated_slug_names_and_odd_ids_stay_inside(tmp_path):
    db = tmp_path / "library.sqlite"
    cli(db, "new-session", "C/W1", "--title", "语言模型 🤖 agents", "--date", "2024-02-03")
    cli(db, "new-session", "C/..", "--title", "dots", "--date", "2024-02-04")
    posts = tmp_path / "site" / "_posts"
    cli(db, "export", "--all", "--out", str(posts))
    names = sorted(p.name for p in posts.iterdir())
    assert all(n.startswith("2024-02-0") and n.endswith(".md") for n in names)
    assert any("语言模型" in n for n in names)
    assert all(p.resolve().parent == posts.resolve() for p in posts.iterdir())
    assert all(p.parent == posts for p in tmp_path.rglob("*.md"))


def test_dry_run_and_diff_write_nothing(seed_db, tmp_path):
    db, _ = seed_db
    out = tmp_path / "out"
    assert "created" in cli(db, "export", "S0-L16", "--out", str(out), "--dry-run")
    assert not out.exists()
    cli(db, "export", "S0-L16", "--out", str(out))
    cli(db, "edit", "S0-L16", "--reading", "2", "--team", "team-6")
    diff = cli(db, "export", "S0-L16", "--out", str(out), "--diff")
    assert "+  + Team: team-6" in diff and diff.startswith("--- a/S0-L16.md")
    assert "Team: team-6" not in (out / "S0-L16.md").read_text(encoding="utf-8")
    statuses = json.loads(cli(db, "export", "S0-L16", "--out", str(out), "--json"))
    assert statuses == [{"session": "site/S0-L16", "path": str(out / "S0-L16.md"), "status": "updated"}]


def test_two_sessions_with_one_file_name_are_refused_before_anything_is_written(tmp_path, capsys):
    db = tmp_path / "library.sqlite"
    cli(db, "new-session", "Course A/S0-L16", "--title", "One")
    cli(db, "new-session", "Course B/S0-L16", "--title", "Other")
    out = tmp_path / "out"
    assert main(["--db", str(db), "export", "--all", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "Course A/S0-L16 and Course B/S0-L16 would both be written" in err and "S0-L16.md" in err
    assert not out.exists()


def test_readings_added_to_a_lecture_page_stay_a_lecture_page_and_come_back(tmp_path):
    db = tmp_path / "library.sqlite"
    ref = seed_path(1).stem
    cli(db, "import", str(seed_path(1)), "--course", "k")
    before = len(json.loads(cli(db, "show", ref, "--json"))["readings"])
    cli(db, "add-reading", ref, "--title", "Reflexion: language agents", "--url", "https://arxiv.org/abs/2303.11366")
    cli(db, "add-reading", ref, "--title", "Chain-of-Thought Prompting", "--url", "https://arxiv.org/abs/2201.11903",
        "--position", "1")
    cli(db, "edit", ref, "--reading", "Reflexion: language agents", "--team", "team-4")
    out = tmp_path / "out"
    cli(db, "export", ref, "--out", str(out))
    text = (out / f"{ref}.md").read_text(encoding="utf-8")
    assert "## Required Readings:" not in text
    assert "**Paper:** [Reflexion: language agents](https://arxiv.org/abs/2303.11366)<br>" in text
    again = tmp_path / "again.sqlite"
    [result] = json.loads(cli(again, "import", str(out / f"{ref}.md"), "--course", "k", "--json"))["files"]
    assert result["kind"] == "lecture_page"
    readings = json.loads(cli(again, "show", ref, "--json"))["readings"]
    assert len(readings) == before + 2 and readings[0]["arxiv_id"] == "2201.11903"
    assert next(r for r in readings if r["arxiv_id"] == "2303.11366")["team"] == "team-4"
