"""Chinese text in the report's maps and plots renders with real glyphs, never boxes."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from cbindex.report.fonts import (
    FONT_DISTRIBUTION,
    LATIN_FAMILY,
    cjk_font_path,
    embedded_font_css,
    font_families,
    missing_characters,
    register_cjk_font,
)
from cbindex.report.text import LABELS
from tests.helpers import REPO

HAN = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")
SAMPLE = "城市生物多样性指数"
NOT_A_CHARACTER = "\ue000"  # private use: no font has a glyph, so it is drawn as the .notdef box


def render(text: str, *, families: list[str]) -> tuple[np.ndarray, list[str]]:
    """Draw `text` alone on a small canvas; return the grey image and matplotlib's warnings."""
    with rc_context({"font.family": families}), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figure = Figure(figsize=(1.2, 0.6), dpi=100)
        canvas = FigureCanvasAgg(figure)
        figure.text(0.5, 0.5, text, fontsize=24, ha="center", va="center")
        canvas.draw()
    image = np.asarray(canvas.buffer_rgba())[..., :3].mean(axis=2)
    return image, [str(warning.message) for warning in caught]


def test_the_font_ships_with_the_package_and_is_registered():
    assert cjk_font_path().is_file()
    assert register_cjk_font() == "Noto Sans SC"
    assert font_families(language="zh")[0] == "Noto Sans SC"
    assert font_families(language="en") == [LATIN_FAMILY, "Noto Sans SC"]


@pytest.mark.parametrize("language", ["zh", "en"])
def test_chinese_renders_without_missing_glyph_warnings(language):
    image, messages = render(SAMPLE, families=font_families(language=language))
    assert not [message for message in messages if "missing from" in message]
    assert image.min() < 128  # something dark was drawn


def test_the_check_would_catch_boxes():
    _, messages = render(SAMPLE[0], families=[LATIN_FAMILY])
    assert any("missing from" in message for message in messages)


def test_distinct_characters_have_distinct_glyphs_unlike_the_box():
    families = font_families(language="zh")
    box, _ = render(NOT_A_CHARACTER, families=families)
    glyphs = {character: render(character, families=families)[0] for character in "城市生物多样"}
    for character, image in glyphs.items():
        assert (image < 128).sum() > 20, character
        assert not np.array_equal(image, box), character
    images = list(glyphs.values())
    for first in range(len(images)):
        for second in range(first + 1, len(images)):
            assert not np.array_equal(images[first], images[second])


def chinese_text_of_the_project() -> set[str]:
    """Every CJK character the report can show: its own wording, legends, rule sets, the sheet, library texts."""
    sources = [chinese for _, chinese in LABELS.values()]
    for pattern in ("config/legends/*.yaml", "config/scoring/*.yaml", "config/*.csv", "cbindex/*.py"):
        sources += [path.read_text(encoding="utf-8") for path in sorted(REPO.glob(pattern))]
    return {character for text in sources for character in HAN.findall(text)}


def test_the_font_covers_every_chinese_character_the_report_uses():
    characters = chinese_text_of_the_project()
    assert len(characters) > 300
    assert missing_characters(characters) == []


def test_the_embedded_subset_holds_the_page_characters():
    from base64 import b64decode
    from io import BytesIO

    from fontTools.ttLib import TTFont

    css = embedded_font_css([SAMPLE, "Summary 0–9"])
    assert "@font-face" in css and "http" not in css
    encoded = re.search(r"base64,([A-Za-z0-9+/=]+)", css).group(1)
    with TTFont(BytesIO(b64decode(encoded))) as font:
        cmap = font.getBestCmap()
        names = {record.toUnicode() for record in font["name"].names}
    assert {ord(character) for character in SAMPLE + "Summary"} <= set(cmap)
    assert len(cmap) < 40  # a subset, not the 8 MB font
    assert any("Open Font License" in name for name in names)


def test_the_font_package_is_a_declared_dependency():
    assert FONT_DISTRIBUTION in (REPO / "pyproject.toml").read_text(encoding="utf-8")
