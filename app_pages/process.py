"""The process group's indicators (one renderer for the five groups: dashboard.parts.group)."""

from dashboard.parts.group import render_group

render_group("process")
