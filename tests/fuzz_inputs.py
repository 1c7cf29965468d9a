"""Hypothesis strategies for the fuzz tests (tests/test_fuzz_roundtrip.py): files of every kind the
parsers read, mutated with hostile characters and lines, and the edits a user makes in the app.

Files are the project's own samples (tests/data), generated session posts, lecture pages, slide
outlines and Hugging Face paper lists, and, when ../shared is present, the corpus's posts. A
mutation is a list of small steps (insert, delete or duplicate a line, put a hostile character or
snippet somewhere, change the line endings, cut the file short, add a very long line, put a
stray byte in): Hypothesis shrinks a failure to the fewest steps that still show it.
"""

from __future__ import annotations

from hypothesis import strategies as st

from annotator.formats.textlines import split_lines
from tests.conftest import DATA, corpus_posts

# Every sample file of the project's own: good ones, unusual ones and the ones that must be refused.
FIXTURES = [path.read_bytes() for path in sorted(DATA.rglob("*")) if path.suffix in (".md", ".txt")]

# Characters that split lines for str.splitlines() but not for a file, YAML's special characters,
# invisible and right-to-left ones.
HOSTILE_CHARS = [
    "\u2028", "\u2029", "\x0b", "\x0c", "\x85", "\x1c", "\x1d", "\x1e", "\xa0", "\ufeff", "\t", "\r", "\n",
    "\r\n", ":", "'", '"', "#", "`", "~", "[", "]", "(", ")", "<", ">", "&", "*", "!", "|", "-", "\\", "%",
    "@", "{", "}", ",", "?", "é", "字", "😀", "\u202e", "\u200b", "\x7f", "\x01",
]  # fmt: skip
# Pieces of the formats' own syntax, put where they do not belong.
SNIPPETS = [
    "---", "...", "!!float x", "!!int 1", "!!bool maybe", "!!binary ?", "!!timestamp 2024-13-45", "!!set",
    "!x", "&a", "*a", "&a [1]", "<<:", "on:", "no:", "~:", "? ", "- ", "key: value", "'open", '"open',
    "```", "````", "~~~", "```python", "<!--notes-->", "<!--notes 2-->", "<!--/notes-->",
    "<!--/notes: fence added to close the code block-->", "<!--excerpt.start-->", "# Blog:", "# ", "## ",
    "### ", "#### Paper: ", "+ Team: ", "+ Team:\xa0x", "+ Video: https://youtu.be/x", "+ Video: nope",
    "**Paper:** ", "**Papers:**", "[t](https://arxiv.org/abs/2401.00001)", "[x](#)", "<https://arxiv.org/pdf/2401.00002.pdf>",
    "https://arxiv.org/abs/1706.03762", "20240125", "Prof. X", "## Required Readings:", "Subscribe",
    "byAK and the research community", "<br>", "&nbsp;",
]  # fmt: skip
HOSTILE_LINES = [*SNIPPETS, "", " ", "\t", "title: Changed", "title: 'a: b'", "date: 2024-02-30", "tags: [a, b",
                 "  - item", "block: |", "  folded text", "x: &a [1, 2]", "y: *a", "<<: *a", "z: !!float x"]
LONG_UNITS = ["x", " ", " \t", "[x](#)", "`", "#", "- ", "http://", "[", "a:b ", "\\", "é"]
BYTES = [b"\xff", b"\x00", b"\xc3", b"\xe2\x80", b"\xed\xa0\x80", b"\xef\xbb\xbf"]  # broken UTF-8, NUL, a BOM


def _index(position: int, size: int) -> int:
    return position % size if size else 0


def mutate(text: str, steps: list[tuple]) -> bytes:
    """TEXT with STEPS applied in order, as UTF-8 bytes (a `byte` step then breaks the encoding)."""
    raw: list[tuple[int, bytes]] = []
    for step in steps:
        kind, *args = step
        lines = split_lines(text, keepends=True)
        if kind == "insert":
            at, line = _index(args[0], len(lines) + 1), args[1] + "\n"
            text = "".join(lines[:at] + [line] + lines[at:])
        elif kind == "delete" and lines:
            at = _index(args[0], len(lines))
            text = "".join(lines[:at] + lines[at + 1 :])
        elif kind == "duplicate" and lines:
            at = _index(args[0], len(lines))
            text = "".join(lines[: at + 1] + lines[at:])
        elif kind == "put":
            at = _index(args[0], len(text) + 1)
            text = text[:at] + args[1] + text[at + args[2] :]  # replaces 0 or 1 characters
        elif kind == "endings":
            text = _with_endings(lines, args[0])
        elif kind == "truncate":
            text = text[: _index(args[0], len(text) + 1)]
        elif kind == "long":
            at = _index(args[0], len(lines) + 1)
            text = "".join(lines[:at] + [args[1] * args[2] + "\n"] + lines[at:])
        elif kind == "byte":
            raw.append((args[0], args[1]))
    data = text.encode("utf-8", "surrogateescape")  # (a sample that is not UTF-8 keeps its bytes)
    for position, byte in raw:
        at = _index(position, len(data) + 1)
        data = data[:at] + byte + data[at:]
    return data


