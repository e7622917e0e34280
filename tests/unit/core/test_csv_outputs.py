"""CSV outputs in the encoding of config csv_encoding: UTF-8 with a byte-order mark by default (Excel then opens
Chinese text as UTF-8), plain UTF-8 on request; pandas reads both back unchanged."""

import codecs

import pandas as pd
import pytest

from cbindex.core.errors import CBIInputError
from cbindex.core.indicator_table import IndicatorValue, write_csv, write_indicator_table

TABLE = pd.DataFrame({"indicator": ["I1"], "name_zh": ["城市中自然区域的比例"], "value": [17.46]})


def test_the_default_writes_a_byte_order_mark(tmp_path):
    path = tmp_path / "t.csv"
    write_csv(TABLE, path)
    raw = path.read_bytes()
    assert raw.startswith(codecs.BOM_UTF8 + b"indicator,name_zh,value\n")
    assert "城市中自然区域的比例".encode() in raw
    pd.testing.assert_frame_equal(pd.read_csv(path), TABLE)  # pandas takes the mark off


def test_plain_utf8_has_no_mark_and_the_same_text(tmp_path):
    write_csv(TABLE, tmp_path / "plain.csv", encoding="utf-8")
    write_csv(TABLE, tmp_path / "bom.csv", encoding="utf-8-sig")
    plain = (tmp_path / "plain.csv").read_bytes()
    assert not plain.startswith(codecs.BOM_UTF8)
    assert codecs.BOM_UTF8 + plain == (tmp_path / "bom.csv").read_bytes()


def test_an_encoding_excel_cannot_be_told_about_is_refused(tmp_path):
    with pytest.raises(CBIInputError, match=r"csv_encoding is 'gbk'; use utf-8-sig .* or utf-8"):
        write_csv(TABLE, tmp_path / "t.csv", encoding="gbk")
    assert not (tmp_path / "t.csv").exists()


@pytest.mark.parametrize(("encoding", "marked"), [("utf-8-sig", True), ("utf-8", False)])
def test_indicator_tables_take_the_encoding(tmp_path, encoding, marked):
    path = tmp_path / "landcover_indicators.csv"
    values = [IndicatorValue("I1", 17.46, "%", "自然区域 / 城市面积 × 100")]
    write_indicator_table(path, city="chengdu", year=2020, values=values, encoding=encoding)
    assert path.read_bytes().startswith(codecs.BOM_UTF8) is marked
    assert path.read_text(encoding="utf-8-sig").splitlines() == [
        "city,year,indicator,value,unit,method",
        "chengdu,2020,I1,17.46,%,自然区域 / 城市面积 × 100",
    ]
