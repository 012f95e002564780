"""The report pack: the monthly or quarterly report on the indicator set (DOCX, PDF) and the working session's deck
(PPTX), from the same figures as the pages.

``content.build`` gathers what a report says, as text, from ``rules`` and ``dashboard.figures`` (the same texts as
on every page and slide); ``word`` (python-docx), ``pdf`` (Typst) and ``deck`` (python-pptx) lay it out. ``render`` is the one entry point for the
command line (``python -m loaders report``) and the dashboard's download buttons. No Streamlit here: the report
imports the dashboard's pure modules (figures, numbers, charts, views) only.

Format (Decree 30/2020/NĐ-CP, Appendix I): A4; Times New Roman 13–14 pt (the DOCX names Times New Roman; the PDF
embeds Liberation Serif 2, its metric-compatible free twin with every Vietnamese letter, shipped in
``static/fonts/liberation``); portrait margins top and bottom 20 mm, left 30 mm, right 15 mm; landscape pages
(the wide group tables) keep the binding edge at the top (top 30 mm, bottom 20 mm, left and right 20 mm); page
numbers centred at the top from page 2.
"""

from __future__ import annotations

FORMATS = ("docx", "pdf", "pptx")
MIME = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


def render(fmt: str, *args, **kwargs) -> bytes:
    """The pack in ``fmt`` ('docx', 'pdf' or 'pptx'): ``content.build``'s arguments, the file's bytes."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r}; expected one of {FORMATS}")
    from reports import content

    report = content.build(*args, chart_kind="slide" if fmt == "pptx" else "page", **kwargs)
    if fmt == "docx":
        from reports import word

        return word.write(report)
    if fmt == "pdf":
        from reports import pdf

        return pdf.write(report)
    from reports import deck

    return deck.write(report)