def _with_endings(lines: list[str], style: str) -> str:
    endings = ["\n", "\r\n", "\r"]
    out = []
    for number, line in enumerate(lines):
        text = line.rstrip("\r\n")
        if text == line:  # the last line, without a line break
            out.append(line)
            continue
        out.append(text + (endings[number % 3] if style == "mixed" else style))
    return "".join(out)


def steps(long_chars: int) -> st.SearchStrategy[list[tuple]]:
    """Mutation steps; a long line holds at most LONG_CHARS characters."""
    position = st.integers(0, 1 << 20)
    step = st.one_of(
        st.tuples(st.just("insert"), position, st.one_of(st.sampled_from(HOSTILE_LINES), hostile_text(12))),
        st.tuples(st.just("delete"), position),
        st.tuples(st.just("duplicate"), position),
        st.tuples(st.just("put"), position, st.sampled_from(HOSTILE_CHARS + SNIPPETS), st.integers(0, 1)),
        st.tuples(st.just("endings"), st.sampled_from(["\n", "\r\n", "\r", "mixed"])),
        st.tuples(st.just("truncate"), position),
        st.tuples(st.just("long"), position, st.sampled_from(LONG_UNITS), st.integers(1, long_chars)),
        st.tuples(st.just("byte"), position, st.sampled_from(BYTES)),
    )
    return st.lists(step, max_size=6)


def hostile_text(max_size: int) -> st.SearchStrategy[str]:
    """Short text mixing letters with hostile characters and snippets."""
    piece = st.one_of(st.sampled_from("abcxyz AZ09"), st.sampled_from(HOSTILE_CHARS), st.sampled_from(SNIPPETS))
    return st.lists(piece, max_size=max_size).map("".join)


# --- generated files of each kind -------------------------------------------------------------

WORDS = ["Attention", "Sheep", "Nets", "Wool", "Goat", "Models", "Scale", "Memory", "Agents", "Diffusion", "字", "é"]
TITLE = st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(" ".join)
ARXIV = st.integers(1, 99).map(lambda n: f"https://arxiv.org/abs/2401.{n:05d}")
VIDEO = st.integers(1, 99).map(lambda n: f"https://youtu.be/v{n}")
FRONT_LINES = [
    "layout: post", "title: {title}", "title: '{title}: a subtitle'", 'title: "{title}\n  continued"',
    "date: 2024-01-{day:02d}", "date: 2024-01-{day:02d} 10:00:00 +0800", "lecture: W{day}-deck", "lectureVersion: next",
    "extraContent: ", "notes: team-{day}", "video: team-{day}", "tags: [a, b]", "tags:\n- Agent\n- Memory",
    "categories: [Lecture]", "on: push", "010: octal", "~: tilde", "x: &a [1, 2]\ny: *a", "desc: |\n  block\n\n",
    "n: !!float 1.5", "when: 2024-01-02", "note: value # a comment",
]  # fmt: skip


@st.composite
def front_matter(draw: st.DrawFn, title: str) -> str:
    lines = draw(st.lists(st.sampled_from(FRONT_LINES), max_size=6, unique=True))
    day = draw(st.integers(1, 28))
    return "---\n" + "".join(line.format(title=title, day=day) + "\n" for line in ["title: {title}", *lines]) + "---\n"


