"""The message of a sync's commit: what changed in each post, in words (`S0-L16: team for 2 readings, notes for "X"`)."""

from __future__ import annotations

from annotator.errors import AnnotatorError
from annotator.formats.detect import parse_text
from annotator.formats.model import Reading, Session
from annotator.formats.papers import title_key

_PARTS = (("team", lambda r: r.team), ("notes", lambda r: r.notes), ("videos", lambda r: tuple(r.videos)))


def commit_message(changed: list[tuple[str, str | None, str]]) -> str:
    """The message for committing CHANGED, (session code, text at HEAD or None, new text) for each post."""
    lines = [f"{code}: {describe(code, old, new)}" for code, old, new in changed]
    if len(lines) == 1:
        return lines[0]
    return f"Annotations for {len(lines)} sessions\n\n" + "\n".join(lines)


def describe(code: str, old: str | None, new: str) -> str:
    """What changed between OLD and NEW, one post's texts: new post, readings added or removed, team, notes, videos."""
    if old is None:
        return "new session"
    try:
        before, after = (_session(text, code) for text in (old, new))
    except AnnotatorError:
        return "updated"
    old_readings = {title_key(r.paper.title): r for r in before.readings}
    new_readings = {title_key(r.paper.title): r for r in after.readings}
    said = []
    for part, value in _PARTS:
        changed = [r for key, r in new_readings.items() if key in old_readings and value(r) != value(old_readings[key])]
        if changed:
            said.append(f"{part} for {_readings(changed)}")
    added = [r for key, r in new_readings.items() if key not in old_readings]
    removed = [r for key, r in old_readings.items() if key not in new_readings]
    if added:
        said.append(f"added {_readings(added)}")
    if removed:
        said.append(f"removed {_readings(removed)}")
    if before.title != after.title or before.date != after.date or before.front_matter != after.front_matter:
        said.append("front matter")
    return ", ".join(said) or "updated"


def _session(text: str, code: str) -> Session:
    parsed = parse_text(text, f"{code}.md", code)
    if not isinstance(parsed, Session):
        raise AnnotatorError("not a session post")
    return parsed


def _readings(readings: list[Reading]) -> str:
    if len(readings) == 1:
        return f'"{readings[0].paper.title}"'
    return f"{len(readings)} readings"
