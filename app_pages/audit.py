"""/audit: who did what, when and on what, in words; filtered by date, action, account and department (admins)."""

import streamlit as st

from auth.audit import audit_choices, read_audit
from dashboard import components, state
from dashboard.login import require_role
from dashboard.page import setup
from dashboard.views import audit as view
from db import queries

SHOWN = 2000
ctx = setup("audit")
require_role(ctx.account, "admin", ctx.lang)
st.caption(ctx.t("audit.intro"))

choices = ctx.load(audit_choices)
actions = choices.filter(kind="action")["value"].to_list()
actors = choices.filter(kind="actor")["value"].to_list()
departments = dict(ctx.load(queries.departments).select("code", f"name_{ctx.lang}").iter_rows())

with st.container(border=True):
    first, last, what = st.columns([1.25, 1.25, 2])
    start = first.date_input(
        ctx.t("audit.from"), value=view.parse_day(state.param("from")), format="DD/MM/YYYY", key="audit_from"
    )
    end = last.date_input(
        ctx.t("audit.to"), value=view.parse_day(state.param("to")), format="DD/MM/YYYY", key="audit_to"
    )
    state.set_param("from", start.isoformat() if start else None)
    state.set_param("to", end.isoformat() if end else None)
    chosen = state.multiselect(
        ctx.t("audit.action"), actions, "action", lambda a: view.action_text(a, ctx.lang), what,
        placeholder=ctx.t("audit.all"),
    )  # fmt: skip
    who, where = st.columns(2)
    actor = state.select(
        ctx.t("audit.actor"), ["", *actors], "actor", "", lambda a: view.actor_text(a, ctx.lang) if a else
        ctx.t("ui.all"), who,
    )  # fmt: skip
    department = state.select(
        ctx.t("ui.department"), ["", *departments], "department", "",
        lambda c: f"{c} – {departments[c]}" if c else ctx.t("ui.all"), where,
    )  # fmt: skip

since, until = view.date_range(start, end)
log = ctx.load(read_audit, action=chosen or None, actor=actor or None, since=since, until=until,
               department=department or None, limit=SHOWN)  # fmt: skip
if log.is_empty():
    components.empty(ctx, "ui.empty")
else:
    st.caption(ctx.t("audit.count", n=log.height) if log.height < SHOWN else ctx.t("audit.count_most", n=SHOWN))
    shown = view.readable(log, ctx.lang)
    names = view.column_names(ctx.lang)
    config = {
        "when": st.column_config.DatetimeColumn(names["when"], format="DD/MM/YYYY HH:mm", width=140),
        "who": st.column_config.TextColumn(names["who"], width=130),
        "what": st.column_config.TextColumn(names["what"], width=160),
        "target": st.column_config.TextColumn(names["target"], width=110),
        "department": st.column_config.TextColumn(names["department"], width=80),
        "detail": st.column_config.TextColumn(names["detail"], width="large"),
    }
    components.table(ctx, shown, "nhat-ky-he-thong", "audit", column_config=config,
                     downloads=shown.rename(names), height=560)  # fmt: skip
