"""Unusual and hostile Jekyll front matter: keys YAML reads as other types, values over several
lines, tagged values that do not fit their tag. Each imports as written and exports unchanged, or
fails as one error line naming the file and line."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.cli import main
from annotator.errors import AnnotatorError
from annotator.formats import frontmatter
from annotator.formats.frontmatter import load_front_matter
from annotator.formats.post_writer import patch_front_matter

BODY = "\n## Required Readings:\n\n### Attention Is All You Need\n  + https://arxiv.org/abs/1706.03762\n"


def post(front: str) -> str:
    return f"---\n{front}---\n{BODY}"


def cli(capsys, db: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--db", str(db), *args])
    out, err = capsys.readouterr()
    return code, out, err


def strict_json(text: str):
    """json.loads that refuses NaN and Infinity, which are not JSON."""
    def refuse(name: str):
        raise ValueError(f"{name} is not JSON")
    return json.loads(text, parse_constant=refuse)


def front_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("---\n")[1].splitlines()


@pytest.fixture(params=["libyaml", "pure"])
def parser(request, monkeypatch):
    """Run a test with PyYAML's C parser and with its pure-Python one (machines without libyaml)."""
    if request.param == "pure":
        monkeypatch.setattr(frontmatter, "_Parser", yaml.SafeLoader)
        monkeypatch.setattr(frontmatter, "_BYTE_OFFSETS", False)
    elif not getattr(yaml, "__with_libyaml__", False):
        pytest.skip("PyYAML has no libyaml here")
    return request.param


# --- keys YAML reads as other types -----------------------------------------------------------

KEYS = post(
    "layout: post\ntitle: Keys YAML reads as non-strings\n"
    "on: push\nyes: 1\nno: 3\n~: tilde\n010: octal\n0x1F: hex\n+1: plus\n.5: half\n<<: {merged: 1}\n"
    "nanval: .NaN\nlow: -.inf\nhuge: 1e999\n"
)



def imported(tmp_path, capsys, name: str, text: str):
    """TEXT written as TMP_PATH/NAME and imported into a new library (course C): (the file, the library)."""
    source = tmp_path / name
    source.write_text(text, encoding="utf-8")
    db = tmp_path / "library.sqlite"
    cli(capsys, db, "import", str(source), "--course", "C")
    return source, db

def test_keys_yaml_reads_as_other_types_are_shown_and_exported_as_written(tmp_path, capsys):
    source = tmp_path / "S9.md"
    source.write_text(KEYS, encoding="utf-8")
    db = tmp_path / "library.sqlite"
    assert cli(capsys, db, "import", str(source), "--course", "C")[0] == 0
    code, out, _ = cli(capsys, db, "show", "S9", "--json")
    front = strict_json(out)["front_matter"]
    assert list(front) == ["layout", "title", "on", "yes", "no", "~", "010", "0x1F", "+1", ".5", "<<",
                           "nanval", "low", "huge"]
    assert front["<<"] == {"merged": 1} and front["no"] == 3  # values keep their YAML types
    assert (front["nanval"], front["low"], front["huge"]) == (".NaN", "-.inf", "1e999")  # JSON has no such numbers
    assert "  on: push" in cli(capsys, db, "show", "S9")[1]
    assert cli(capsys, db, "export", "S9", "--out", str(tmp_path / "out"))[0] == 0
    assert (tmp_path / "out" / "S9.md").read_bytes() == source.read_bytes()


def test_editing_such_a_key_rewrites_only_its_line_and_numbers_stay_json(tmp_path, capsys):
    source, db = imported(tmp_path, capsys, "S9.md", KEYS)
    assert cli(capsys, db, "edit", "S9", "--set", "on=pull", "--set", "010=oct", "--set", "no=nan")[0] == 0
    cli(capsys, db, "export", "S9", "--out", str(tmp_path / "out"))
    before, after = front_lines(source), front_lines(tmp_path / "out" / "S9.md")
    changed = [(old, new) for old, new in zip(before, after, strict=True) if old != new]
    assert changed == [("on: push", "on: pull"), ("no: 3", "no: nan"), ("010: octal", "010: oct")]
    front = strict_json(cli(capsys, db, "show", "S9", "--json")[1])["front_matter"]
    assert front["no"] == "nan"  # `--set no=nan` on a number: text, not a NaN
    json.dumps(front, allow_nan=False)


# --- values over several lines ----------------------------------------------------------------

