"""The catalogues, t(), search folding and Vietnamese order."""

from __future__ import annotations

import json
import re
import string
import unicodedata

import pytest

import settings
from dashboard import i18n
from dashboard.i18n import (
    CODES,
    LANGS,
    catalogue,
    fold,
    label,
    labels,
    matches,
    normalize_lang,
    t,
    vi_sort_key,
    vi_sorted,
)


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_catalogues_hold_the_same_keys():
    vi, en = catalogue("vi"), catalogue("en")
    assert set(vi) - set(en) == set(), "keys only in vi.json"
    assert set(en) - set(vi) == set(), "keys only in en.json"


def test_catalogues_hold_the_same_placeholders():
    vi, en = catalogue("vi"), catalogue("en")
    differ = {k: (vi[k], en[k]) for k in vi if _placeholders(vi[k]) != _placeholders(en[k])}
    assert differ == {}


def test_catalogue_files_are_clean_json():
    for lang in LANGS:
        path = settings.ROOT / "dashboard" / "locales" / f"{lang}.json"
        raw = path.read_text(encoding="utf-8")
        data = json.loads(raw)
        assert all(isinstance(v, str) and v.strip() for v in data.values()), f"empty text in {lang}.json"
        assert all(re.fullmatch(r"[a-z0-9_]+(\.[a-z0-9_]+)+", k) for k in data), "keys are dotted lower case"
        # composed form, so that search and sorting see one character per letter
        assert unicodedata.normalize("NFC", raw) == raw


def test_vietnamese_labels_with_diacritics():
    assert t("status.on_track", "vi") == "Đạt/vượt kế hoạch"
    assert t("status.at_risk", "vi") == "Có nguy cơ"
    assert t("status.off_track", "vi") == "Không đạt"
    assert t("status.no_data", "vi") == "Chưa có số liệu"
    assert t("status.late", "vi") == "Chậm báo cáo"
    assert t("group.output", "vi") == "Kết quả thực hiện nhiệm vụ"
    assert t("group.outcome", "vi") == "Kết quả chính sách / tác động"
    assert t("stage.standardized", "vi") == "Chuẩn hoá thuộc tính"
    assert t("stage.operating", "vi") == "Kết nối, vận hành"
    assert t("ui.ytd", "vi") == "Lũy kế"
    assert t("ui.vs_last_year", "vi") == "So với cùng kỳ"
    assert t("ui.vs_previous", "vi") == "So với kỳ trước"
    assert t("ui.pct_of_plan", "vi") == "% kế hoạch"
    assert t("ui.demo_banner", "vi") == "Dữ liệu minh hoạ (demo)"


def test_placeholders_are_filled():
    assert t("summary.on_track", "vi", n=14, total=18) == "14/18 chỉ tiêu đạt hoặc vượt kế hoạch"
    assert t("summary.on_track", "en", n=14, total=18) == "14 of 18 indicators on track or ahead of plan"
    with pytest.raises(KeyError):
        t("summary.on_track", "vi", n=1)  # a missing placeholder is an error, not a silent "{total}"


def test_unknown_key_raises_and_unknown_language_falls_back():
    with pytest.raises(KeyError):
        t("no.such.key", "vi")
    assert normalize_lang("xx") == "vi"
    assert normalize_lang(None) == "vi"
    assert t("page.overview", "xx") == t("page.overview", "vi")
    assert t("page.overview", "en") == "Overview"


def test_every_page_of_the_contract_has_a_title():
    for page in (
        "overview",
        "input",
        "process",
        "output",
        "outcome",
        "composite",
        "department",
        "indicator",
        "explorer",
        "submit",
        "quality",
        "catalogue",
        "present",
    ):
        for lang in LANGS:
            assert t(f"page.{page}", lang)


def test_every_code_has_a_label_in_both_languages():
    for kind, codes in CODES.items():
        for code in codes:
            assert i18n.has(f"{kind}.{code}"), f"{kind}.{code}"
            assert label(kind, code, "vi") != code
            assert label(kind, code, "en")


def test_codes_match_the_catalogue_models():
    from schema import models

    assert CODES["group"] == models.GROUPS
    assert CODES["stage"] == models.STAGES
    assert set(CODES["frequency"]) == set(models.Frequency.__args__)
    assert set(CODES["value_type"]) == set(models.ValueType.__args__)
    assert set(CODES["level"]) == set(models.Level.__args__)
    assert set(CODES["aggregation"]) == set(models.Aggregation.__args__)
    assert set(CODES["direction"]) == set(models.Direction.__args__)


def test_labels_and_unknown_codes():
    assert list(labels("status", "vi"))[:3] == ["on_track", "at_risk", "off_track"]
    assert labels("group", "en")["composite"] == "Composite indices"
    assert label("status", "something_new", "vi") == "something_new"
    assert label("status", None, "vi") == ""


