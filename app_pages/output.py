"""The output group's indicators (one renderer for the five groups: dashboard.views.group)."""

from dashboard.views.group import render_group

render_group("output")