TWO_LINES = post('layout: post\ntitle: "Week 3\nAgents: tools and planning"\ntags: [a,\nb]\n')
TWO_LINES_PLAIN = post('layout: post\ntitle: "Week 3\nagents and tools"\ntags: [a,\nb]\n')


def test_a_value_over_two_unindented_lines_exports_unchanged(tmp_path, capsys):
    source, db = imported(tmp_path, capsys, "S1.md", TWO_LINES)
    show = strict_json(cli(capsys, db, "show", "S1", "--json")[1])
    assert show["title"] == "Week 3 Agents: tools and planning" and "Agents" not in show["front_matter"]
    cli(capsys, db, "export", "S1", "--out", str(tmp_path / "out"))
    assert (tmp_path / "out" / "S1.md").read_bytes() == source.read_bytes()


def test_editing_a_two_line_title_replaces_both_lines_and_reimports(tmp_path, capsys):
    source, db = imported(tmp_path, capsys, "S1.md", TWO_LINES_PLAIN)
    assert cli(capsys, db, "edit", "S1", "--title", "Week 3: agents")[0] == 0
    cli(capsys, db, "export", "S1", "--out", str(tmp_path / "out"))
    exported = tmp_path / "out" / "S1.md"
    assert front_lines(exported) == ["layout: post", "title: 'Week 3: agents'", "tags: [a,", "b]"]
    again = tmp_path / "again.sqlite"
    assert cli(capsys, again, "import", str(exported), "--course", "C")[0] == 0
    show = strict_json(cli(capsys, again, "show", "S1", "--json")[1])
    assert show["title"] == "Week 3: agents" and show["front_matter"]["tags"] == ["a", "b"]


# (front matter, key, new value, front matter written)
PATCHES = [
    ('title: "Week 3\nAgents: x"\nnext: 1\n', "title", "New", "title: New\nnext: 1\n"),
    ('title: "Week 3\nagents"  # two lines\nnext: 1\n', "title", "New", "title: New  # two lines\nnext: 1\n"),
    ("title: 'it''s\n# not a comment'\nnext: 1\n", "title", "New", "title: New\nnext: 1\n"),
    ("title: plain words\n  go on here\nnext: 1\n", "title", "New", "title: New\nnext: 1\n"),
    ("tags: [a,\nb]\nnext: 1\n", "tags", ["a", "c"], "tags: [a, c]\nnext: 1\n"),
    ("tags: &t [a,\n  b]\nnext: 1\n", "tags", ["c"], "tags: [c]\nnext: 1\n"),
    ("desc: |\n  one\n  two\n\n\nnext: 1\n", "desc", "x", "desc: x\n\n\nnext: 1\n"),
    ("tags: # mine\n- a\n- b\n\n# about next\nnext: 1\n", "tags", ["a", "c"],
     "tags: # mine\n- a\n- c\n\n# about next\nnext: 1\n"),
    ("video:  team-2 # lead team\n", "video", "team-5", "video:  team-5 # lead team\n"),
    ('"on": 1\non2: 2\n', "on", 5, '"on": 5\non2: 2\n'),
    ("on: push\n", "on", "pull", "on: pull\n"),
    ("? key\n: old\nnext: 1\n", "key", "new", "key: new\nnext: 1\n"),
    ("author:\n  name: x\n  site: y\nnext: 1\n", "author", {"name": "z", "site": "y"},
     "author:\n  name: z\n  site: y\nnext: 1\n"),
    ("{a: 1,\n b: 2}\n", "a", 5, "a: 5\nb: 2\n"),
    ("a: &x foo\nb: *x\nc: 1\n", "a", "bar", "a: bar\nb: foo\nc: 1\n"),
    ("a: 1\ntitle: \"x\ny\"\n", "title", None, "a: 1\n"),
]


@pytest.mark.parametrize(("front", "key", "value", "expected"), PATCHES)
def test_an_edit_rewrites_exactly_the_lines_yaml_gives_the_key(front, key, value, expected):
    old = load_front_matter(front)
    new = {k: v for k, v in old.items() if not (k == key and value is None)}
    if value is not None:
        new[key] = value
    written = "".join(patch_front_matter(front.splitlines(keepends=True), old, new, "\n"))
    assert written == expected
    assert load_front_matter(written) == new


# --- tagged values that do not fit their tag ----------------------------------------------------

