"""GitHub compare URLs: where to open a pull request after a push (the fork workflow the class uses).

GitHub's compare view is `https://github.com/OWNER/REPO/compare/BASE...HEAD`; a head in another
fork is written `HEAD_OWNER:BRANCH` (or `HEAD_OWNER:REPO:BRANCH` when the fork has another
name), and `expand=1` opens the pull request form. With a head only (`compare/BRANCH`) the base
is the repository's default branch, and on a fork GitHub offers its parent as the base.
"""

from __future__ import annotations

import re
from urllib.parse import quote

# https://github.com/o/r(.git), https://user:token@github.com/o/r, git://..., ssh://git@github.com(:22)/o/r.git,
# git@github.com:o/r.git and ssh.github.com (SSH over port 443).
_GITHUB = re.compile(
    r"(?:(?:https?|git|ssh|git\+ssh)://(?:[^@/]+@)?(?:www\.|ssh\.)?github\.com(?::\d+)?/"
    r"|(?:[^@/:]+@)?(?:ssh\.)?github\.com:)"
    r"(?P<owner>[A-Za-z0-9-]+)/(?P<repo>[A-Za-z0-9._-]+?)(?:\.git)?/?",
    re.IGNORECASE)


def github_repo(url: str) -> tuple[str, str] | None:
    """(owner, repository) when URL is a GitHub repository's clone URL, else None."""
    match = _GITHUB.fullmatch(url.strip())
    return (match["owner"], match["repo"]) if match else None


def compare_url(branch: str, remote_url: str, upstream_url: str | None = None, base: str | None = None) -> str | None:
    """The page for opening a pull request from BRANCH (its name on the remote at REMOTE_URL), or None off GitHub.

    UPSTREAM_URL is the class's repository when the user works in a fork (an `upstream` remote):
    then the pull request goes there, into BASE (default: the branch of the same name).
    """
    fork = github_repo(remote_url)
    if fork is None:
        return None
    owner, repo = fork
    head = quote(branch, safe="/")
    parent = github_repo(upstream_url) if upstream_url else None
    if parent is None or (parent[0].lower(), parent[1].lower()) == (owner.lower(), repo.lower()):
        return f"https://github.com/{owner}/{repo}/compare/{head}?expand=1"
    into = quote(base or branch, safe="/")
    where = f"{owner}:{head}" if repo.lower() == parent[1].lower() else f"{owner}:{repo}:{head}"
    return f"https://github.com/{parent[0]}/{parent[1]}/compare/{into}...{where}?expand=1"
