"""Paper lists copied from a Hugging Face Papers page (docs/formats.md section 3).

The copied text is page chrome (`Get trending papers…`, `Subscribe`, `new`, `byAK and the research
community`, a date), then a title line and an abstract line per paper, with or without blank lines
between them. There are no URLs. Lines are told apart by shape, not position, so a missing
abstract or a stray line costs one paper, never the pairing of all that follow: an abstract is
long or reads as sentences, a title is short and does not end in a period.
"""

from __future__ import annotations

import re

from annotator.errors import AnnotatorError
from annotator.formats.model import Paper, PaperList
from annotator.formats.papers import title_key
from annotator.formats.textfile import BOM
from annotator.formats.textlines import split_lines

_CHROME = frozenset(
    {
        "get trending papers in your email inbox once a day!",
        "get trending papers in your email inbox!",
        "subscribe",
        "new",
        "byak and the research community",
    }
)
CHROME_HINT = re.compile(r"get trending papers in your email inbox|byak and the research community", re.IGNORECASE)
_PAGE_DATE = re.compile(
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?[ \t]+\d{1,2}(?:,?[ \t]+\d{4})?",
    re.IGNORECASE,
)
# The button's text runs into the first title when copied: `SubscribeDo We Need…`.
_GLUED_SUBSCRIBE = re.compile(r"Subscribe(?=[A-Z0-9\"'“‘(\[])")
_LETTER = re.compile(r"[^\W\d_]")

_LONG_ABSTRACT = 300  # no title seen is this long; abstracts are rarely shorter
_SHORT_TITLE = 60  # shorter than this, even a line ending in a period is a title
_SENTENCES = 150  # this long and holding a `. `: sentences, not a title
_LONGEST_CHROME = 60


def parse_paper_list(text: str, name: str, path: str = "") -> PaperList:
    """Parse a copied Hugging Face Papers page into PaperList NAME, one Paper per distinct title.

    Raises AnnotatorError when no paper title is found.
    """
    papers: list[Paper] = []
    seen: dict[str, Paper] = {}
    lines = content_lines(text)
    count = len(lines)
    lines.append("")  # what follows the last line
    abstracts = [looks_like_abstract(line) for line in lines]
    index = 0
    while index < count:
        line, after = lines[index], lines[index + 1]
        if not abstracts[index]:
            title, abstract = line, after if abstracts[index + 1] else ""
        elif abstracts[index + 1] and len(line) < min(len(after), _LONG_ABSTRACT):
            title, abstract = line, after  # a title that happens to end in a period
        else:
            index += 1  # an abstract whose title was not copied: nothing names the paper
            continue
        index += 2 if abstract else 1
        if "  " in title or "\t" in title:
            title = " ".join(title.split())
        key = title_key(title)
        known = seen.get(key)
        if known is None:
            seen[key] = paper = Paper(title=title, abstract=abstract)
            papers.append(paper)
        elif not known.abstract:
            known.abstract = abstract
    if not papers:
        raise AnnotatorError("no papers found (expected a title line, then an abstract line, per paper)", path, 1)
    return PaperList(name=name, papers=papers)


def content_lines(text: str) -> list[str]:
    """The non-blank lines of TEXT, stripped, without page chrome."""
    result = []
    for raw in split_lines(text.removeprefix(BOM)):
        line = raw.strip()
        if not line or (len(line) <= _LONGEST_CHROME and is_chrome(line)):  # (most lines are longer)
            continue
        if line.startswith("Subscribe"):
            glued = _GLUED_SUBSCRIBE.match(line)
            line = line[glued.end() :] if glued else line
        result.append(line)
    return result


def is_chrome(line: str) -> bool:
    """True for a stripped line that is page furniture, not a title or abstract."""
    if len(line) > _LONGEST_CHROME:
        return False
    # Upvote counts and other lines without a letter never name a paper.
    return line.casefold() in _CHROME or _PAGE_DATE.fullmatch(line) is not None or not _LETTER.search(line)


def looks_like_abstract(line: str) -> bool:
    """True when a stripped line reads as an abstract rather than a title."""
    size = len(line)
    if size >= _LONG_ABSTRACT:
        return True
    if size < _SHORT_TITLE:
        return False
    return line.endswith((".", "。")) or (size >= _SENTENCES and ". " in line)
