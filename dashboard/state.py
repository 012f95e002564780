"""A view's state lives in the address: language and filters are query parameters.

Widgets are created through these helpers so that a copied link opens the same
view: the widget starts from the query parameter and writes its value back.
Widget keys never depend on the language.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

LANGS = ("vi", "en")


def current_lang() -> str:
    """The language from the address (?lang=en), Vietnamese by default."""
    lang = st.query_params.get("lang", "vi")
    return lang if lang in LANGS else "vi"


def set_param(key: str, value: str | list[str] | None, default: str | list[str] | None = None) -> None:
    """Write a filter into the address; defaults are left out to keep links short."""
    if value in (None, "", [], default):
        if key in st.query_params:
            del st.query_params[key]
    else:
        st.query_params[key] = value


def param(key: str, default: str | None = None) -> str | None:
    return st.query_params.get(key, default)


def param_list(key: str) -> list[str]:
    return [v for v in st.query_params.get_all(key) if v]


def select(
    label: str,
    options: Sequence[Any],
    key: str,
    default: Any = None,
    format_func: Callable[[Any], str] = str,
    container: Any = st,
    **kwargs: Any,
) -> Any:
    """A selectbox bound to the query parameter ``key``."""
    options = list(options)
    wanted = param(key, None if default is None else str(default))
    as_text = [str(o) for o in options]
    index = as_text.index(wanted) if wanted in as_text else (as_text.index(str(default)) if default in options else 0)
    if not options:
        return None
    value = container.selectbox(label, options, index=index, key=f"qp_{key}", format_func=format_func, **kwargs)
    set_param(key, None if value is None else str(value), None if default is None else str(default))
    return value


def multiselect(
    label: str,
    options: Sequence[Any],
    key: str,
    format_func: Callable[[Any], str] = str,
    container: Any = st,
    **kwargs: Any,
) -> list[Any]:
    """A multiselect bound to a repeated query parameter (?key=a&key=b)."""
    options = list(options)
    by_text = {str(o): o for o in options}
    chosen = [by_text[v] for v in param_list(key) if v in by_text]
    value = container.multiselect(label, options, default=chosen, key=f"qp_{key}", format_func=format_func, **kwargs)
    set_param(key, [str(v) for v in value])
    return value


def text(label: str, key: str, container: Any = st, **kwargs: Any) -> str:
    """A text input bound to the query parameter ``key``."""
    value = container.text_input(label, value=param(key, "") or "", key=f"qp_{key}", **kwargs)
    set_param(key, value.strip())
    return value.strip()


def toggle(label: str, key: str, on: str, container: Any = st, **kwargs: Any) -> bool:
    """A toggle bound to the query parameter ``key`` (``?key=on`` when on, absent when off)."""
    value = container.toggle(label, value=param(key) == on, key=f"qp_{key}", **kwargs)
    set_param(key, on if value else None)
    return value