BAD = [
    "!!float nope", "!!int nope", "!!timestamp notadate", "!!timestamp 2024-13-45", "!!bool maybe",
    "!!int", "!!int 09", "!!int 1:x", "!!float ''", "!!float 1.2.3", "!!bool 1",
    "!!timestamp 2024-02-30", "!!timestamp 2024-01-01 24:00:00", "!!timestamp 2024-01-01 10:00:00 +99:00",
    "!!binary '!!!'", "!!binary aGk", "!!binary 'é'",
    "!!set [a, b]", "!!set x", "!!omap {a: 1}", "!!omap [a, b]", "!!omap [{a: 1, b: 2}]", "!!omap [[a, 1]]",
    "!!pairs x", "!!pairs [a: 1, b]", "!!pairs [a: 1, *x]",
    "!!python/object/apply:os.system ['true']", "!!python/name:os.system ''", "!!python/tuple [1, 2]",
    "!!python/bytes aGk=", "!!python/none ''", "!!merge {a: 1}", "!!merge [a]", "!custom x",
    "!<tag:example.com,2000:thing> y", "!!str [1]", "!!str {a: 1}", "!!map [1]", "!!seq {a: 1}", "!!int [1]",
    "&a [*a]", "&a {k: *a}", "*undefined", "[" * 60 + "]" * 60, "{k: " * 60 + "v" + "}" * 60,
    "[{a: [{b: [" * 20 + "]}]}]" * 20, "{[a]: 1}", "{{a: 1}: 1}", "[1]: 2",
]


@pytest.mark.parametrize("value", BAD)
def test_a_value_that_does_not_fit_is_one_error_line_naming_its_line(value, parser):
    front = f"title: Tags\ncomment: |\n  x\nx: {value}\n"
    with pytest.raises(AnnotatorError) as caught:
        load_front_matter(front, "post.md")
    error = caught.value
    assert error.path == "post.md" and error.line == 5 and "\n" not in str(error), str(error)


GOOD = [
    ("!!int 0x1F", 31), ("!!int 1:30", 90), ("!!int 1_000", 1000), ("!!int -010", -8), ("!!float 1_0.5", 10.5),
    ("!!float .NaN", ".NaN"), ("!!float -.inf", "-.inf"), ("!!float 1e999", "1e999"), ("!!float inf", "inf"),
    ("!!int 0o17", 15), ("!!bool Off", False),
    ("!!timestamp 2025-09-02 10:00:00 +0800", "2025-09-02 10:00:00 +0800"), ("2024-01-01", "2024-01-01"),
    ("!!binary aGk=", "hi"), ("!!set {a, b}", ["a", "b"]), ("!!omap [a: 1, b: 2]", [["a", 1], ["b", 2]]),
    ("!!pairs [a: 1, a: 2]", [["a", 1], ["a", 2]]), ("!!null x", None), ("<<", "<<"), ("=", "="), ("0b_", "0b_"),
    ("!!str 010", "010"), ("{on: 1, ~: 2, 010: 3}", {"on": 1, "~": 2, "010": 3}), ("0x" + "f" * 5000, "0x" + "f" * 5000),
]


@pytest.mark.parametrize(("value", "expected"), GOOD)
def test_a_value_that_fits_its_tag_loads_as_json(value, expected, parser):
    front = load_front_matter(f"title: Tags\nx: {value}\n")
    assert front["x"] == expected
    json.dumps(front, allow_nan=False)


@pytest.mark.parametrize("name", ["float", "int", "timestamp", "bad_date", "bool"])
def test_the_cli_reports_a_bad_tag_as_one_line_and_a_folder_still_imports(tmp_path, capsys, name):
    value = {"float": "!!float nope", "int": "!!int nope", "timestamp": "!!timestamp notadate",
             "bad_date": "!!timestamp 2024-13-45", "bool": "!!bool maybe"}[name]
    folder = tmp_path / "_posts"
    folder.mkdir()
    bad = folder / "2024-01-03-S3.md"
    bad.write_text(post(f"title: Bad\nx: {value}\n"), encoding="utf-8")
    for number in (1, 2):
        (folder / f"2024-01-0{number}-S{number}.md").write_text(post(f"title: Good {number}\n"), encoding="utf-8")
    db = tmp_path / "library.sqlite"
    code, out, err = cli(capsys, db, "import", str(bad))
    assert code == 1 and f"error: {bad}: line 3: YAML error in front matter: " in err and "Traceback" not in err
    code, out, err = cli(capsys, db, "import", str(folder), "--course", "C")
    assert code == 1 and "imported 2 of 3 files, 1 failed" in out + err
    sessions = strict_json(cli(capsys, db, "sessions", "--json")[1])
    assert sorted(s["title"] for s in sessions) == ["Good 1", "Good 2"]


