"""The land-cover coverage of each year in the scorecard: covered share, no-data and uncovered areas, and the
notes that say which years' indicators were held (or scored anyway) because the raster covers too little."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import pandas as pd

from cbindex.geo.coverage import RasterCoverage, raster_coverage

COVERAGE_ROWS = ("boundary_area", "city_area", "nodata_area")
"""Land-cover table rows the coverage is computed from (boundary polygon, cells with data, cells without)."""


def coverage_by_year(table: pd.DataFrame) -> dict[int, RasterCoverage]:
    """The coverage of every land-cover year of the stage tables (years lacking the rows are left out)."""
    coverage = {}
    rows = table[table["indicator"].isin(COVERAGE_ROWS) & table["year"].notna()]
    for year, group in rows.groupby("year"):
        values = dict(zip(group["indicator"], pd.to_numeric(group["value"]), strict=False))
        if all(name in values for name in COVERAGE_ROWS):
            coverage[int(year)] = raster_coverage(
                boundary_ha=values["boundary_area"], valid_ha=values["city_area"], nodata_ha=values["nodata_area"]
            )
    return coverage


def add_coverage(
    scorecard: dict[str, Any],
    *,
    coverage: Mapping[int, RasterCoverage],
    partial_years: Collection[int],
    tolerance_percent: float,
    on_partial_coverage: str,
) -> None:
    """Add ``coverage`` (one entry per year) and, for partly covered years, a note in both languages."""
    scorecard["coverage"] = [
        {
            "year": year,
            "boundary_area_ha": covered.boundary_ha,
            "covered_share_percent": covered.covered_share_percent,
            "nodata_area_ha": covered.nodata_ha,
            "uncovered_area_ha": covered.uncovered_ha,
            "partial": year in partial_years,
        }
        for year, covered in sorted(coverage.items())
    ]
    scorecard["coverage_tolerance_percent"] = tolerance_percent
    scorecard["on_partial_coverage"] = on_partial_coverage
    for year in sorted(partial_years):
        covered = coverage[year]
        facts = (
            f"the land cover of {year} has data for {covered.covered_share_percent:.1f} % of the city "
            f"({covered.nodata_ha:.1f} ha without data, {covered.uncovered_ha:.1f} ha outside the raster; "
            f"tolerance {tolerance_percent:g} %)"
        )
        facts_zh = (
            f"{year} 年土地覆盖数据仅覆盖城市面积的 {covered.covered_share_percent:.1f}%"
            f"（无数据 {covered.nodata_ha:.1f} 公顷，栅格范围以外 {covered.uncovered_ha:.1f} 公顷；"
            f"容差 {tolerance_percent:g}%）"
        )
        if on_partial_coverage == "hold":
            scorecard["notes"].append(f"Partial coverage: {facts}, so that year's spatial indicators are not scored.")
            scorecard["notes_zh"].append(f"数据覆盖不完整：{facts_zh}，该年的空间指标不予评分。")
        else:
            scorecard["notes"].append(
                f"Partial coverage: {facts}; scored anyway because config on_partial_coverage is score — the "
                "values describe the covered part only."
            )
            scorecard["notes_zh"].append(
                f"数据覆盖不完整：{facts_zh}；因配置 on_partial_coverage 为 score 仍予评分，数值仅代表有数据的部分。"
            )


def add_boundary_features(scorecard: dict[str, Any], *, quantities: Mapping[str, float]) -> None:
    """Add ``boundary`` (features dissolved into the city and their area) and, when a filter matched several
    features, a note in both languages: the city is their union, which the analyst should confirm."""
    count, area = quantities.get("boundary_features"), quantities.get("boundary_features_area")
    if count is None or pd.isna(count):
        return
    count = int(count)
    area = None if area is None or pd.isna(area) else float(area)
    scorecard["boundary"] = {"features": count, "features_area_ha": area}
    if count > 1:
        area_text = "" if area is None else f" ({area:,.1f} ha in all)"
        area_text_zh = "" if area is None else f"（共 {area:,.1f} 公顷）"
        scorecard["notes"].append(
            f"The city boundary is {count} features of the boundary file{area_text}, dissolved into one: check "
            "that the filter selects exactly the city you mean."
        )
        scorecard["notes_zh"].append(
            f"城市边界由边界文件中的 {count} 个要素{area_text_zh}合并而成：请确认筛选条件恰好选中目标城市。"
        )
