"""/submit: a department downloads its template, uploads its file and reads the validation report."""

import logging

import streamlit as st

import db
from auth.errors import AuthError
from dashboard import export, state
from dashboard.downloads import offer
from dashboard.markdown import plain
from dashboard.numbers import fmt_number
from dashboard.page import setup, show_error
from dashboard.parts.explanations import answer_section
from dashboard.views import submit as view
from db import queries
from loaders.errors import UsageError

ctx = setup("submit")
st.caption(ctx.t("submit.intro"))
depts = dict(ctx.load(queries.departments).select("code", f"name_{ctx.lang}").iter_rows())
num = lambda x: fmt_number(x, ctx.lang, 0)  # noqa: E731
OUTCOME = "submit_outcome"  # the last submission's outcome, kept across reruns (never the file's bytes)

# ---- 1. the department: a submitter's own (the owner rule), else any, to read its template and its files
own = view.own_department(ctx.account) if ctx.can("submit") else None
left, right = st.columns([3, 2], gap="large")
with left:
    st.markdown("#### " + ctx.t("submit.step_department"))
    dept = state.select(
        ctx.t("submit.choose_department"), [own] if own else ["", *depts], "department", default=None if own else "",
        format_func=lambda c: f"{depts.get(c, c)} ({c})" if c else ctx.t("submit.no_department"), disabled=bool(own),
    )  # fmt: skip
    if not dept:
        st.info(ctx.t("submit.pick_department_first"), icon=":material/info:")
with right:  # ---- 2. its template
    st.markdown("#### " + ctx.t("submit.step_template"))
    st.download_button(
        ctx.t("submit.template_button"), data=lambda: view.template_bytes(dept, ctx.path, ctx.today),
        file_name=view.template_name(dept or "", ctx.today), mime=view.XLSX_MIME, key="submit_template",
        on_click="ignore", icon=":material/download:", disabled=not dept,
    )  # fmt: skip
    st.caption(ctx.t("submit.template_help"))
    with st.expander(ctx.t("submit.rules_title")):
        st.markdown(ctx.t("submit.rules"))

# ---- 3. the file, sent through the loader's public door (which checks the owner rule again as it writes)
st.markdown("#### " + ctx.t("submit.step_upload"))
if not own:
    st.warning(view.refusal(ctx.account, ctx.lang, ctx.t), icon=":material/lock:")
else:
    upload = st.file_uploader(
        ctx.t("submit.uploader"), type=None, key="submit_file", help=ctx.t("submit.uploader_help"),
        on_change=lambda: st.session_state.pop(OUTCOME, None),
    )  # fmt: skip
    if st.button(ctx.t("submit.send"), type="primary", key="submit_send", disabled=upload is None) and upload:
        try:
            now = view.submission_time(ctx.today)
            result = view.submit_bytes(upload.name, upload.getvalue(), dept, ctx.path, now, ctx.account)
        except db.DatabaseError as exc:  # DatabaseBusy among them: a clear message, nothing written
            show_error(ctx, exc)
        except (AuthError, UsageError) as exc:  # the owner rule refused, or an unknown department
            st.error(ctx.t("submit.usage_error", message=exc.message_en if ctx.lang == "en" else exc.message_vi))
        except Exception:  # the upload is the border: whatever a file does, the user gets words, not a traceback
            logging.getLogger(__name__).exception("submission of %r for %s failed", upload.name, dept)
            st.error(ctx.t("submit.unexpected"))
        else:
            st.session_state[OUTCOME] = view.Outcome.of(result, dept, upload.name)
            st.rerun()  # the data version changed: this run and every page read the new figures

# ---- the outcome: the report of a rejected file, or what an accepted one brought
outcome = st.session_state.get(OUTCOME)
if dept and outcome is not None and outcome.department == dept:
    kind, text = view.headline(outcome, ctx.t, num)
    icons = {"error": ":material/block:", "info": ":material/info:", "success": ":material/check_circle:"}
    getattr(st, kind)(text, icon=icons[kind])
    if outcome.status == "rejected":
        st.caption(ctx.t("submit.nothing_written"))
        report = view.report_frame(outcome.errors, ctx.lang)
        name = f"{ctx.t('submit.report_file')}_{outcome.file_name.rsplit('.', 1)[0]}"
        if report.height <= view.READABLE_REPORT_ROWS:  # every message readable in full, wrapped
            st.dataframe(view.report_display(report, ctx.t), hide_index=True, key="submit_report")
        else:
            st.dataframe(report, hide_index=True, key="submit_report", column_config=view.report_columns(ctx.t))
        d1, d2, _ = st.columns([1, 1.3, 3.7])  # the department's own report: downloadable whatever the role
        offer(ctx, d1, "csv", name, "submit_report", lambda: export.table_csv(report), report.height, right=None)
        offer(ctx, d2, "xlsx", name, "submit_report", lambda: export.table_xlsx(report), report.height, right=None)
    elif outcome.status == "accepted":
        m1, m2, m3, m4 = st.columns(4)
        m1.metric(ctx.t("submit.metric_rows"), num(outcome.rows))
        m2.metric(ctx.t("submit.metric_new"), num(outcome.new_rows))
        m3.metric(ctx.t("submit.metric_revised"), num(outcome.revised_rows))
        m4.metric(ctx.t("submit.metric_submission"), str(outcome.submission_id))
        st.markdown(view.links_line(ctx.t, ctx.lang, dept))

# ---- the department's recent submissions (read at this run's data version)
if dept:
    st.markdown("#### " + ctx.t("submit.recent"))
    recent = ctx.load(queries.submissions, dept, None, 10)
    if recent.is_empty():
        st.caption(ctx.t("submit.no_recent"))
    else:
        st.dataframe(
            view.recent_table(recent, ctx.t), hide_index=True, key="submit_recent",
            column_config=view.recent_columns(ctx.t),
        )  # fmt: skip

# ---- explanations the leadership asked of the department, answered here as on the department's page
if own:
    st.markdown("#### " + ctx.t("explanations.for_department", department=plain(depts.get(own, own))))
    answer_section(ctx, own, depts.get(own, own), "submit")
