"""The report's scenarios section: the changed cells pooled onto a display grid from the full-resolution rasters
(checked against a block-by-block reference on hand rasters, a single changed cell still shows), and the section's
table (values, change, points before → after, supporting rows) and totals in both languages."""

from __future__ import annotations

import html as html_module
import re
from types import SimpleNamespace

import numpy as np
import pytest
import rasterio
from affine import Affine

from cbindex.geo.city_grid import GDAL_CACHE_MB
from cbindex.report import scenarios_section as scenarios_section_module
from cbindex.report.display_rasters import read_display_raster, read_display_window
from cbindex.report.scenarios_section import changed_codes, scenarios_section
from cbindex.scoring.rule_sets import load_rule_set
from tests.helpers import REPO, write_raster

SI_2014 = load_rule_set(REPO / "config" / "scoring" / "si-2014.yaml")
TRANSFORM = Affine(0.001, 0, 10.0, 0, -0.001, 20.0)


@pytest.mark.parametrize("strip_rows", [512, 45, 7, 3, 1])  # one strip, or strips of a few display rows
def test_changed_cells_pool_onto_the_display_grid(tmp_path, monkeypatch, strip_rows):
    monkeypatch.setattr(scenarios_section_module, "STRIP_ROWS", strip_rows)
    rng = np.random.default_rng(7)
    base = rng.integers(1, 5, size=(60, 90)).astype(np.uint8)
    scenario = base.copy()
    scenario[3, 4] = 9  # one changed cell: its display cell must show it
    scenario[40:44, 10:20] = np.where(base[40:44, 10:20] == 2, 7, base[40:44, 10:20])
    scenario[59, 89] = 0 if base[59, 89] else 1  # a change to code 0 still counts as changed
    base_path = write_raster(tmp_path / "base.tif", base, transform=TRANSFORM)
    scenario_path = write_raster(tmp_path / "scenario.tif", scenario, transform=TRANSFORM)
    like = read_display_raster(str(scenario_path), max_cells=30)  # 20 × 30 display cells of 3 × 3 cells
    assert like.array.shape == (20, 30)
    codes, changed = changed_codes(str(base_path), str(scenario_path), like=like)
    differs = base != scenario
    blocks = differs.reshape(20, 3, 30, 3).any(axis=(1, 3))
    new = np.where(differs, scenario, 0).reshape(20, 3, 30, 3).max(axis=(1, 3))
    np.testing.assert_array_equal(changed, blocks)
    np.testing.assert_array_equal(codes[changed], new[blocks])
    assert changed[1, 1] and codes[1, 1] == 9 and changed[19, 29]
    assert changed.sum() == blocks.sum() > 3


def test_rasters_are_read_with_gdal_cache_held(tmp_path, monkeypatch):
    """GDAL's block cache is held to GDAL_CACHE_MB while the display grid, the scenario's raster (no overviews: read
    block by block) and both rasters' strips are read: GDAL's default, 5 % of RAM, held 1,500 MiB of the São Tomé
    tile's blocks in the report (benchmarks/measured/2026-12-02-tile-scenario.txt)."""
    base = np.arange(30 * 40, dtype=np.uint8).reshape(30, 40) % 5
    scenario = base.copy()
    scenario[10, 10] = 9
    base_path = write_raster(tmp_path / "base.tif", base, transform=TRANSFORM)
    scenario_path = write_raster(tmp_path / "scenario.tif", scenario, transform=TRANSFORM)
    cache_sizes = []
    real_open = rasterio.open

    def recording_open(*args, **kwargs):
        cache_sizes.append(rasterio.env.getenv().get("GDAL_CACHEMAX") if rasterio.env.hasenv() else None)
        return real_open(*args, **kwargs)

    monkeypatch.setattr(rasterio, "open", recording_open)
    like = read_display_raster(str(base_path), max_cells=20)
    after = read_display_window(str(scenario_path), like=like)
    _, changed = changed_codes(str(base_path), str(scenario_path), like=like)
    monkeypatch.setattr(rasterio, "open", real_open)
    assert cache_sizes == [GDAL_CACHE_MB] * 4
    assert after.array.shape == like.array.shape == (15, 20) and changed.sum() == 1


