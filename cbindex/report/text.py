"""The fixed wording of the city report in English and Simplified Chinese, and number formatting.

Everything that comes from data (indicator, component and class names, band labels, notes, the distance to the
next band) carries its own English and Chinese text; this module holds only the report's own words.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import Any

LANGUAGES = ("en", "zh")

LABELS: dict[str, tuple[str, str]] = {
    "title": ("City Biodiversity Index report", "城市生物多样性指数报告"),
    "subtitle": ("{rule_set}; land cover {product}, {years}", "{rule_set}；土地覆盖数据 {product}，{years}"),
    "contents": ("Contents", "目录"),
    "summary": ("Summary", "概要"),
    "components": ("Totals per component", "各组成部分得分"),
    "scores": ("Score per indicator", "各项指标得分"),
    "plots": ("Plots", "图表"),
    "maps": ("Maps", "地图"),
    "change": ("Change across years", "历年变化"),
    "provenance": ("How every number was computed", "计算方法与数据来源"),
    "total": ("Total", "总分"),
    "of_assessed": (
        "{points} of {assessed} points over the {scored} indicators assessed ({share})",
        "已评分的 {scored} 项指标共得 {points} 分，满分 {assessed} 分（{share}）",
    ),
    "of_max": (
        "{points} of {maximum} points, the edition's maximum ({share})",
        "{points} 分，占本版本满分 {maximum} 分的 {share}",
    ),
    "of_max_unknown": (
        "{points} of {maximum} points: the edition's maximum is not known, 4 points × the "
        "indicators included ({share})",
        "{points} 分，本版本满分未知，按 4 分 × 纳入的指标数计为 {maximum} 分（{share}）",
    ),
    "counts": (
        "{scored} scored, {not_assessed} not assessed, {no_bands} without bands, {excluded} excluded, "
        "{partial} held for partial coverage",
        "已评分 {scored} 项，未评估 {not_assessed} 项，无评分区间 {no_bands} 项，已排除 {excluded} 项，"
        "因数据覆盖不完整未评分 {partial} 项",
    ),
    "notes": ("Notes on the scores", "评分说明"),
    "hectares": ("ha", "公顷"),
    "coverage_held": (
        "Partial coverage in {year}: the land-cover raster has data for {share} of the city ({nodata} without data "
        "inside it, {outside} outside the raster), so that year's spatial indicators are not scored; their values "
        "describe the covered part only.",
        "{year} 年数据覆盖不完整：土地覆盖栅格仅覆盖城市面积的 {share}"
        "（城市内无数据 {nodata}，栅格范围以外 {outside}），"
        "该年的空间指标不予评分，其数值仅代表有数据的部分。",
    ),
    "coverage_scored": (
        "Partial coverage in {year}: the land-cover raster has data for {share} of the city ({nodata} without data "
        "inside it, {outside} outside the raster); its spatial indicators are scored anyway (config "
        "on_partial_coverage: score) and describe the covered part only.",
        "{year} 年数据覆盖不完整：土地覆盖栅格仅覆盖城市面积的 {share}"
        "（城市内无数据 {nodata}，栅格范围以外 {outside}）；"
        "因配置 on_partial_coverage 为 score 仍予评分，数值仅代表有数据的部分。",
    ),
    "unverified_warning": (
        "Some points rest on bands not verified against the published manual; they are provisional.",
        "部分得分所依据的评分区间未与出版的手册核对，仅供参考。",
    ),
    "component": ("Component", "组成部分"),
    "points": ("Points", "得分"),
    "assessed_max": ("Out of (assessed)", "满分（已评估）"),
    "share_assessed": ("Share of assessed", "占已评估满分"),
    "component_max": ("Out of (edition)", "满分（本版本）"),
    "share_max": ("Share of edition maximum", "占本版本满分"),
    "indicators_scored": ("Indicators scored", "已评分指标数"),
    "not_assessed": ("not assessed", "未评估"),
    "indicator": ("Indicator", "指标"),
    "value": ("Value", "数值"),
    "band_reached": ("Band reached", "所在评分区间"),
    "all_bands": ("All bands (points: interval)", "全部评分区间（得分：区间）"),
    "status": ("Status", "状态"),
    "next_band": ("Next band, and the margin before a point is lost", "距下一评分档的差距及失分前的余量"),
    "verified": ("Bands verified", "评分区间已核实"),
    "yes": ("yes", "是"),
    "no": ("no", "否"),
    "bands_status": ("no ({status})", "否（{status}）"),
    "bands_recalled": ("recalled", "凭回忆整理"),
    "bands_transcribed": ("transcribed by a third party", "转引自第三方"),
    "bands_adapted": ("adapted from the base edition", "沿用自所改编的版本"),
    "bands_city": ("set by the city", "城市自定"),
    "no_bands_known": ("no bands known", "无已知评分区间"),
    "how_computed": ("how computed", "计算方法"),
    "year": ("Year", "年份"),
    "not_available": ("—", "—"),
    "component_bars": (
        "Points per component: reached, out of the assessed maximum and out of the edition's maximum",
        "各组成部分得分：实得分、已评估满分与本版本满分",
    ),
    "band_plot": (
        "Indicator values against their bands (colour = points of the band; the line marks the value)",
        "指标数值与评分区间（颜色表示该区间的得分，竖线为指标数值）",
    ),
    "band_plot_none": (
        "No numeric indicator was scored, so there is no value to plot against its bands.",
        "没有已评分的数值型指标，因此没有可与评分区间对照的数值。",
    ),
    "legend_points": ("{points} points", "{points} 分"),
    "reached": ("reached", "实得"),
    "natural_map": ("Natural areas, {year}", "自然区域，{year}年"),
    "natural_map_caption": (
        "Natural-area mask of {year} (I1): green natural, grey not natural; outline = city "
        "boundary. Coordinates in {crs}.",
        "{year}年自然区域分布（I1）：绿色为自然区域，灰色为非自然区域；轮廓线为城市边界。坐标系：{crs}。",
    ),
    "natural": ("natural", "自然区域"),
    "not_natural": ("not natural", "非自然区域"),
    "boundary": ("city boundary", "城市边界"),
    "groups_map": ("Connectivity groups, {year}", "连通组，{year}年"),
    "groups_map_caption": (
        "Groups of natural patches less than {gap} m apart (I2), {count} groups in {year}: each "
        "group has its own muted colour; the {top} largest are highlighted and listed.",
        "{year}年相距小于 {gap} 米的自然斑块组成的连通组（I2），共 {count} 个：每组一种浅色，"
        "面积最大的 {top} 个突出显示并列出。",
    ),
    "group_label": ("group {rank}: {area} ha", "第 {rank} 大组：{area} 公顷"),
    "other_groups": ("other groups", "其他连通组"),
    "overlay_map": ("Protected and red-line areas, {year}", "保护地与生态保护红线，{year}年"),
    "overlay_map_caption": (
        "Protected natural areas and ecological protection red-line areas as measured for I9 "
        "and the red-line shares, over the natural areas of {year}.",
        "用于 I9 与红线比例计算的受保护自然区域和生态保护红线区域，底图为{year}年自然区域。",
    ),
    "protected_areas": ("protected natural areas", "受保护自然区域"),
    "redline": ("red-line areas", "生态保护红线区域"),
    "no_overlays": (
        "The city sheet names no protected-area or red-line layer, so there is no overlay map.",
        "城市表未提供保护地或生态保护红线图层，因此没有叠加地图。",
    ),
    "no_natural_area": (
        "No natural area in {year}: no cell of the city is of a natural class, so I1 is 0 % and the map shows "
        "no natural area.",
        "{year}年无自然区域：市内没有自然类别的像元，因此 I1 为 0 %，地图上没有自然区域。",
    ),
    "no_groups": (
        "No connectivity group in {year}: the city has no natural patch, so there is no group to map.",
        "{year}年无连通组：市内没有自然斑块，因此没有可绘制的连通组。",
    ),
    "no_protected_areas_inside": (
        "No protected area inside the city in {year}: the protected-area layer has no polygon inside the city "
        "boundary, so I9 is 0 %.",
        "{year}年市内无保护地：保护地图层在城市边界内没有多边形，因此 I9 为 0 %。",
    ),
    "no_redline_inside": (
        "No red-line area inside the city in {year}: the red-line layer has no polygon inside the city boundary, "
        "so the red-line coverage is 0 %.",
        "{year}年市内无生态保护红线：生态保护红线图层在城市边界内没有多边形，因此红线覆盖率为 0 %。",
    ),
    "natural_years": ("Natural areas in every land-cover year", "各土地覆盖年份的自然区域"),
    "natural_years_caption": (
        "Natural-area masks (I1) of every year: green natural, grey not natural; outline = "
        "city boundary. Coordinates in {crs}.",
        "各年份自然区域分布（I1）：绿色为自然区域，灰色为非自然区域；轮廓线为城市边界。坐标系：{crs}。",
    ),
    "time_series": (
        "Indicators through the years (background = bands, colour = points)",
        "各指标的历年变化（背景为评分区间，颜色表示得分）",
    ),
    "values_by_year": (
        "Values by year (change from the year before in brackets)",
        "历年数值（括号内为较上一年的变化）",
    ),
    "points_by_year": ("Points by year", "历年得分"),
    "transitions": (
        "Land-cover transitions {year_from} → {year_to} (ha)",
        "土地覆盖转移 {year_from} → {year_to}（公顷）",
    ),
    "transitions_caption": (
        "Rows: class in {year_from}; columns: class in {year_to}; the diagonal stayed the same. "
        "{changed} ha ({share}) of the {total} ha compared changed class.",
        "行为 {year_from} 年的类别，列为 {year_to} 年的类别，对角线为未变化面积。"
        "比较的 {total} 公顷中有 {changed} 公顷（{share}）发生了类别变化。",
    ),
    "from_to": ("from \\ to", "由 \\ 至"),
    "row_total": ("total", "合计"),
    "single_year": (
        "Only one land-cover year ({year}) was given, so there is no change to show.",
        "仅有一个土地覆盖年份（{year}年），无变化可示。",
    ),
    "rule_set": ("Rule set", "评分规则集"),
    "rule_set_id": ("id", "编号"),
    "name": ("name", "名称"),
    "version": ("version", "版本"),
    "source": ("source", "来源"),
    "based_on": ("based on", "基于"),
    "overrides": ("city overrides", "城市自定义规则"),
    "landcover": ("Land-cover product", "土地覆盖数据"),
    "legend": ("legend", "图例"),
    "years": ("years", "年份"),
    "method_keys": ("Method settings", "方法设置"),
    "key": ("key", "键"),
    "setting": ("value", "取值"),
    "other_settings": ("Other settings of the run", "本次运行的其他设置"),
    "indicator_methods": (
        "How each value was computed (the indicator table's method column)",
        "各数值的计算方法（指标表中的 method 列）",
    ),
    "method": ("method", "方法"),
    "inputs": ("Input files", "输入文件"),
    "file": ("file", "文件"),
    "size": ("bytes", "字节"),
    "software": ("Software", "软件"),
    "package": ("package", "软件包"),
    "font": (
        "Chinese text in maps and plots: {family} from {distribution} {version} (SIL Open Font License 1.1).",
        "地图与图表中的中文字体：{family}，来自 {distribution} {version}（SIL 开放字体许可证 1.1）。",
    ),
    "x_year": ("year", "年份"),
}


def text(key: str, language: str, **values: Any) -> str:
    """The report's wording for `key` in `language`, with ``{placeholders}`` filled from `values`."""
    english, chinese = LABELS[key]
    template = chinese if language == "zh" else english
    return template.format(**values) if values else template


