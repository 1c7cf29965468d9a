"""Where to open a pull request after a push: GitHub's compare URLs, from each form of a GitHub remote URL."""

from __future__ import annotations

import pytest

from annotator.site.github import compare_url, github_repo


@pytest.mark.parametrize("url", [
    "https://github.com/alice/ml-reading.git",
    "https://github.com/alice/ml-reading",
    "https://github.com/alice/ml-reading/",
    "https://alice:token@github.com/alice/ml-reading.git",
    "http://www.github.com/alice/ml-reading.git",
    "HTTPS://GitHub.com/alice/ml-reading.git",
    "git@github.com:alice/ml-reading.git",
    "github.com:alice/ml-reading",
    "ssh://git@github.com/alice/ml-reading.git",
    "ssh://git@github.com:22/alice/ml-reading.git",
    "ssh://git@ssh.github.com:443/alice/ml-reading.git",
    "git://github.com/alice/ml-reading.git",
])
def test_github_remote_forms(url: str):
    assert github_repo(url) == ("alice", "ml-reading")


@pytest.mark.parametrize("url", [
    "https://gitlab.com/alice/ml-reading.git",
    "https://github.com.evil.example/alice/ml-reading.git",
    "https://notgithub.com/alice/ml-reading.git",
    "git@github.com:alice/ml-reading/extra.git",
    "https://github.com/alice",
    "/srv/git/ml-reading.git",
    "",
])
def test_other_urls_are_not_github(url: str):
    assert github_repo(url) is None


def test_a_repo_name_with_dots_keeps_them():
    assert github_repo("git@github.com:alice/alice.github.io.git") == ("alice", "alice.github.io")


def test_same_repository_compares_the_branch_with_the_default_branch():
    assert compare_url("week-3", "git@github.com:prof/ml-reading.git") == (
        "https://github.com/prof/ml-reading/compare/week-3?expand=1")
    # an `upstream` remote naming the same repository changes nothing
    assert compare_url("week-3", "https://github.com/prof/ml-reading", "git@github.com:Prof/ML-reading.git") == (
        "https://github.com/prof/ml-reading/compare/week-3?expand=1")


def test_a_fork_compares_across_forks_into_the_class_repository():
    assert compare_url("main", "git@github.com:bob/ml-reading.git", "https://github.com/prof/ml-reading.git") == (
        "https://github.com/prof/ml-reading/compare/main...bob:main?expand=1")
    assert compare_url("notes/week 3", "git@github.com:bob/ml-reading.git", "https://github.com/prof/ml-reading.git",
                       base="gh-pages") == (
        "https://github.com/prof/ml-reading/compare/gh-pages...bob:notes/week%203?expand=1")


def test_a_fork_with_another_name_names_its_repository_too():
    assert compare_url("main", "git@github.com:bob/my-notes.git", "https://github.com/prof/ml-reading.git") == (
        "https://github.com/prof/ml-reading/compare/main...bob:my-notes:main?expand=1")


def test_no_url_off_github():
    assert compare_url("main", "https://gitlab.com/bob/ml-reading.git", "https://github.com/prof/ml-reading.git") is None
    assert compare_url("main", "/srv/git/site.git") is None
    # the fork is on GitHub, the class repository is not: the fork's own compare page
    assert compare_url("main", "git@github.com:bob/ml-reading.git", "/srv/git/site.git") == (
        "https://github.com/bob/ml-reading/compare/main?expand=1")
