"""The report's land-cover section: the noise threshold from the legend's published accuracy, changes marked within
it, accuracy 'not published' when the legend gives none, the cell size said resampled, boundary warnings."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from cbindex.geo.legends import load_legend
from cbindex.report.landcover_section import (
    LandcoverFacts,
    accuracy_text,
    cell_size_text,
    composition_table,
    landcover_section,
    noise_threshold_pp,
    within_noise,
)
from tests.helpers import REPO

WORLDCOVER = load_legend(REPO / "config/legends/esa_worldcover_v100.yaml")
DYNAMIC_WORLD = load_legend(REPO / "config/legends/dynamic_world.yaml")


def class_areas(shares_by_year: dict[int, dict[str, float]]) -> pd.DataFrame:
    """Class-area rows of a 1,000 ha city (area = share × 10 ha), Dynamic World names."""
    codes = {legend_class.name: code for code, legend_class in DYNAMIC_WORLD.classes.items()}
    rows = [
        {
            "year": year,
            "legend": "dynamic_world",
            "code": codes[name],
            "class": name,
            "class_zh": DYNAMIC_WORLD.classes[codes[name]].name_zh,
            "area_ha": share * 10.0,
            "share_percent": share,
        }
        for year, shares in shares_by_year.items()
        for name, share in shares.items()
    ]
    return pd.DataFrame(rows)


def test_noise_threshold_is_the_published_error_rate():
    assert WORLDCOVER.accuracy_percent == 74.4 and "74.4%" in WORLDCOVER.accuracy_source
    assert noise_threshold_pp(WORLDCOVER) == pytest.approx(25.6)
    assert noise_threshold_pp(DYNAMIC_WORLD) is None  # no published figure in the legend: never invented
    assert within_noise(-2.0, 25.6) and not within_noise(30.0, 25.6) and not within_noise(2.0, None)


def test_changes_within_the_noise_are_marked_and_larger_ones_are_not():
    areas = class_areas({2019: {"Trees": 40.0, "Built": 60.0}, 2020: {"Trees": 38.0, "Built": 62.0}})
    html, marked = composition_table(areas, [2019, 2020], threshold_pp=5.0, language="en")
    assert marked and html.count("(≈ ") == 2  # −2 and +2 points, both below 5
    assert "(≈ −2)" in html and "(≈ +2)" in html
    html, marked = composition_table(areas, [2019, 2020], threshold_pp=1.0, language="en")
    assert not marked and "≈" not in html and "(−2)" in html
    assert "400 ha" in html and "树木" in html  # hectares and the other language's name


def test_chinese_table_names_classes_in_chinese_first():
    areas = class_areas({2020: {"Trees": 40.0, "Built": 60.0}})
    html, _ = composition_table(areas, [2020], threshold_pp=None, language="zh")
    assert html.index("树木") < html.index("Trees")
    assert "公顷" in html


def test_accuracy_says_not_published_without_a_figure():
    assert "not published" in accuracy_text(DYNAMIC_WORLD, language="en")
    assert "未公布" in accuracy_text(DYNAMIC_WORLD, language="zh")
    assert "74.4 %" in accuracy_text(WORLDCOVER, language="en") and "25.6" in accuracy_text(WORLDCOVER, language="en")


def test_cell_size_of_a_resampled_raster_is_said_so():
    facts = LandcoverFacts(class_areas=pd.DataFrame(), cell_size_m=(89.6, 92.6), latitude=30.6)
    words = cell_size_text(facts, WORLDCOVER, language="en")
    assert "90 m × 93 m at 30.6°N" in words and "10 m" in words and "resampled" in words
    native = cell_size_text(replace(facts, cell_size_m=(9.6, 9.3)), WORLDCOVER, language="en")
    assert "resampled" not in native and "9.6 m × 9.3 m" in native


def test_section_warns_about_repaired_boundaries_and_several_features():
    indicators = pd.DataFrame(
        {
            "indicator": ["boundary_area", "city_area", "natural_area", "nodata_area"],
            "year": [2020] * 4,
            "value": [1000.0, 990.0, 400.0, 10.0],
        }
    )
    facts = LandcoverFacts(
        class_areas=class_areas({2020: {"Trees": 40.0, "Built": 60.0}}),
        cell_size_m=(10.0, 10.0),
        latitude=8.4,
        boundary_path="city.geojson",
        boundary_features=3,
        boundary_repaired=True,
    )
    html = landcover_section(facts=facts, legend=DYNAMIC_WORLD, indicators=indicators, years=(2020,), language="en")
    assert "repaired with make_valid" in html and "3 features of the boundary file" in html
    assert "1,000 ha" in html and "990 ha" in html and "10 ha" in html
    assert "not published" in html


def test_years_of_two_products_sharing_codes_keep_their_own_rows():
    # ESA WorldCover v100 in 2019 and v200 in 2020: the same codes and class names, but two products. Each class is
    # a legend's code, so no row mixes the two and no change is computed across the product switch.
    v200 = load_legend(REPO / "config/legends/esa_worldcover_v200.yaml")
    rows = [
        {
            "year": year,
            "legend": legend.id,
            "code": code,
            "class": legend.classes[code].name,
            "class_zh": "",
            "area_ha": share * 10.0,
            "share_percent": share,
        }
        for year, legend in ((2019, WORLDCOVER), (2020, v200))
        for code, share in ((10, 40.0), (50, 60.0))
    ]
    html, marked = composition_table(pd.DataFrame(rows), [2019, 2020], threshold_pp=5.0, language="en")
    assert html.count("Tree cover") == 2 and html.count("(esa_worldcover_v100)") == 2
    assert html.count("(esa_worldcover_v200)") == 2 and html.count("—") == 4  # each row only its product's year
    assert not marked and "(+0)" not in html and "(≈" not in html
    indicators = pd.DataFrame({"indicator": ["city_area"] * 2, "year": [2019, 2020], "value": [1000.0, 1000.0]})
    facts = LandcoverFacts(class_areas=pd.DataFrame(rows), cell_size_m=(10.0, 10.0), latitude=8.4)
    section = landcover_section(
        facts=facts,
        legend=v200,
        indicators=indicators,
        years=(2019, 2020),
        language="en",
        products=[(WORLDCOVER, [2019]), (v200, [2020])],
    )
    assert "Land-cover product (2019)" in section and "Land-cover product (2020)" in section
    assert "74.4 %" in section and "76.7 %" in section  # each product's own published accuracy