@st.composite
def session_post(draw: st.DrawFn) -> str:
    """A Jekyll session post: readings with bullets, teams and videos, and perhaps a blog with notes."""
    titles = draw(st.lists(TITLE, max_size=4))
    out = [draw(front_matter(draw(TITLE))), "\nIn this session, our readings cover: \n\n"]
    out.append(draw(st.sampled_from(["## Required Readings:\n", "## Readings\n", "## More readings\n"])))
    for title in titles:
        bullet = draw(st.sampled_from(["  + ", "+ ", "- ", "\t+ ", "* ", "1. "]))
        out.append(f"\n{draw(st.sampled_from(['###', '####', '###  -']))} {title}\n")
        out.append(f"{bullet}{draw(ARXIV)}\n")
        if draw(st.booleans()):
            out.append(f"{bullet}An abstract that says what the paper {title} does, in a few more words.\n")
        if draw(st.booleans()):
            out.append(f"{bullet}Team: team-{draw(st.integers(1, 9))}\n")
        out += [f"{bullet}Video: {url}\n" for url in draw(st.lists(VIDEO, max_size=2))]
    if draw(st.booleans()):
        out.append(draw(blog(titles)))
    return "".join(out)


@st.composite
def blog(draw: st.DrawFn, titles: list[str]) -> str:
    """A blog part: the excerpt marker (or a bare `# ` heading) and notes sections, some in regions."""
    out = [draw(st.sampled_from(["\n<!--excerpt.start-->\n\n# Blog: ours\n", "\n# Our blog\n"]))]
    for title in draw(st.lists(st.sampled_from(titles), max_size=3)) if titles else []:
        body = draw(st.sampled_from(["Some notes.", "```\ncode\n```", "- a point\n- another", ""]))
        if draw(st.booleans()):
            body = f"<!--notes-->\n\n# Heading kept\n{body}\n\n<!--/notes-->"
        out.append(f"\n## {title}\n\n{body}\n")
    return "".join(out)


@st.composite
def lecture_page(draw: st.DrawFn) -> str:
    """A lecture page: `---` separated slides with `Paper:` lines, arXiv headings and link lines."""
    out = [draw(front_matter(draw(TITLE))), "A page of slides.\n"]
    for title in draw(st.lists(TITLE, max_size=4)):
        out.append(f"\n---\n### {draw(TITLE)}\n")
        url = draw(ARXIV)
        out.append(draw(st.sampled_from([
            f"**Paper:** [{title}]({url})<br>\n", f"#### [{title}]({url})\n", f"[{title}]({url})<br>\n",
            f"**Papers:**\n- [{title}]({url})\n- [{title} 2](https://openreview.net/forum?id=x)\n",
            f"**Paper:** [{title}]({url}), [{title} too](https://arxiv.org/abs/2402.00001)<br>\n",
        ])))
        if draw(st.booleans()):
            out.append(f"+ Team: team-{draw(st.integers(1, 9))}\n")
        out += [f"+ Video: {v}\n" for v in draw(st.lists(VIDEO, max_size=2))]
    if draw(st.booleans()):
        out.append("\n<!--excerpt.start-->\n\n## Notes\n\nText.\n")
    return "".join(out)


@st.composite
def slide_outline(draw: st.DrawFn) -> str:
    """A slide outline: `# title`, course, instructor, a date line, then slides citing papers."""
    out = [f"\n# {draw(TITLE)}\n\n2025 Spring Course\n\nProf. Ada\n\n2025{draw(st.integers(1, 12)):02d}11\n"]
    for title in draw(st.lists(TITLE, max_size=4)):
        out.append(f"\n# {draw(TITLE)}\n\n")
        out.append(draw(st.sampled_from([
            f"- [{title}]({draw(ARXIV)})\n", f"<https://arxiv.org/pdf/2401.{draw(st.integers(1, 99)):05d}.pdf>\n",
            f"- [{title}](#) NeurIPS'24 Lamb et al.\n", f"See [{title}](https://example.com/x).\n",
        ])))
        if draw(st.booleans()):
            out.append(f"+ Team: team-{draw(st.integers(1, 9))}\n")
    return "".join(out)


@st.composite
def paper_list(draw: st.DrawFn) -> str:
    """A Hugging Face Papers page as copied: chrome, then title and abstract lines."""
    out = [draw(st.sampled_from(["Get trending papers in your email inbox!\n", "new\n\nSubscribe\n\n", ""]))]
    gap = draw(st.sampled_from(["", "\n"]))
    for title in draw(st.lists(TITLE, min_size=1, max_size=5)):
        out.append(f"{title}\n{gap}")
        if draw(st.booleans()):
            out.append(f"We study {title} and show that it works better than before, on every benchmark we tried.\n{gap}")
    return "".join(out)


