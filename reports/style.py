"""The report pack's colours: pale tints behind a status (its words always printed too, so a black-and-white copy
reads the same), and the deck's status colours (the dashboard's, ``dashboard.theme``)."""

from __future__ import annotations

from dashboard import theme

STATUS_TINT = {
    "on_track": "#E6F4EC",
    "at_risk": "#FDF3E2",
    "off_track": "#FBE9EA",
    "late": "#F0EBF7",
    "no_data": "#EEF0F3",
    "no_target": "#EEF0F3",
}
STATUS_INK = {
    "on_track": "#11603B",
    "at_risk": "#7A4D00",
    "off_track": "#9B1C24",
    "late": "#553B80",
    "no_data": "#3D4550",
    "no_target": "#3D4550",
}
STATUS_DOT = dict(theme.STATUS_COLORS)
