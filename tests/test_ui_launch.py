"""Before Qt starts: one clear line when there is no display or the X11 libraries are missing."""

from __future__ import annotations

from annotator.ui.launch import NO_DISPLAY, display_problem


def everything_found(name: str) -> str:
    return f"lib{name}.so"


def test_no_display_on_linux():
    assert display_problem({}, "linux", everything_found) == NO_DISPLAY
    assert "xvfb-run annotator" in NO_DISPLAY and "annotator --help" in NO_DISPLAY


def test_other_systems_and_explicit_platforms_are_left_to_qt():
    assert display_problem({}, "darwin", everything_found) is None
    assert display_problem({}, "win32", everything_found) is None
    assert display_problem({"QT_QPA_PLATFORM": "offscreen"}, "linux", lambda name: None) is None
    assert display_problem({"WAYLAND_DISPLAY": "wayland-0"}, "linux", lambda name: None) is None


def test_x11_with_libraries_is_fine():
    assert display_problem({"DISPLAY": ":0"}, "linux", everything_found) is None


def test_missing_xcb_library_names_the_apt_command():
    missing = {"xcb-cursor", "EGL"}
    problem = display_problem({"DISPLAY": ":0"}, "linux", lambda n: None if n in missing else everything_found(n))
    assert problem is not None and "\n" not in problem
    assert "xcb-cursor" in problem and "EGL" in problem
    assert "apt-get install libxcb-cursor0 libxcb-icccm4" in problem and problem.endswith("libdbus-1-3")
    forced = display_problem({"DISPLAY": ":0", "WAYLAND_DISPLAY": "w", "QT_QPA_PLATFORM": "xcb"}, "linux",
                             lambda n: None)
    assert forced is not None and "apt-get install" in forced
