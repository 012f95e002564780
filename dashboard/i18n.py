"""Every visible string goes through ``t(key, lang)``; plus Vietnamese search folding and sort order.

The catalogues are ``dashboard/locales/vi.json`` and ``en.json``: flat maps of
dotted keys (``status.on_track``, ``page.overview``, ``ui.download_csv``) to
text with ``{name}`` placeholders; each page may keep its own strings in
``locales/vi/<page>.json`` and ``locales/en/<page>.json``. To add a string, add the same key to both
languages (``tests/test_i18n.py`` checks that keys and placeholders match).
Indicator names, units and department names are data, not catalogue entries.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

LANGS: tuple[str, ...] = ("vi", "en")
DEFAULT_LANG = "vi"
_LOCALES = Path(__file__).resolve().parent / "locales"

# Code lists whose labels live in the catalogue under "<kind>.<code>", in display order.
CODES: dict[str, tuple[str, ...]] = {
    "status": ("on_track", "at_risk", "off_track", "late", "no_data", "no_target"),
    "group": ("input", "process", "output", "outcome", "composite"),
    "frequency": ("weekly", "monthly", "quarterly", "half_yearly", "annual"),
    "value_type": ("flow", "ytd", "stock", "rate"),
    "level": ("province", "commune"),
    "aggregation": ("sum", "mean", "none"),
    "direction": ("up", "down", "target"),
    "stage": ("identified", "proposed", "standardized", "verified", "published", "operating"),
    "trend": ("improving", "stable", "worsening", "up", "down", "unknown"),
    "timeliness": ("on_time", "late", "missing", "not_due"),
    "kind": ("phuong", "xa"),
}


def normalize_lang(lang: str | None) -> str:
    """A supported language code; anything else (a stray ``?lang=xx``) falls back to Vietnamese."""
    return lang if lang in LANGS else DEFAULT_LANG


@cache
def catalogue(lang: str) -> dict[str, str]:
    """The whole catalogue of one language (read once per process)."""
    lang = normalize_lang(lang)
    with open(_LOCALES / f"{lang}.json", encoding="utf-8") as f:
        merged = json.load(f)
    # Pages keep their own strings in locales/<lang>/<page>.json, merged in name order.
    for extra in sorted((_LOCALES / lang).glob("*.json")):
        with open(extra, encoding="utf-8") as f:
            merged.update(json.load(f))
    return merged


def t(key: str, lang: str = DEFAULT_LANG, **fmt: Any) -> str:
    """The text for ``key`` in ``lang``, with ``{placeholders}`` filled from ``fmt``.

    An unknown key raises KeyError so that a page's smoke test catches it
    before a user sees a raw key.
    """
    text = catalogue(normalize_lang(lang))[key]
    return text.format(**fmt) if fmt else text


def localized(row: Any, field: str, lang: str, fallback: str = "code") -> str:
    """A data field in the reader's language (``name_vi`` / ``name_en``), the other language, then the row's
    ``fallback`` column: ``localized(row, "name", "en")``, ``localized(row, "owner_name", "vi", "owner")``."""
    first, second = (f"{field}_vi", f"{field}_en") if normalize_lang(lang) == "vi" else (f"{field}_en", f"{field}_vi")
    return str(row.get(first) or row.get(second) or row.get(fallback) or "")


def has(key: str) -> bool:
    """Whether the catalogue holds ``key``."""
    return key in catalogue(DEFAULT_LANG)


def label(kind: str, code: str | None, lang: str = DEFAULT_LANG) -> str:
    """The label of a code: ``label("status", "on_track", "vi")`` -> ``Đạt/vượt kế hoạch``.

    An unknown code is returned as it is, so a new value in the data shows up rather than crashing a page.
    """
    if code is None:
        return ""
    key = f"{kind}.{code}"
    return t(key, lang) if has(key) else str(code)


def labels(kind: str, lang: str = DEFAULT_LANG, codes: Iterable[str] | None = None) -> dict[str, str]:
    """Code -> label for a whole code list, in display order (for select boxes and chart legends)."""
    return {code: label(kind, code, lang) for code in (CODES[kind] if codes is None else codes)}


# --- Search without diacritics ------------------------------------------------------------------

_D = str.maketrans({"đ": "d", "Đ": "D"})


def fold(text: str | None) -> str:
    """Lower case without diacritics, spaces collapsed: ``Tỷ lệ hộ nghèo`` -> ``ty le ho ngheo``."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", str(text).translate(_D))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())


def matches(query: str | None, *texts: str | None) -> bool:
    """Whether every word of ``query`` occurs in one of ``texts``, ignoring case and diacritics."""
    words = fold(query).split()
    haystack = " ".join(fold(x) for x in texts)
    return all(w in haystack for w in words)


# --- Vietnamese alphabetical order ----------------------------------------------------------------

_ALPHABET = list("aăâbcdđeêfghijklmnoôơpqrstuưvwxyz")  # f j w z (loan words) at their Latin places
_RANK = {ch: i for i, ch in enumerate(_ALPHABET)}
# letter-forming marks in NFD: breve (ă), circumflex (â ê ô), horn (ơ ư)
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}
# tone marks, in dictionary order: none, huyền, hỏi, ngã, sắc, nặng
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_LETTER_BASE = 100  # below: spaces, punctuation and digits; above: letters; then anything else


def _clusters(text: str) -> list[tuple[str, str, int]]:
    """Split into (base letter with its letter marks, original cluster, tone)."""
    out: list[tuple[str, str, int]] = []
    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.combining(ch) and out:
            base, orig, tone = out[-1]
            if ch in _TONES:
                out[-1] = (base, orig + ch, _TONES[ch])
            else:
                out[-1] = (base + ch, orig + ch, tone)
        else:
            out.append((ch, ch, 0))
    return out


def _letter_rank(base: str) -> int:
    letter = unicodedata.normalize("NFC", base.lower())
    if letter in _RANK:
        return _LETTER_BASE + _RANK[letter]
    if letter.isspace():
        return 0
    if letter.isdigit():
        return 10 + int(letter) if letter in "0123456789" else 20
    if not letter.isalnum():
        return 1  # punctuation sorts with spaces, before digits
    return _LETTER_BASE + len(_ALPHABET) + ord(letter[0])


def vi_sort_key(text: str | None) -> tuple:
    """Key for Vietnamese alphabetical order: a ă â b c d đ e ê … then tones (none, huyền, hỏi, ngã, sắc, nặng).

    Letters decide first, over the whole text; tones break ties left to right;
    then lower case before upper case.
    """
    clusters = _clusters(" ".join(str(text or "").split()))
    letters = tuple(_letter_rank(base) for base, _, _ in clusters)
    tones = tuple(tone for _, _, tone in clusters)
    case = tuple(1 if orig[:1].isupper() else 0 for _, orig, _ in clusters)
    return (letters, tones, case)


def vi_sorted(items: Iterable[Any], key: Any = None) -> list[Any]:
    """Sort in Vietnamese order; ``key`` picks the text from each item."""
    return sorted(items, key=lambda item: vi_sort_key(key(item) if key else item))
