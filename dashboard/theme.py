"""The one Altair theme, the shipped font and the colours that carry meaning.

Importing this module registers and enables the theme ``bac_ninh``. The font,
Be Vietnam Pro (SIL Open Font License 1.1, ``static/fonts/OFL.txt``), was
drawn for Vietnamese and ships with the repository so that server-side PNG/SVG
export renders every diacritic on any machine; ``register_fonts()`` hands it to
vl-convert. Browsers without the font fall back along ``FONT_STACK``.

Colours: status colours differ in lightness as well as hue (green, amber, red
and purple stay apart for the common colour-vision deficiencies), and every
chart also names the status in its legend, tooltip or labels, never by colour alone.
"""

from __future__ import annotations

import threading
from typing import Any

import altair as alt

import settings

THEME_NAME = "bac_ninh"
FONT = "Be Vietnam Pro"
FONT_STACK = f"{FONT}, Noto Sans, DejaVu Sans, Arial, sans-serif"
FONT_DIR = settings.FONT_DIR

# Ink and neutrals
INK = "#1f2328"
MUTED = "#5b6573"
GRID = "#e7eaef"
DOMAIN = "#b9c1cc"
PRIMARY = "#1f5c99"  # the indicator's own values
PRIMARY_LIGHT = "#9dbbe0"
ACCENT = "#b3261e"  # highlighted commune, matches the app's primaryColor
TARGET = "#2b2f36"  # target and plan lines (dashed)

STATUS_COLORS: dict[str, str] = {
    "on_track": "#1a8754",
    "at_risk": "#e8a33d",
    "off_track": "#c8323c",
    "late": "#7b5ea7",
    "no_data": "#9aa3ad",
    "no_target": "#cfd5dc",
}
# A status written as a label: its words in a dark ink of its hue on a light tint of it, with a dot of its colour
# (legible without colour too: the words say it). Tables, slides and reports use these.
STATUS_TINTS: dict[str, str] = {
    "on_track": "#e6f4ec",
    "at_risk": "#fdf3e2",
    "off_track": "#fbe9ea",
    "late": "#f0ebf7",
    "no_data": "#eef0f3",
    "no_target": "#eef0f3",
}
STATUS_INKS: dict[str, str] = {
    "on_track": "#11603b",
    "at_risk": "#7a4d00",
    "off_track": "#9b1c24",
    "late": "#553b80",
    "no_data": "#3d4550",
    "no_target": "#3d4550",
}
# Faint tints of the same colours for the threshold bands behind a history chart.
BAND_OPACITY = 0.12

TIMELINESS_COLORS: dict[str, str] = {
    "on_time": STATUS_COLORS["on_track"],
    "late": STATUS_COLORS["at_risk"],
    "missing": STATUS_COLORS["off_track"],
    "not_due": "#e3e7ec",
}

GROUP_COLORS: dict[str, str] = {
    "input": "#1f5c99",
    "process": "#2f9aa0",
    "output": "#6a8d2f",
    "outcome": "#b86e1f",
    "composite": "#7b5ea7",
}

# Categorical series (Okabe–Ito based, darkened where the original is too light on white).
SERIES = ["#1f5c99", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#7b5ea7", "#8c6d31", "#4d4d4d"]

# Text sizes (px) for the screen and for the big screen of a working session.
SIZES: dict[str, dict[str, float]] = {
    "screen": {
        "title": 17,
        "subtitle": 12.5,
        "axis_label": 12,
        "axis_title": 12,
        "legend": 12,
        "mark_text": 12,
        "stroke": 2.5,
        "point": 45,
        "height": 320,
    },
    "big_screen": {
        "title": 34,
        "subtitle": 20,
        "axis_label": 20,
        "axis_title": 20,
        "legend": 20,
        "mark_text": 22,
        "stroke": 5,
        "point": 180,
        "height": 560,
    },
}


def config(big_screen: bool = False) -> dict[str, Any]:
    """The Vega-Lite ``config`` of the theme; ``big_screen`` for presentation mode."""
    s = SIZES["big_screen" if big_screen else "screen"]
    return {
        "font": FONT_STACK,
        "background": "white",
        "padding": {"left": 8, "right": 16, "top": 8, "bottom": 8},
        "view": {"stroke": None, "continuousHeight": s["height"], "continuousWidth": 600},
        "title": {
            "anchor": "start",
            "fontSize": s["title"],
            "fontWeight": 600,
            "color": INK,
            "subtitleFontSize": s["subtitle"],
            "subtitleColor": MUTED,
            "subtitleFontWeight": 400,
            "subtitlePadding": 6,
            "offset": 14,
            "orient": "top",
            "frame": "bounds",
        },
        "axis": {
            "labelFontSize": s["axis_label"],
            "titleFontSize": s["axis_title"],
            "titleFontWeight": 500,
            "labelColor": MUTED,
            "titleColor": MUTED,
            "gridColor": GRID,
            "domainColor": DOMAIN,
            "tickColor": DOMAIN,
            "labelPadding": 4,
            "titlePadding": 8,
        },
        "axisX": {"grid": False, "labelAngle": 0, "labelOverlap": "parity"},
        "axisY": {"domain": False, "ticks": False, "tickCount": 5},
        "axisBand": {"grid": False, "ticks": False},
        "legend": {
            "labelFontSize": s["legend"],
            "titleFontSize": s["legend"],
            "titleFontWeight": 500,
            "labelColor": INK,
            "titleColor": MUTED,
            "symbolSize": s["point"] * 2,
            "orient": "top",
            "direction": "horizontal",
            "labelLimit": 320,
        },
        "line": {"strokeWidth": s["stroke"], "color": PRIMARY},
        "point": {"size": s["point"], "filled": True, "color": PRIMARY},
        "bar": {"color": PRIMARY},
        "rule": {"color": TARGET},
        "text": {"fontSize": s["mark_text"], "color": INK},
        "range": {"category": SERIES},
    }


def big_screen_overrides() -> dict[str, Any]:
    """What ``config(big_screen=True)`` changes, to lay over a chart with ``chart.configure(**...)``."""
    return {k: v for k, v in config(big_screen=True).items() if k not in ("font", "background", "range")}


@alt.theme.register(THEME_NAME, enable=True)
def _theme() -> alt.theme.ThemeConfig:
    return alt.theme.ThemeConfig(config=config())  # type: ignore[typeddict-item]


def enable() -> None:
    """Make the dashboard's theme the active Altair theme (it is on import; this restores it)."""
    alt.theme.enable(THEME_NAME)


_fonts_lock = threading.Lock()
_fonts_registered = False


def register_fonts() -> bool:
    """Give vl-convert the shipped fonts (once per process); False when the folder holds none."""
    global _fonts_registered
    with _fonts_lock:
        if _fonts_registered:
            return True
        if not any(FONT_DIR.glob("*.ttf")):
            return False
        import vl_convert

        vl_convert.register_font_directory(str(FONT_DIR))
        _fonts_registered = True
        return True
