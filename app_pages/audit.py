"""/audit: who did what and when (admins only)."""

import streamlit as st

from auth.audit import MAX_LIMIT, read_audit
from dashboard import components, state
from dashboard.login import require_role
from dashboard.page import setup

ctx = setup("audit")
require_role(ctx.account, "admin", ctx.lang)

actions = ["", *ctx.load(read_audit, limit=MAX_LIMIT)["action"].unique().sort().to_list()]
left, right = st.columns(2)
action = state.select(ctx.t("audit.action"), actions, key="action", default="", container=left,
                      format_func=lambda a: a or ctx.t("audit.all"))  # fmt: skip
actor = state.text(ctx.t("audit.actor"), key="actor", container=right)

log = ctx.load(read_audit, action=action or None, actor=actor or None, limit=2000)
if log.is_empty():
    components.empty(ctx)
else:
    st.caption(ctx.t("audit.count", n=log.height))
    components.table(ctx, log, "nhat-ky-he-thong", key="audit")
