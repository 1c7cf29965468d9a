"""Who does what in each session of a course: the lead team, the blog team, the readings' teams.

Front matter `video` names the lead (presenting) team and `notes` the blog team (docs/formats.md section 1);
a reading's `team` presents that paper. Teams are the course roster plus every such name in use.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass, field
from typing import Any


@dataclass
class TeamDuties:
    """One team's duties in one session."""

    lead: bool = False
    blog: bool = False
    readings: int = 0

    def labels(self) -> list[str]:
        """['lead', 'blog', 'N readings'] as they apply."""
        found = [name for name, on in (("lead", self.lead), ("blog", self.blog)) if on]
        if self.readings:
            found.append(f"{self.readings} reading{'s' if self.readings != 1 else ''}")
        return found


@dataclass
class SessionWorkload:
    """A session's row of the workload grid: duties by team name."""

    session_id: int
    date: str
    code: str
    title: str
    duties: dict[str, TeamDuties] = field(default_factory=dict)
    other: list[str] = field(default_factory=list)  # lead/blog values that name no team ("blog: Invited Speaker")


@dataclass
class CourseWorkload:
    """The workload grid of one course."""

    teams: list[str]
    sessions: list[SessionWorkload]
    members: dict[str, str] = field(default_factory=dict)  # roster team name -> members text

    def counts(self, team: str) -> tuple[int, int, int]:
        """(sessions led, blogs written, readings presented) by TEAM over the course."""
        duties = [s.duties[team] for s in self.sessions if team in s.duties]
        return sum(d.lead for d in duties), sum(d.blog for d in duties), sum(d.readings for d in duties)


def team_name(value: Any) -> str:
    """VALUE as a team name, or '' when it is none (empty, not text, or raw HTML such as a video link)."""
    if not isinstance(value, str):
        return ""
    name = " ".join(value.split())
    if not name or "<" in name or ">" in name:
        return ""
    return name


# What a team is called when the roster does not say: team-3, Team 3, group_A (not "see slack", not "instructor").
_TEAM_LIKE = re.compile(r"(?:team|group)[ _-]?[0-9a-z]{1,3}", re.IGNORECASE)


def is_team(name: str, roster: set[str]) -> bool:
    """True when NAME is a team: in the course's ROSTER (casefolded names), or named like one (`team-3`)."""
    return name.casefold() in roster or _TEAM_LIKE.fullmatch(name) is not None


def natural_key(name: str) -> list[Any]:
    """Sort key that puts team-2 before team-10."""
    return [int(part) if part.isdigit() else part.casefold() for part in re.split(r"(\d+)", name)]


def course_team_names(conn: sqlite3.Connection, course_id: int) -> list[str]:
    """The course's roster plus team names already used in it (readings' teams, and lead or blog values
    that are teams: not "Invited Speaker"), sorted."""
    roster = {r[0] for r in conn.execute("SELECT name FROM teams WHERE course_id = ?", (course_id,))}
    names = set(roster) | {r[0] for r in conn.execute(
        "SELECT DISTINCT r.team FROM readings r JOIN sessions s ON s.id = r.session_id WHERE s.course_id = ?",
        (course_id,))}
    folded = {name.casefold() for name in roster}
    for lead, blog in conn.execute(
        "SELECT json_extract(front_matter, '$.video'), json_extract(front_matter, '$.notes') FROM sessions "
        "WHERE course_id = ?", (course_id,)):
        names |= {name for name in (team_name(lead), team_name(blog)) if is_team(name, folded)}
    return sorted((n for n in names if n.strip()), key=natural_key)


def roster_to_edit(conn: sqlite3.Connection, course_id: int) -> list[tuple[str, str]]:
    """The roster as the Teams dialog opens it: the stored teams, then the teams the course's posts use
    that it lacks (without members), one spelling of each."""
    roster = course_roster(conn, course_id)
    known = {name.casefold() for name, _ in roster}
    for name in course_team_names(conn, course_id):
        if name.casefold() not in known:
            known.add(name.casefold())
            roster.append((name, ""))
    return roster


def list_courses(conn: sqlite3.Connection) -> list[tuple[int, str]]:
    """Every course as (id, name), by name."""
    return [(r[0], r[1]) for r in conn.execute("SELECT id, name FROM courses ORDER BY name COLLATE NOCASE")]


def course_roster(conn: sqlite3.Connection, course_id: int) -> list[tuple[str, str]]:
    """A course's teams as (name, members), in the order they were entered."""
    rows = conn.execute("SELECT name, members FROM teams WHERE course_id = ? ORDER BY id", (course_id,))
    return [(r[0], r[1]) for r in rows]


def course_workload(conn: sqlite3.Connection, course_id: int) -> CourseWorkload:
    """The duties of every team in every session of COURSE_ID (sessions by date, then id)."""
    roster = course_roster(conn, course_id)
    spelling: dict[str, str] = {}  # casefolded name -> the first spelling seen (roster first)

    def canonical(value: Any) -> str:
        name = team_name(value)
        return spelling.setdefault(name.casefold(), name) if name else ""

    for name, _members in roster:
        canonical(name)
    roster_names = {name.casefold() for name, _ in roster}
    sessions: dict[int, SessionWorkload] = {}
    for row in conn.execute(
        "SELECT id, date, code, title, front_matter FROM sessions WHERE course_id = ? ORDER BY date = '', date, code",
        (course_id,),
    ):
        session = sessions[row[0]] = SessionWorkload(row[0], row[1], row[2], row[3])
        front = json.loads(row[4] or "{}")
        for key, duty in (("video", "lead"), ("notes", "blog")):
            name = team_name(front.get(key))
            if name and not is_team(name, roster_names):
                session.other.append(f"{duty}: {name}")
            elif name:
                setattr(session.duties.setdefault(canonical(name), TeamDuties()), duty, True)
    for session_id, team, count in conn.execute(
        """SELECT r.session_id, r.team, count(*) FROM readings r JOIN sessions s ON s.id = r.session_id
           WHERE s.course_id = ? AND r.team != '' GROUP BY r.session_id, r.team""",
        (course_id,),
    ):
        name = canonical(team)
        if name:
            sessions[session_id].duties.setdefault(name, TeamDuties()).readings += count
    teams = sorted(spelling.values(), key=natural_key)
    members = {name: text for name, text in roster}
    return CourseWorkload(teams, list(sessions.values()), members)
