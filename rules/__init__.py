"""The rules behind every figure: one home each, no Streamlit, no database.

The dashboard, the loaders, the exports and the reports import these; nothing
else computes a figure. Each module states its rule once, in words, with a
table of examples that is also its test (``tests/test_rules_*.py``).

| rule | module |
| --- | --- |
| periods, previous period, same period last year, elapsed share, due dates, labels | ``rules.calendar`` |
| the province value from communes (in SQL and in frames), which level is submitted | ``rules.province`` |
| year to date (lũy kế) | ``rules.ytd`` |
| plan to date, % of the year's target, % of the plan to date, thresholds, status | ``rules.plan`` |
| trend against the previous period | ``rules.trend`` |
| computed composites | ``rules.composites`` |
| late and no data; every figure of an indicator, composed | ``rules.evaluate`` |
| on time, within a stated window | ``rules.timeliness`` |
| counts by status, group and department; the warnings | ``rules.tally`` |
| outliers and catalogue gaps | ``rules.quality`` |
| what the rules read, and the date of the data ("as of") | ``rules.store`` |
"""
