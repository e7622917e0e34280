"""The message catalogue: every entry complete in both languages, lookups, fields and the errors of a bad call."""

from __future__ import annotations

import re
import string

import pytest
import yaml

from cbindex.core import messages
from cbindex.core.errors import CBIDefectError
from cbindex.core.messages import CATALOGUE_DIR, LANGUAGES, message, pair, section
from cbindex.core.messages import messages as in_all

HAN = re.compile(r"[\u4e00-\u9fff]")


def entries() -> list[tuple[str, str, dict[str, str]]]:
    """Every (section, key, texts) of the catalogue, read straight from the YAML files (not through the API)."""
    found = []
    for path in sorted(CATALOGUE_DIR.glob("*.yaml")):
        for key, texts in yaml.safe_load(path.read_text(encoding="utf-8")).items():
            found.append((path.stem, key, texts))
    return found


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_the_catalogue_has_the_sections_the_code_reads():
    assert {"report", "scorecard", "workbook", "headline", "status", "qgis"} <= set(messages.catalogue())
    assert len(entries()) > 150


@pytest.mark.parametrize(("name", "key", "texts"), entries(), ids=lambda value: value if isinstance(value, str) else "")
def test_every_entry_has_english_and_chinese(name, key, texts):
    assert set(texts) == set(LANGUAGES), f"{name}.{key}"
    assert texts["en"].strip() and texts["zh"].strip()
    bare = re.sub(r"\{[^{}]*\}", "", texts["zh"])  # the text without its fields
    assert HAN.search(bare) or not re.search(r"[A-Za-z]{3,}", bare), f"{name}.{key} zh is not Chinese"
    assert not HAN.search(texts["en"]), f"{name}.{key} en holds Chinese"
    # placeholders are plain names (a call passes them as keywords), in both languages
    for text in texts.values():
        assert all(field.isidentifier() for field in placeholders(text)), (name, key, text)


def test_message_fills_fields_in_each_language():
    assert message("report.natural_map", "en", year=2020) == "Natural areas, 2020"
    assert message("report.natural_map", "zh", year=2020) == "自然区域，2020年"
    assert in_all("report.natural_map", year=2020) == {"en": "Natural areas, 2020", "zh": "自然区域，2020年"}
    assert pair("status.not_assessed") == ("not assessed", "未评估")


def test_a_language_may_use_fewer_fields_than_the_call_passes():
    fields = {"phrase": "2 indicators (I1, I2)", "count": 2, "ids": "I1, I2", "has": "have", "is_": "are"}
    english, chinese = pair("scorecard.status_no_bands", **fields)
    assert english == "2 indicators (I1, I2) have no known bands and are not scored unless the city configures bands."
    assert chinese == "2 项指标（I1, I2）没有已知的评分区间，除非城市自行设定，否则不评分。"


def test_section_is_the_english_and_chinese_templates():
    report = section("report")
    assert report["natural_map"] == ("Natural areas, {year}", "自然区域，{year}年")
    from cbindex.report.text import LABELS, text

    assert report == LABELS
    assert text("natural_map", "zh", year=2016) == "自然区域，2016年"


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: message("report.no_such_key", "en"), "'report.no_such_key' is not in the catalogue"),
        (lambda: message("nosection.title", "en"), "cbindex/core/catalogue/nosection.yaml"),
        (lambda: message("report.title", "fr"), "Language 'fr' is not one of the catalogue's: en, zh."),
        (lambda: message("report.natural_map", "zh", city="x"), "Message 'report.natural_map' (zh) needs the field"),
        (lambda: section("nosection"), "no section 'nosection'"),
    ],
)
def test_a_bad_call_is_a_defect_naming_the_key(call, words):
    with pytest.raises(CBIDefectError, match=re.escape(words)):
        call()


def test_a_broken_catalogue_file_is_a_defect(tmp_path, monkeypatch):
    (tmp_path / "report.yaml").write_text("title:\n  en: Title\n", encoding="utf-8")
    monkeypatch.setattr(messages, "CATALOGUE_DIR", tmp_path)
    messages.catalogue.cache_clear()
    try:
        with pytest.raises(CBIDefectError, match=r"report.yaml: entry 'title' must have exactly the languages en, zh"):
            messages.catalogue()
    finally:
        monkeypatch.undo()
        messages.catalogue.cache_clear()