WORDS = st.text(alphabet="01234589abefxnoNaIy._+ é", max_size=10)  # mostly loads
HOSTILE = st.text(alphabet="01234589abefxnoNaIy.:-_+ ~'\"#[]{},!&*é\t", max_size=12)
TAGS = ["", "", "", "!!int ", "!!float ", "!!bool ", "!!timestamp ", "!!binary ", "!!null ", "!!str ", "!!set ",
        "!!omap ", "!!pairs ", "!!merge ", "!!python/none ", "!x ", "&a ", "&b !!int "]
VALUE = st.one_of(
    st.builds(lambda tag, text: tag + text, st.sampled_from(TAGS), st.one_of(WORDS, HOSTILE)),
    st.builds(lambda a, b: f'"{a}\n{b}"', WORDS, WORDS),
    st.builds(lambda tag, a, b: f"{tag}[{a},\n{b}]", st.sampled_from(["", "&a ", "!!set "]), WORDS, WORDS),
    st.builds(lambda tag, a, b: f"{tag}{{{a}: {b}}}", st.sampled_from(TAGS), WORDS, WORDS),
    st.sampled_from(["*a", "|\n  block\n\n", "\n- x\n- &b y", "'it''s\nnot # here' # there", "1:30", "[&a x, *a]"]),
)
KEY = st.sampled_from(["title", "on", "no", "~", "010", "0x1F", "<<", "'quoted'", '"on"', ".5", "&k key", "*b", "x"])


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(KEY, VALUE), min_size=1, max_size=5))
def test_any_front_matter_loads_as_json_or_fails_on_one_of_its_lines(pairs):
    """Whatever the tags and shapes: valid JSON, or one AnnotatorError naming a line of the text.
    And what loads can have any one key edited without touching, or breaking, the others."""
    text = "".join(f"{key}: {value}\n" for key, value in pairs)
    try:
        front = load_front_matter(text, "post.md")
    except AnnotatorError as error:
        assert 2 <= error.line <= 2 + text.count("\n") and "\n" not in str(error)
        return
    json.dumps(front, allow_nan=False)
    rows = text.splitlines(keepends=True)
    assert patch_front_matter(rows, front, dict(front), "\n") == rows
    for key in front:
        edited = dict(front) | {key: "edited"}
        written = "".join(patch_front_matter(rows, front, edited, "\n"))
        assert load_front_matter(written) == edited, written


# --- messages, and speed ----------------------------------------------------------------------


@pytest.mark.parametrize(("front", "line"), [
    ('title: ok\ndesc: "x\x01y"\n', 3), ("title: a\x0bb\n", 2), ("title: é😀\nnext: 1\nbad: \x1c\n", 4),
    ("a: 1\r\nb: 2\r\nc: x\x7f\r\n", 4), ("a: 1\rb: \x08\r", 3),
])
def test_a_control_character_is_one_line_naming_its_line(tmp_path, capsys, front, line, parser):
    path = tmp_path / "S1.md"
    path.write_bytes(post(front).encode("utf-8"))
    code, _, err = cli(capsys, tmp_path / "library.sqlite", "import", str(path))
    assert code == 1
    assert err.startswith(f"error: {path}: line {line}: YAML error in front matter: ")
    assert "characters are not allowed" in err and err.count("\n") == 1, err


def test_an_empty_file_says_line_1(tmp_path, capsys):
    path = tmp_path / "S1.md"
    path.write_text("\n  \n", encoding="utf-8")
    code, _, err = cli(capsys, tmp_path / "library.sqlite", "import", str(path))
    assert code == 1 and err == f"error: {path}: line 1: file is empty\n"


@pytest.mark.parametrize("value", [
    "1" * 1_000_000, "0x" + "f" * 1_000_000, "1" + ":1" * 300_000, "1." + "1" * 1_000_000,
    "!!int " + "7" * 1_000_000, "!!float 1" + ":1" * 300_000 + ".5", "!!timestamp 2024-01-01" + " " * 1_000_000 + "x",
])
def test_a_megabyte_number_loads_within_seconds(value):
    outcome: list[object] = []
    worker = threading.Thread(target=lambda: outcome.append(_load_or_error(f"x: {value}\n")), daemon=True)
    worker.start()
    worker.join(timeout=20)
    assert outcome, "took longer than 20 s"
    json.dumps(outcome[0], allow_nan=False)


def _load_or_error(text: str) -> object:
    try:
        return load_front_matter(text)
    except AnnotatorError as error:
        return str(error)
