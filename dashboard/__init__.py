"""The dashboard's logic: named queries and the evaluation of indicators (no Streamlit here)."""
