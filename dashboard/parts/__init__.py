"""The Streamlit parts of pages: a tab, a header, a chooser, each a function of the page's context.

Pages under ``app_pages/`` read like a table of contents and call these; the logic behind them lives in
``dashboard/views`` (pure functions) and ``rules/``.
"""
