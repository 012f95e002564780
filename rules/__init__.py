"""The rules behind every figure: one home each, no Streamlit, no database.

The dashboard, the loaders and the exports import these; nothing else computes
a figure. Each module states its rule once, in words, with a table of examples
that is also its test (``tests/test_rules_*.py``).

| rule | module |
| --- | --- |
| periods, previous period, same period last year, due dates, labels | ``rules.calendar`` |
"""