def localized(record: Any, key: str, language: str) -> Any:
    """``key + "_zh"`` of a record in a Chinese report when it is given, else `key` (None when absent).

    Parameters
    ----------
    record : mapping or object
        A JSON record (scorecard rows) or an object with attributes (rules, bands, levels, rule sets).
    key : str
        The English field, e.g. ``name``; its Chinese twin is ``name_zh``.
    language : {"en", "zh"}
    """
    if isinstance(record, Mapping):
        english, chinese = record.get(key), record.get(f"{key}_zh")
    else:
        english, chinese = getattr(record, key, None), getattr(record, f"{key}_zh", None)
    return chinese if language == "zh" and chinese else english


def format_number(value: Any, *, unit: str | None = None) -> str:
    """A value as the report prints it: whole numbers plain, others to 1 decimal from 100 up, else 2.

    Parameters
    ----------
    value : number, str or None
        None and NaN print as a dash; text prints as it is.
    unit : str, optional
        Appended after a space (``%`` without one).

    Returns
    -------
    str
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        if isinstance(value, numbers.Integral) or (float(value).is_integer() and abs(value) >= 1):
            number = f"{int(value):,}"
        elif abs(value) >= 100:
            number = f"{value:,.1f}"
        else:
            number = f"{value:,.2f}"
    else:
        number = str(value)
    if not unit:
        return number
    return f"{number} %" if unit == "%" else f"{number} {unit}"


def format_change(change: float | None, *, unit: str | None = None) -> str:
    """A signed change (``+0.12``, ``−3.4 ha``), or an empty string when there is none."""
    if change is None or (isinstance(change, float) and math.isnan(change)):
        return ""
    sign = "+" if change > 0 else "−" if change < 0 else "±"
    return sign + format_number(abs(change), unit=unit)


def format_percent(share: float | None) -> str:
    """A share in percent as ``25.0 %`` (a dash when unknown)."""
    return "—" if share is None else f"{share:.1f} %"
