"""Before Qt starts: say in one line why the window cannot open, instead of a Qt abort."""

from __future__ import annotations

import ctypes.util
import os
import sys
from collections.abc import Callable, Mapping

NO_DISPLAY = (
    "no display found: run annotator on a desktop, or under `xvfb-run annotator`; "
    "the subcommands (annotator --help) work without one"
)
XCB_PACKAGES = (
    "libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 "
    "libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxkbcommon-x11-0 libegl1 libgl1 libfontconfig1 libdbus-1-3"
)
# The libraries Qt's xcb platform plugin cannot start without (ctypes.util.find_library names).
XCB_LIBRARIES = ("xcb-cursor", "xkbcommon-x11", "EGL", "GL", "fontconfig", "dbus-1")


def _uses_xcb(env: Mapping[str, str]) -> bool:
    """Whether Qt would pick the xcb (X11) plugin: asked for, or X11 without Wayland."""
    platform = env.get("QT_QPA_PLATFORM", "").strip().lower()
    if platform:
        return platform.split(";")[0].split(":")[0] == "xcb"
    return bool(env.get("DISPLAY")) and not env.get("WAYLAND_DISPLAY")


def display_problem(
    env: Mapping[str, str] | None = None,
    platform: str | None = None,
    find_library: Callable[[str], str | None] = ctypes.util.find_library,
) -> str | None:
    """One line saying why the GUI cannot start here, or None when it can."""
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    if not platform.startswith("linux"):
        return None
    if not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY") or env.get("QT_QPA_PLATFORM")):
        return NO_DISPLAY
    if _uses_xcb(env):
        missing = [name for name in XCB_LIBRARIES if not find_library(name)]
        if missing:
            return (
                f"the window system libraries Qt needs are missing ({', '.join(missing)}): "
                f"apt-get install {XCB_PACKAGES}"
            )
    return None
