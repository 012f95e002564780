"""The dashboard's own stylesheet for every screen, from a 1024×768 tablet to a 1920×1080 screen.

Streamlit sizes its sidebar (300 px) and page margins (5 rem each side, 6 rem on top) for wide screens: on a
tablet they left the page about 560 px. Below 1200 px wide the sidebar narrows to 250 px (its links wrap
rather than lose their ends) (it still collapses
with its own button) and the margins to 1.25 rem; the top margin is smaller everywhere. A metric's value
shrinks with the screen instead of breaking a word over two lines, and its label wraps instead of being cut short
(a label may state a window: "Nộp đúng hạn · hạn nộp Tháng 1/2025 – Kỳ mới nhất"). ``app.py`` adds it to every
page.
"""

STYLE = """
<style>
[data-testid="stMainBlockContainer"]{padding-top:4rem}
@media (max-width:1199px){
  [data-testid="stSidebar"][aria-expanded="true"],section[data-testid="stSidebar"]:not([aria-expanded="false"]){
    width:250px!important;min-width:250px!important}
  [data-testid="stSidebar"] [data-testid="stSidebarUserContent"]{padding-left:1rem;padding-right:1rem}
  [data-testid="stMainBlockContainer"]{padding-left:1.25rem!important;padding-right:1.25rem!important;
    padding-top:3.6rem}
}
[data-testid="stSidebar"] [data-testid="stPageLink"] p,[data-testid="stSidebar"] [data-testid="stPageLink"] span{
  white-space:normal!important;overflow:visible!important;text-overflow:clip!important}
[data-testid="stMetricValue"]{font-size:clamp(1.35rem,2.1vw,2.1rem)}
[data-testid="stMetricValue"] div{overflow-wrap:normal;word-break:keep-all}
[data-testid="stMetricLabel"] *{white-space:normal!important;overflow:visible!important;text-overflow:clip!important;
  overflow-wrap:normal;word-break:normal}
</style>
"""