def files(long_chars: int, corpus: bool = False) -> st.SearchStrategy[bytes]:
    """A file of any kind as bytes: a sample or a generated one, mutated. With CORPUS, the
    corpus's posts are samples too (when ../shared is present)."""
    samples = [data.decode("utf-8", "surrogateescape") for data in FIXTURES]
    if corpus:
        samples += [path.read_text(encoding="utf-8", errors="surrogateescape") for path in corpus_posts()]
    base = st.one_of(st.sampled_from(samples), session_post(), lecture_page(), slide_outline(), paper_list())
    return st.builds(mutate, base, steps(long_chars))


# --- edits made in the app ----------------------------------------------------------------------

NOTE_PIECES = [
    "\n", "\r", "\r\n", "\n\n", "\u2028", "\u2029", "\x0b", "\x0c", "\x85", "\x1c", "\x1d", "\x1e", "\t", " ",
    "\ufeff", "\xa0", "```", "````", "~~~", "```python", "\n```\n", "# ", "## ", "\n# Heading\n", "\n## Paper\n",
    "<!--", "-->", "<!-- c -->", "<!--notes-->", "\n<!--notes-->\n", "<!--/notes-->", "\n<!--/notes-->\n",
    "<!--/notes: fence added to close the code block-->", "<!--excerpt.start-->", "\n<!--excerpt.start-->\n",
    "---", "\n---\n", "+ Team: x", "+ Video: https://youtu.be/n", "<br>", "text", "Title\n=====",
]  # fmt: skip
# Any character a UTF-8 file can hold (no lone surrogates), and the pieces above.
NOTES = st.lists(st.one_of(st.characters(codec="utf-8"), st.sampled_from(NOTE_PIECES)), max_size=24).map("".join)

LINE_BREAKS = ["\n", "\r", "\u2028", "\u2029", "\x0b", "\x0c", "\x85", "\x1c", "\x1d", "\x1e"]
EXCERPT = "<!--excerpt.start-->"
_TEAM_PIECES = ["team-1", "Team A", " ", "\t", "\xa0", "#", ":", "`", "```", "[x]", "<!--", "-->", "<!--notes-->",
                "'", '"', "*", "&", "é", "字", "😀", "\u202e", "http://x.y"]
TEAMS = st.lists(st.sampled_from(_TEAM_PIECES), max_size=5).map("".join)  # accepted (stripped)
BAD_TEAMS = st.builds(lambda left, poison, right: f"{left}x{poison}y{right}", TEAMS,  # refused at edit time
                      st.sampled_from([*LINE_BREAKS, EXCERPT, "\x00"]), TEAMS)

_URL_CHARS = "abcxyzABC0189-._~%!$&'()*+,;=:@/?#[]éß字"
VIDEOS = st.builds(  # accepted: web links on one line without spaces, quotes, < or >
    lambda scheme, host, path: f"{scheme}://{host}/{path}",
    st.sampled_from(["https", "http", "HTTPS"]), st.sampled_from(["youtu.be", "www.youtube.com", "example.org:8080", "v.字.cn"]),
    st.text(alphabet=_URL_CHARS, max_size=20),
)
def _poisoned(url: str, poison: str, at: int) -> str:
    """URL with POISON inside it, after the scheme and before the last character (not stripped off)."""
    at = 9 + at % (len(url) - 9)
    return url[:at] + poison + url[at:]


_POISON = [*LINE_BREAKS, EXCERPT, " ", "\t", "\xa0", '"', "<", ">", "\x01", "\u200b", "\u202e"]
BAD_VIDEOS = st.one_of(
    st.builds(_poisoned, VIDEOS, st.sampled_from(_POISON), st.integers(0, 40)),
    # (no scheme at all is no longer bad: "youtu.be/x" is taken as https://youtu.be/x, as a browser takes it)
    st.builds(lambda url, scheme: scheme + url.split("://", 1)[1], VIDEOS,
              st.sampled_from(["ftp://", "javascript:", "//", "https:///", "file://"])),
)



FRONT_KEYS = ["title", "date", "tags", "layout", "lecture", "notes", "video", "on", "no", "~", "010", "<<", "x y",
              "key: colon", "#hash", "'quoted'", "- dash", "&a", "*a", "!tag", "é", "new key"]
FRONT_VALUES = st.one_of(
    st.none(), hostile_text(10), st.integers(-(1 << 70), 1 << 70), st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(), st.lists(hostile_text(6), max_size=3),
    st.sampled_from(["2024-03-05", "2024-03-05 10:00:00 +0800", "2024-02-30", "", "true", "1.5", "null", "~"]),
)