def test_keys_used_in_the_code_exist():
    """Every literal key passed to t() in the app's code is in the catalogue (f-string keys are not checked)."""
    pattern = re.compile(r"""\bt\(\s*["']([A-Za-z0-9_.]+)["']""")
    files = [
        settings.ROOT / "app.py",
        *settings.ROOT.glob("dashboard/**/*.py"),
        *settings.ROOT.glob("app_pages/**/*.py"),
    ]
    missing = {}
    for path in files:
        if not path.exists():
            continue
        for key in pattern.findall(path.read_text(encoding="utf-8")):
            if not i18n.has(key):
                missing.setdefault(key, path.relative_to(settings.ROOT).as_posix())
    assert missing == {}


# --- fold and search ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Tỷ lệ hộ nghèo", "ty le ho ngheo"),
        ("ĐẮK LẮK", "dak lak"),
        ("Đồng Việt", "dong viet"),
        ("Phường  Vũ   Ninh ", "phuong vu ninh"),
        ("ư ơ ă â ê ô", "u o a a e o"),
        ("Sở Văn hóa, Thể thao và Du lịch", "so van hoa, the thao va du lich"),
        ("", ""),
        (None, ""),
    ],
)
def test_fold(text, folded):
    assert fold(text) == folded


def test_fold_is_the_same_for_composed_and_decomposed_text():
    composed = "Tỷ lệ hộ nghèo"
    assert fold(unicodedata.normalize("NFD", composed)) == fold(composed)


def test_search_without_diacritics():
    assert matches("ty le ho ngheo", "Tỷ lệ hộ nghèo")
    assert matches("TY LE", "Tỷ lệ hộ nghèo")
    assert matches("hộ nghèo", "Ty le ho ngheo")  # diacritics in the query are ignored too
    assert matches("ngheo", "PO_01", "Tỷ lệ hộ nghèo")  # any of the texts
    assert matches("", "anything")
    assert not matches("ty le ho ngheo da chieu x", "Tỷ lệ hộ nghèo")
    assert not matches("dan so", "Tỷ lệ hộ nghèo")


# --- Vietnamese order -------------------------------------------------------------------------------


def test_alphabet_order():
    letters = list("aăâbcdđeêghiklmnoôơpqrstuưvxy")
    shuffled = sorted(letters, key=lambda s: s.encode("utf-16"))  # some other order
    assert vi_sorted(shuffled) == letters


def test_tones_order_is_secondary():
    tones = ["ma", "mà", "mả", "mã", "má", "mạ"]
    assert vi_sorted(reversed(tones)) == tones
    # letters decide before tones: "mạ" comes before "mai"
    assert vi_sorted(["mai", "mạ"]) == ["mạ", "mai"]
    # tones only break ties between the same letters
    assert vi_sort_key("Đạt") > vi_sort_key("Dat")


def test_d_bar_after_d_and_horn_letters_after_plain():
    assert vi_sorted(["Đông", "Dương", "Yên"]) == ["Dương", "Đông", "Yên"]
    assert vi_sorted(["Ưng", "Uông"]) == ["Uông", "Ưng"]
    assert vi_sorted(["ơi", "ôi", "oi"]) == ["oi", "ôi", "ơi"]
    assert vi_sorted(["Ân", "Ăn", "An"]) == ["An", "Ăn", "Ân"]


def test_communes_sort_like_a_vietnamese_list():
    names = ["Đồng Việt", "Yên Dũng", "An Lạc", "Bắc Giang", "Biên Sơn", "Bồng Lai", "Cẩm Lý", "Cao Đức", "Đa Mai"]
    assert vi_sorted(names) == [
        "An Lạc",
        "Bắc Giang",
        "Biên Sơn",
        "Bồng Lai",
        "Cao Đức",
        "Cẩm Lý",
        "Đa Mai",
        "Đồng Việt",
        "Yên Dũng",
    ]


def test_sort_key_is_stable_for_case_spaces_and_forms():
    assert vi_sort_key("an lạc") < vi_sort_key("An Lạc")  # lower case first on a full tie
    assert vi_sort_key("An  Lạc") == vi_sort_key("An Lạc")
    assert vi_sort_key(unicodedata.normalize("NFD", "Bắc Ninh")) == vi_sort_key("Bắc Ninh")
    assert vi_sorted(["B", "A 2", "A 10", ""]) == ["", "A 10", "A 2", "B"]
    assert vi_sorted([{"n": "Đa"}, {"n": "Da"}], key=lambda r: r["n"]) == [{"n": "Da"}, {"n": "Đa"}]
