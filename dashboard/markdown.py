"""Outside text inside Markdown: made inert, so it reads as text.

Streamlit renders Markdown in titles, captions, alerts, expander labels and
``st.markdown``. Text from outside (file names, cells, notes, codes, addresses,
account names, catalogue text) that must appear in one of those goes through
``plain``; everywhere else it is shown by elements that do not render Markdown
(tables, ``st.html`` with escaped text, ``st.text``). HTML that ``st.html`` cannot carry (its sanitiser drops
inline SVG) goes to ``st.markdown(..., unsafe_allow_html=True)`` through ``inert_html``.
"""

from __future__ import annotations

import re
from typing import Any

_INLINE = re.compile(r"([\\`*_\[\]<>~$:|])")  # links, images, emphasis, code, HTML, maths, icons and colours
# A heading, list item, quote or rule at the start of the text (they need a space after them, but for quotes
# and a rule of dashes): "7.874,4" and "+0,5" stay as they are.
_LINE_START = re.compile(r"^(\s*)(?:([#+\-])(?=\s|$|-)|(>)|(\d{1,9})([.)])(?=\s|$))")


def _line_start(m: re.Match) -> str:
    if m.group(2) or m.group(3):
        return f"{m.group(1)}\\{m.group(2) or m.group(3)}"
    return f"{m.group(1)}{m.group(4)}\\{m.group(5)}"


def plain(text: Any) -> str:
    """Outside text made inert for an element that renders Markdown: no link, image, emphasis, HTML, formula,
    icon or colour can appear, and no line break starts a heading or a list. The reader sees the text itself.

    >>> plain("![x](http://a/b.png) BaoCao_[SYT].csv")
    '!\\\\[x\\\\](http\\\\://a/b.png) BaoCao\\\\_\\\\[SYT\\\\].csv'
    """
    flat = " ".join(("" if text is None else str(text)).split())
    return _LINE_START.sub(_line_start, _INLINE.sub(r"\\\1", flat))


_PUNCTUATION = re.compile(r"[\\`*_\[\]~$:|!+=(){}^]")  # not "#": character references hold it
_TAG_OR_TEXT = re.compile(r"(<[^>]*>)|([^<]+)")
_ATTRIBUTE = re.compile(r'="([^"]*)"')


def _references(text: str) -> str:
    return _PUNCTUATION.sub(lambda c: f"&#{ord(c.group())};", text)


def _inert(m: re.Match) -> str:
    if m.group(2) is not None:
        return _references(m.group(2))
    return _ATTRIBUTE.sub(lambda a: '="' + _references(a.group(1)) + '"', m.group(1))


def inert_html(markup: str) -> str:
    """Escaped HTML (every outside text already through ``html.escape``) made safe for ``st.markdown`` with HTML
    allowed: one raw HTML block (no line breaks, so no blank line ends it and lets Markdown in), and every
    Markdown, maths, icon or colour character in its text and attribute values written as a character
    reference, which Markdown never reads as syntax and HTML reads back as the character.

    >>> inert_html('<div title="[a](http://x)">[a](http://x) :red[b]</div>')
    '<div title="&#91;a&#93;&#40;http&#58;//x&#41;">&#91;a&#93;&#40;http&#58;//x&#41; &#58;red&#91;b&#93;</div>'
    """
    flat = re.sub(r"[\r\n]+", " ", markup)
    return _TAG_OR_TEXT.sub(_inert, flat)
