"""File names for exported posts (docs/formats.md section 6): safe on every OS, readable by Jekyll."""

from __future__ import annotations

import re
import unicodedata

from annotator.errors import AnnotatorError

MAX_NAME_BYTES = 255  # the limit of ext4, APFS and NTFS (in UTF-8 bytes on the first two)
_EXTENSION = ".md"
# Path separators and what Windows refuses in names (course repos are cloned on Windows too).
_FORBIDDEN = re.compile(r'[/\\<>:"|?*]+')
_DOTS = re.compile(r"\.{2,}")
_SLUG_GAP = re.compile(r"[\W_]+")
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_WINDOWS_RESERVED = re.compile(r"(?:con|prn|aux|nul|com\d|lpt\d)(?:\..*)?", re.IGNORECASE)


def safe_file_name(stem: str) -> str:
    """STEM + `.md` as a file name that cannot escape its folder or break a checkout.

    No path separators, no `..`, no control or format characters, at most 255 UTF-8 bytes
    including `.md`; letters of every script are kept; never empty (`untitled.md`).
    """
    text = unicodedata.normalize("NFC", stem)
    # Control and format characters (bidi overrides, zero-width) only hide what a name says.
    text = "".join(" " if _hidden(c) else c for c in text)
    text = " ".join(_FORBIDDEN.sub("-", text).split())
    if text.lower().endswith(_EXTENSION):
        text = text[: -len(_EXTENSION)]
    text = _DOTS.sub(".", text).strip(" .")
    budget = MAX_NAME_BYTES - len(_EXTENSION)
    text = text.encode("utf-8")[:budget].decode("utf-8", "ignore").strip(" .")
    if not text:
        text = "untitled"
    if _WINDOWS_RESERVED.fullmatch(text):
        text += "-"
    return text + _EXTENSION


def slug(title: str) -> str:
    """Jekyll's default slug: lower case, runs of non-alphanumerics become one `-`."""
    return _SLUG_GAP.sub("-", unicodedata.normalize("NFC", title).lower()).strip("-")


def post_file_name(session_id: str, title: str, date: str, source: str, posts_folder: bool) -> str:
    """The file name a session is exported to.

    SOURCE (the path it was imported from) set -> that file's own name, so export overwrites it.
    Else `<id>.md` for a collection folder, or `YYYY-MM-DD-slug.md` when POSTS_FOLDER (Jekyll
    reads a `_posts/` post's date from its name, so a session without a date is refused).
    """
    if source:
        name = re.split(r"[\\/]", source.rstrip("/\\"))[-1]
        return name if _is_safe(name) else safe_file_name(name)
    if not posts_folder:
        return safe_file_name(session_id or title)
    match = _DATE.match(date.strip())
    if not match:
        raise AnnotatorError(f"a post in _posts/ needs a date (YYYY-MM-DD) in its name; {title!r} has none")
    return safe_file_name(f"{match.group(0)}-{slug(title) or slug(session_id) or 'session'}")


def _hidden(char: str) -> bool:
    return unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp")


def _is_safe(name: str) -> bool:
    """True when NAME (an imported file's own name) can be written back as it is."""
    return (
        name.strip(" .") == name
        and ".." not in name
        and not _FORBIDDEN.search(name)
        and not any(_hidden(c) for c in name)
        and len(name.encode("utf-8")) <= MAX_NAME_BYTES
        and not _WINDOWS_RESERVED.fullmatch(name)
    )
