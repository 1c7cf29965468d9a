"""Plain dataclasses that every parser returns and every writer takes. No Qt, no SQL."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from annotator.formats.papers import arxiv_id_from_url

SESSION_POST = "session_post"
LECTURE_PAGE = "lecture_page"
SLIDE_OUTLINE = "slide_outline"
PAPER_LIST = "hf_list"


@dataclass(slots=True)
class Paper:
    """A paper as one file describes it; the store merges these into one row per paper."""

    title: str
    url: str = ""
    authors: str = ""
    abstract: str = ""

    @property
    def arxiv_id(self) -> str:
        """The arXiv id found in the URL (version stripped), or ''."""
        return arxiv_id_from_url(self.url)


@dataclass(slots=True)
class Reading:
    """One reading of a session, with the annotations presenters attach to it."""

    paper: Paper
    section: str = ""
    team: str = ""
    videos: list[str] = field(default_factory=list)
    notes: str = ""
    # Where this reading's block sits in the original text: 0-based line indexes [start, end),
    # heading included, trailing blank lines excluded. None for a reading added in the app.
    span: tuple[int, int] | None = None
    # Prefix for bullet lines appended to the block ("  + " in seed 000's style).
    bullet: str = "  + "
    # Index of this reading in the parse of the original text (set by the store on export).
    source_index: int | None = None


@dataclass(slots=True)
class Session:
    """A session as parsed from one file (or as the store holds it for export)."""

    kind: str
    title: str
    date: str = ""
    front_matter: dict[str, Any] = field(default_factory=dict)
    readings: list[Reading] = field(default_factory=list)
    text: str | None = None  # the original text, kept so that export is lossless
    course: str = ""  # course name written inside the file (slide outlines), if any
    instructor: str = ""


@dataclass(slots=True)
class PaperList:
    """A list of papers copied from a page such as Hugging Face Papers."""

    name: str
    papers: list[Paper] = field(default_factory=list)
