"""The floor of the page benchmark: a Streamlit page with a title and a line of text, nothing else."""

import streamlit as st

st.title("Trang tối thiểu / Trivial page")
st.write("Một dòng chữ: mốc so sánh cho thời gian tải trang. / One line of text: the floor for page load times.")