def test_changed_cells_over_a_window_of_the_base_raster(tmp_path):
    base = np.arange(40 * 50, dtype=np.uint16).reshape(40, 50) % 7
    scenario = base[10:30, 5:45].copy()  # the city's window of the base grid
    scenario[0, 0] = 99
    base_path = write_raster(tmp_path / "base.tif", base, transform=TRANSFORM)
    window_transform = TRANSFORM @ Affine.translation(5, 10)
    scenario_path = write_raster(tmp_path / "scenario.tif", scenario, transform=window_transform)
    like = read_display_raster(str(scenario_path))  # not decimated: one display cell per cell
    codes, changed = changed_codes(str(base_path), str(scenario_path), like=like)
    assert changed.sum() == 1 and changed[0, 0] and codes[0, 0] == 99


def entry() -> dict:
    return {
        "name": "plan",
        "title": {"en": "Restore the forest", "zh": "恢复森林"},
        "base_year": 2020,
        "changes": [
            {
                "step": 1,
                "kind": "restore",
                "text": {"en": "restore the tree canopy lost since 2016", "zh": "恢复自2016年以来减少的树冠覆盖"},
                "cells_changed": 1200,
                "area_changed_ha": 10.5,
                "note": None,
            }
        ],
        "indicators": [
            {
                "indicator": "I1",
                "base_value": 17.5,
                "scenario_value": 21.0,
                "change": 3.5,
                "base_points": 3,
                "scenario_points": 4,
                "points_change": 1,
            },
            {
                "indicator": "I2",
                "base_value": 408.0,
                "scenario_value": 426.5,
                "change": 18.5,
                "base_points": 1,
                "scenario_points": None,
                "points_change": None,
            },
        ],
        "supporting": [
            {
                "indicator": "natural_area",
                "base_value": 1290.0,
                "scenario_value": 1300.5,
                "change": 10.5,
                "label": {"en": "natural area", "zh": "自然区域"},
                "unit": {"en": "ha", "zh": "公顷"},
            },
            {
                "indicator": "redline_coverage",
                "base_value": 10.0,
                "scenario_value": 12.5,
                "change": 2.5,
                "label": {"en": "red line: share of the city", "zh": "生态保护红线占城市面积比例"},
                "unit": {"en": "%", "zh": "%"},
            },
        ],
        "points": {"indicators": ["I1"], "base": 3, "scenario": 4, "change": 1, "not_scored": ["I2"]},
    }


def plain(markup: str) -> str:
    return html_module.unescape(re.sub(r"<[^>]+>", "", markup))


def body_rows(markup: str) -> list[list[str]]:
    body = markup[markup.index("<tbody>") :]
    return [[plain(cell) for cell in re.findall(r"<td>(.*?)</td>", row)] for row in re.findall(r"<tr>(.*?)</tr>", body)]


def section(language: str, scenarios) -> str:
    content = SimpleNamespace(
        language=language, scorecard={"scenarios": scenarios}, rule_set=SI_2014, scenario_figures=[]
    )
    return scenarios_section(content)


def test_the_table_shows_values_change_and_points_before_and_after():
    english = section("en", [entry()])
    assert body_rows(english) == [
        ["I1 Proportion of Natural Areas in the City", "17.50 %", "21 %", "+3.50 percentage points", "3 → 4"],
        [f"I2 {SI_2014.indicators['I2'].name}", "408 ha", "426.5 ha", "+18.50 ha", "1 → —"],
        ["natural area", "1,290 ha", "1,300.5 ha", "+10.50 ha", ""],
        ["red line: share of the city", "10 %", "12.50 %", "+2.50 percentage points", ""],
    ]
    text = plain(english)
    assert "Restore the forest" in text and "Base year 2020" in text
    assert "restore the tree canopy lost since 2016 (1,200 cells, 10.50 ha changed inside the city)" in text
    assert "Points of the compared indicators (1): 3 → 4 (+1)." in text
    assert "I2." in text  # not scored on both sides: left out of the totals


def test_the_chinese_section_uses_chinese_names_and_units():
    chinese = plain(section("zh", [entry()]))
    assert "恢复森林" in chinese and "基准年 2020年" in chinese
    assert SI_2014.indicators["I1"].name_zh in chinese and "公顷" in chinese
    assert "生态保护红线占城市面积比例" in chinese and "+2.50 个百分点" in chinese
    assert "3 → 4（+1）" in chinese
    for word in ("Base year", "Scenario", "natural area", "Points"):
        assert word not in chinese


def test_no_scenarios_file_is_said():
    assert "no scenarios file" in plain(section("en", []))
    assert "scenarios" in section("zh", []) and "情景文件" in plain(section("zh", []))
