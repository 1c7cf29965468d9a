"""Before Qt starts: say in one line why the window cannot open, instead of a Qt abort."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
from collections.abc import Callable, Mapping
from functools import partial

NO_DISPLAY_HINT = (
    "run annotator on a desktop, or under `xvfb-run annotator`; the subcommands (annotator --help) work without one"
)
NO_DISPLAY = f"no display found: {NO_DISPLAY_HINT}"
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


def x_server_answers(display: str | None, find_library: Callable[[str], str | None] = ctypes.util.find_library,
                     ) -> bool | None:
    """Whether an X server accepts a connection to DISPLAY, asked the way Qt's xcb plugin asks
    (libxcb, so X authority and ssh forwarding count); None when libxcb is missing."""
    name = find_library("xcb")
    try:
        xcb = ctypes.CDLL(name) if name else None
    except OSError:
        xcb = None
    if xcb is None:
        return None
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    # Never NULL: a failed connection is an error object, which xcb_disconnect accepts too.
    connection = xcb.xcb_connect(display.encode() if display else None, None)
    try:
        return xcb.xcb_connection_has_error(connection) == 0
    finally:
        xcb.xcb_disconnect(connection)


def display_problem(
    env: Mapping[str, str] | None = None,
    platform: str | None = None,
    find_library: Callable[[str], str | None] = ctypes.util.find_library,
    x_connects: Callable[[str | None], bool | None] | None = None,
) -> str | None:
    """One line saying why the GUI cannot start here, or None when it can.

    X_CONNECTS(display) tries the X server (True, False, or None: cannot tell); by default the
    real one is tried only when ENV is this process's own environment.
    """
    live = env is None
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    if not platform.startswith("linux"):
        return None
    if not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY") or env.get("QT_QPA_PLATFORM")):
        return NO_DISPLAY
    if _uses_xcb(env):
        if x_connects is None and live:
            x_connects = partial(x_server_answers, find_library=find_library)
        # A stale DISPLAY (an ssh session's, an Xvfb that has gone) makes Qt abort, blaming xcb-cursor.
        if x_connects is not None and x_connects(env.get("DISPLAY") or None) is False:
            return f"cannot connect to display {env.get('DISPLAY') or '(DISPLAY is not set)'}: {NO_DISPLAY_HINT}"
        missing = [name for name in XCB_LIBRARIES if not find_library(name)]
        if missing:
            return (
                f"the window system libraries Qt needs are missing ({', '.join(missing)}): "
                f"apt-get install {XCB_PACKAGES}"
            )
    return None
