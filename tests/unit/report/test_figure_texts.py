"""Report figures record the texts they show in their PNG (for the no-English test and for search)."""

from __future__ import annotations

import io
import zlib

from matplotlib.figure import Figure
from PIL import Image

from cbindex.report.figures import TEXT_KEYWORD, png_bytes, with_text_chunk


def test_a_figure_records_its_title_labels_and_ticks():
    figure = Figure(figsize=(3, 2))
    axes = figure.add_subplot()
    axes.plot([2016, 2020], [1.0, 2.0], label="自然区域")
    axes.set_title("各指标的历年变化")
    axes.set_xlabel("年份")
    axes.legend()
    png = png_bytes(figure, language="zh")
    with Image.open(io.BytesIO(png)) as image:
        image.load()
        lines = image.info[TEXT_KEYWORD].splitlines()
    assert {"各指标的历年变化", "年份", "自然区域"} <= set(lines)
    assert any(line.replace("\u2212", "-").replace(".", "").isdigit() for line in lines)  # tick labels
    assert png == png_bytes(figure, language="zh")  # reproducible


def test_the_text_chunk_is_a_valid_itxt_chunk_before_iend():
    figure = Figure(figsize=(1, 1))
    plain = io.BytesIO()
    figure.savefig(plain, format="png")
    png = with_text_chunk(plain.getvalue(), "一\nb")
    start = png.index(b"iTXt")
    length = int.from_bytes(png[start - 4 : start], "big")
    data = png[start + 4 : start + 4 + length]
    assert data == b"Description\0\0\0\0\0" + "一\nb".encode()
    assert png[start + 4 + length : start + 8 + length] == zlib.crc32(b"iTXt" + data).to_bytes(4, "big")
    assert png[start + 8 + length + 4 : start + 8 + length + 8] == b"IEND"
    with Image.open(io.BytesIO(png)) as image:
        image.load()  # the chunk follows the image data, so it is read with it (CRC checked)
        assert image.info[TEXT_KEYWORD] == "一\nb"
