"""Outside text is shown as written: every Markdown and HTML character escaped (dashboard/plain.py)."""

import pytest

from dashboard.plain import md_escape


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("Sở Y tế", "Sở Y tế"),
        ("Wrong username or password.", "Wrong username or password."),
        ("**đậm** _nghiêng_", "\\*\\*đậm\\*\\* \\_nghiêng\\_"),
        ("[bấm](http://x)", "\\[bấm\\](http\\://x)"),
        ("<script>alert(1)</script>", "\\<script\\>alert(1)\\</script\\>"),
        (":red[đỏ] :smile:", "\\:red\\[đỏ\\] \\:smile\\:"),
        ("$x^2$", "\\$x^2\\$"),
        ("# tiêu đề", "\\# tiêu đề"),
        ("1. mục", "1\\. mục"),
        ("- mục\n+ mục", "\\- mục  \n\\+ mục"),
        ("a-b.c", "a-b.c"),
        (None, ""),
    ],
)
def test_markdown_characters_are_escaped(text, escaped):
    assert md_escape(text) == escaped
