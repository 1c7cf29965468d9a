"""Edits made in the app or with `annotator edit`: each public function is one Operation.

Each returns (the operation's Changes, a value): the new row's id when it creates one, else None.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
import unicodedata
from collections.abc import Callable
from typing import Any, TypeVar

from annotator.errors import AnnotatorError
from annotator.formats.line_values import one_line_problem, text_problem, video_link_problem
from annotator.formats.model import SESSION_POST, Paper
from annotator.store.library import Library
from annotator.store.operations import Changes, run_operation
from annotator.store.papers import merge_papers as _merge_papers
from annotator.store.papers import store_papers, update_paper

_UNSET = object()
T = TypeVar("T")


def _operation(lib: Library, label: str, body: Callable[[sqlite3.Connection, Changes], T]) -> tuple[Changes, T]:
    """run_operation, its result in the order every edit returns it: (Changes, value)."""
    value, changes = run_operation(lib, label, body)
    return changes, value


def validate_video_url(url: str) -> str:
    """Return URL stripped (https:// put before a link typed without it) if it is a video link a post can
    hold (http(s), one line), else raise AnnotatorError. Import offers a `+ Video:` line as a link by the
    same rule."""
    url = url.strip()
    if _is_host_name(re.split(r"[/?#]", url, maxsplit=1)[0]) and video_link_problem(f"https://{url}") is None:
        url = f"https://{url}"  # "youtu.be/…" or "www.youtube.com/…", as a browser's address bar takes them
    problem = video_link_problem(url)
    if problem:
        raise AnnotatorError(f"the video link {url!r} {problem}")
    return url


def _is_host_name(host: str) -> bool:
    """Whether HOST reads as a web host (youtu.be, bücher.de): not a note ('1.5', 'TBD.', '...') nor user@host."""
    labels = host.split(".")
    return (len(labels) > 1 and all(label and all(c.isalnum() or c == "-" for c in label) for label in labels)
            and len(labels[-1]) > 1 and labels[-1].isalpha())


def validate_team(team: str) -> str:
    """TEAM stripped, if a `+ Team:` line can hold it, else raise AnnotatorError."""
    team = team.strip()
    problem = one_line_problem(team)
    if problem:
        raise AnnotatorError(f"the team name {team!r} {problem}")
    return team


# Line breaks, tabs and other control characters, bidi overrides (U+202E) and other invisible
# format characters: an id holding one is shown, listed and named on disk as something else.
_ID_CATEGORIES = ("Cc", "Cf", "Zl", "Zp")


def validate_session_code(code: str) -> str:
    """A session id (`S0-L29`) stripped, or AnnotatorError; it names the post file."""
    code = code.strip()
    if not code or "/" in code:
        raise AnnotatorError(f"a session id is a name like S0-L29, not {code!r}")
    if any(unicodedata.category(c) in _ID_CATEGORIES for c in code):
        raise AnnotatorError(
            f"a session id cannot hold line breaks, tabs or invisible control characters: {code!r}")
    return code


_JEKYLL_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})(?:[ T]\d{2}:\d{2}(?::\d{2})?(?: ?[+-]\d{2}:?\d{2}|Z)?)?")


def validate_date(text: str) -> str:
    """TEXT stripped if Jekyll reads it as a date (YYYY-MM-DD, optionally a time and offset), or ''."""
    text = text.strip()
    if not text:
        return ""
    match = _JEKYLL_DATE.fullmatch(text)
    try:
        if match is None:
            raise ValueError
        dt.date.fromisoformat(match.group(1))
    except ValueError:
        raise AnnotatorError(f"not a date Jekyll can read (YYYY-MM-DD): {text!r}") from None
    return text


def validate_title(title: str) -> str:
    """A session title, stripped; an empty one is refused (the site would show nothing)."""
    if not title.strip():
        raise AnnotatorError("a session needs a title")
    return title


def ensure_course(conn: sqlite3.Connection, name: str, site_folder: str, changes: Changes) -> int:
    """The id of course NAME, created if needed."""
    name = name.strip()
    if not name:
        raise AnnotatorError("a course needs a name")
    row = conn.execute("SELECT id FROM courses WHERE name = ?", (name,)).fetchone()
    if row:
        return row[0]
    course_id = conn.execute("INSERT INTO courses (name, site_folder) VALUES (?, ?)", (name, site_folder)).lastrowid
    changes.courses.add(course_id)
    return course_id


def _session_row(conn: sqlite3.Connection, session_id: int) -> sqlite3.Row:
    row = conn.execute("SELECT * FROM sessions WHERE id = ?", (session_id,)).fetchone()
    if row is None:
        raise AnnotatorError("that session is no longer in the library")
    return row


def _reading_row(conn: sqlite3.Connection, reading_id: int) -> sqlite3.Row:
    """The reading's row, with its paper's title (`paper_title`) and its session's code (`code`) for labels."""
    row = conn.execute(
        "SELECT r.*, p.title AS paper_title, s.code AS code FROM readings r JOIN papers p ON p.id = r.paper_id "
        "JOIN sessions s ON s.id = r.session_id WHERE r.id = ?", (reading_id,)).fetchone()
    if row is None:
        raise AnnotatorError("that reading is no longer in the library")
    return row


def _quoted(title: str, width: int = 40) -> str:
    """TITLE in quotes for an Edit-menu label, cut to about WIDTH characters."""
    title = " ".join(title.split())
    return f"'{title if len(title) <= width else title[:width - 1].rstrip() + '…'}'"


def _reading_label(title: str, notes: bool, team: str | None, added: int, removed: int) -> str:
    """What an edit of the reading titled TITLE does, as the Edit menu says it ("Set team of 'X' to team-3")."""
    what = []
    if team is not None:
        what.append(f"set team of {_quoted(title)} to {team}" if team else f"clear team of {_quoted(title)}")
    if notes:
        what.append(f"edit notes of {_quoted(title)}")
    if added or removed:
        verb = "add" if added and not removed else "remove" if removed and not added else "change"
        count = added + removed
        videos = "videos" if count != 1 or verb == "change" else "video"
        where = "to" if verb == "add" else "of" if verb == "change" else "from"
        what.append(f"{verb} {videos} {where} {_quoted(title)}")
    if len(what) != 1:
        return f"Edit reading {_quoted(title)}"
    return what[0][0].upper() + what[0][1:]


def new_session(lib: Library, course: str, code: str, title: str, date: str = "") -> tuple[Changes, int]:
    """Create an empty session COURSE/CODE: (Changes, its row id)."""
    code = validate_session_code(code)
    title = validate_title(title)
    date = validate_date(date)

    def body(conn: sqlite3.Connection, changes: Changes) -> int:
        course_id = ensure_course(conn, course, "", changes)
        if conn.execute("SELECT 1 FROM sessions WHERE course_id = ? AND code = ?", (course_id, code)).fetchone():
            raise AnnotatorError(f"session {course}/{code} already exists")
        front = {"layout": "post", "title": title, "lecture": "", "lectureVersion": "next", "extraContent": "",
                 "notes": "", "video": "", "tags": []}
        if date:
            front["date"] = date
        session_id = conn.execute(
            "INSERT INTO sessions (course_id, code, title, date, kind, front_matter) VALUES (?, ?, ?, ?, ?, ?)",
            (course_id, code, title.strip(), date, SESSION_POST, json.dumps(front, ensure_ascii=False)),
        ).lastrowid
        changes.sessions.add(session_id)
        return session_id

    return _operation(lib, f"New session {code}", body)


def delete_session(lib: Library, session_id: int) -> tuple[Changes, None]:
    """Delete a session with its readings and annotations (undoable)."""

    def body(conn: sqlite3.Connection, changes: Changes) -> None:
        row = _session_row(conn, session_id)
        changes.label = f"Delete session {row['code']}"
        conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
        changes.sessions.add(session_id)

    return _operation(lib, "Delete session", body)


def edit_session(
    lib: Library,
    session_id: int,
    *,
    title: str | None = None,
    date: str | None = None,
    front_matter: dict[str, Any] | None = None,
) -> tuple[Changes, None]:
    """Set the title, date and front-matter keys (a value of None unsets that key) in one step."""
    if title is not None:
        title = validate_title(title)
    if date is not None:
        date = validate_date(date)
    if front_matter and "title" in front_matter:
        if front_matter["title"] is None:
            raise AnnotatorError("a session needs a title: change it instead of removing it")
        validate_title(str(front_matter["title"]))
    if front_matter and front_matter.get("date") is not None:
        if not isinstance(front_matter["date"], str):  # (a number or list is no date, to Jekyll or to import)
            raise AnnotatorError(f"not a date Jekyll can read (YYYY-MM-DD): {front_matter['date']!r}")
        front_matter = front_matter | {"date": validate_date(front_matter["date"])}

    def body(conn: sqlite3.Connection, changes: Changes) -> None:
        row = _session_row(conn, session_id)
        front = json.loads(row["front_matter"])
        for key, value in (front_matter or {}).items():
            if value is None:
                front.pop(key, None)
            else:
                front[key] = value
        new_title = row["title"]
        if title is not None:
            front["title"] = title
        if "title" in front and (title is not None or "title" in (front_matter or {})):
            new_title = str(front["title"]).strip()
        new_date = row["date"]
        if date is not None:
            new_date = date[:10]  # the list sorts by day; the key keeps a time and offset if given
            if date:
                front["date"] = date
            else:
                front.pop("date", None)
        elif front_matter and "date" in front_matter:
            new_date = str(front.get("date") or "")[:10]
        conn.execute(
            "UPDATE sessions SET title = ?, date = ?, front_matter = ? WHERE id = ?",
            (new_title, new_date, json.dumps(front, ensure_ascii=False), session_id),
        )
        changes.sessions.add(session_id)
        before = json.loads(row["front_matter"])
        keys = [key for key in {**before, **front} if before.get(key) != front.get(key)]
        changes.label = (f"Edit {keys[0]} of {row['code']}" if len(keys) == 1
                         else f"Edit {', '.join(keys[:3])}{'…' if len(keys) > 3 else ''} of {row['code']}" if keys
                         else f"Edit session {row['code']}")

    return _operation(lib, "Edit session", body)


def edit_reading(
    lib: Library,
    reading_id: int,
    *,
    notes: str | None = None,
    team: str | None = None,
    add_videos: list[str] = (),  # type: ignore[assignment]
    remove_videos: list[str] = (),  # type: ignore[assignment]
    videos: list[str] | None = None,
) -> tuple[Changes, None]:
    """Change a reading's notes, team and video links in one step."""
    problem = text_problem(notes) if notes is not None else None
    if problem:
        raise AnnotatorError(f"cannot save the notes: the text {problem}")
    added = [validate_video_url(u) for u in add_videos]
    replaced = [validate_video_url(u) for u in videos] if videos is not None else None
    if team is not None:
        team = validate_team(team)

    def body(conn: sqlite3.Connection, changes: Changes) -> None:
        row = _reading_row(conn, reading_id)
        changes.sessions.add(row["session_id"])
        updates: dict[str, str] = {}
        if notes is not None and notes != row["notes"]:
            updates["notes"] = notes
        if team is not None and team != row["team"]:
            updates["team"] = team
        if updates:
            assignments = ", ".join(f"{k} = ?" for k in updates)
            conn.execute(f"UPDATE readings SET {assignments} WHERE id = ?", (*updates.values(), reading_id))
        current = [r[0] for r in conn.execute(
            "SELECT url FROM reading_videos WHERE reading_id = ? ORDER BY position", (reading_id,))]
        wanted = list(replaced) if replaced is not None else list(current)
        for url in remove_videos:
            if url.strip() not in wanted:
                raise AnnotatorError(f"that reading has no video {url.strip()!r}")
            wanted.remove(url.strip())
        wanted += [u for u in added if u not in wanted]
        if wanted != current:
            conn.execute("DELETE FROM reading_videos WHERE reading_id = ?", (reading_id,))
            conn.executemany(
                "INSERT INTO reading_videos (reading_id, position, url) VALUES (?, ?, ?)",
                [(reading_id, i, url) for i, url in enumerate(wanted, 1)],
            )
        changes.label = _reading_label(row["paper_title"], "notes" in updates, updates.get("team"),
                                       len(set(wanted) - set(current)), len(set(current) - set(wanted)))

    return _operation(lib, "Edit reading", body)


def edit_paper(lib: Library, paper_id: int, fields: dict[str, str]) -> tuple[Changes, None]:
    """Correct a paper's title, URL, authors or abstract."""
    def body(conn: sqlite3.Connection, changes: Changes) -> None:
        row = conn.execute("SELECT title FROM papers WHERE id = ?", (paper_id,)).fetchone()
        if row is None:
            raise AnnotatorError("that paper is no longer in the library")
        changes.label = f"Edit paper {_quoted(row[0])}"
        update_paper(conn, paper_id, fields, changes)

    return _operation(lib, "Edit paper", body)


def merge_papers(lib: Library, keep_id: int, merged_id: int) -> tuple[Changes, None]:
    """Merge paper MERGED_ID into KEEP_ID (the same paper known twice): one paper, all its readings and notes."""

    def body(conn: sqlite3.Connection, changes: Changes) -> None:
        titles = dict(conn.execute("SELECT id, title FROM papers WHERE id IN (?, ?)", (keep_id, merged_id)).fetchall())
        changes.label = f"Merge paper {_quoted(titles.get(merged_id, '?'))} into {_quoted(titles.get(keep_id, '?'))}"
        _merge_papers(conn, keep_id, merged_id, changes)

    return _operation(lib, "Merge papers", body)


def _renumber(conn: sqlite3.Connection, session_id: int, order: list[int]) -> None:
    for position, reading_id in enumerate(order, 1):
        conn.execute(
            "UPDATE readings SET position = ? WHERE id = ? AND position != ?", (position, reading_id, position)
        )


def _reading_order(conn: sqlite3.Connection, session_id: int) -> list[int]:
    return [r[0] for r in conn.execute(
        "SELECT id FROM readings WHERE session_id = ? ORDER BY position, id", (session_id,))]


def add_reading(
    lib: Library,
    session_id: int,
    *,
    paper_id: int | None = None,
    paper: Paper | None = None,
    position: int | None = None,
    section: str = "",
) -> tuple[Changes, int]:
    """Add a reading (a library paper, or a new one by title/URL) at POSITION (1-based; default last):
    (Changes, the reading's row id)."""
    if paper_id is None and (paper is None or not (paper.title.strip() or paper.url.strip())):
        raise AnnotatorError("a reading needs a paper: give a library paper, a title or a URL")

    def body(conn: sqlite3.Connection, changes: Changes) -> int:
        _session_row(conn, session_id)
        pid = paper_id
        if pid is None:
            assert paper is not None
            (pid, _), = store_papers(conn, [paper], changes)
        elif not 0 < pid < 2**63 or conn.execute("SELECT 1 FROM papers WHERE id = ?", (pid,)).fetchone() is None:
            raise AnnotatorError(f"no paper with id {pid} in the library")
        if conn.execute("SELECT 1 FROM readings WHERE session_id = ? AND paper_id = ?", (session_id, pid)).fetchone():
            raise AnnotatorError("that paper is already a reading of this session")
        order = _reading_order(conn, session_id)
        last_section = conn.execute(
            "SELECT section FROM readings WHERE session_id = ? ORDER BY position DESC LIMIT 1", (session_id,)
        ).fetchone()
        reading_id = conn.execute(
            "INSERT INTO readings (session_id, position, section, paper_id) VALUES (?, ?, ?, ?)",
            (session_id, len(order) + 1, section or (last_section[0] if last_section else ""), pid),
        ).lastrowid
        index = len(order) if position is None else max(0, min(len(order), position - 1))
        order.insert(index, reading_id)
        _renumber(conn, session_id, order)
        changes.sessions.add(session_id)
        added = _reading_row(conn, reading_id)
        changes.label = f"Add {_quoted(added['paper_title'])} to {added['code']}"
        return reading_id

    return _operation(lib, "Add reading", body)


def remove_reading(lib: Library, reading_id: int) -> tuple[Changes, None]:
    """Remove a reading from its session (the paper stays in the library)."""

    def body(conn: sqlite3.Connection, changes: Changes) -> None:
        row = _reading_row(conn, reading_id)
        changes.label = f"Remove {_quoted(row['paper_title'])} from {row['code']}"
        conn.execute("DELETE FROM readings WHERE id = ?", (reading_id,))
        _renumber(conn, row["session_id"], _reading_order(conn, row["session_id"]))
        changes.sessions.add(row["session_id"])

    return _operation(lib, "Remove reading", body)


def move_reading(lib: Library, reading_id: int, position: int) -> tuple[Changes, None]:
    """Move a reading to POSITION (1-based) within its session."""

    def body(conn: sqlite3.Connection, changes: Changes) -> None:
        row = _reading_row(conn, reading_id)
        order = _reading_order(conn, row["session_id"])
        order.remove(reading_id)
        order.insert(max(0, min(len(order), position - 1)), reading_id)
        _renumber(conn, row["session_id"], order)
        changes.sessions.add(row["session_id"])
        changes.label = f"Move {_quoted(row['paper_title'])} to position {order.index(reading_id) + 1}"

    return _operation(lib, "Move reading", body)


def set_roster(lib: Library, course_id: int, teams: list[tuple[str, str]]) -> tuple[Changes, None]:
    """Replace a course's team roster with TEAMS [(name, members)]."""
    names = [name.strip() for name, _ in teams]
    if any(not n for n in names) or len(set(names)) != len(names):
        raise AnnotatorError("every team needs a name, and names must differ")
    for name in names:
        validate_team(name)  # the names are what readings are assigned

    def body(conn: sqlite3.Connection, changes: Changes) -> None:
        existing = {r["name"]: r for r in conn.execute("SELECT * FROM teams WHERE course_id = ?", (course_id,))}
        for name, row in existing.items():
            if name not in names:
                conn.execute("DELETE FROM teams WHERE id = ?", (row["id"],))
        for name, members in teams:
            name = name.strip()
            row = existing.get(name)
            if row is None:
                conn.execute("INSERT INTO teams (course_id, name, members) VALUES (?, ?, ?)", (course_id, name, members))
            elif row["members"] != members:
                conn.execute("UPDATE teams SET members = ? WHERE id = ?", (members, row["id"]))
        changes.teams.add(course_id)
        course = conn.execute("SELECT name FROM courses WHERE id = ?", (course_id,)).fetchone()
        changes.label = f"Edit teams of {course[0]}" if course else "Edit teams"

    return _operation(lib, "Edit teams", body)
