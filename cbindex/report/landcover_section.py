"""The report's land-cover section: the product and its accuracy, the cell size actually used, the city's areas, the
boundary's repairs, and the class composition of every year with changes inside the product's noise marked.

Noise rule (a documented judgement call): a product whose validation found an overall accuracy of OA % labels
about (100 − OA) % of cells wrongly, so a class share that changes by less than ``100 − OA`` percentage points
between two years may be classification error alone; such changes are marked "within the product's noise"
(:func:`noise_threshold_pp`). A legend without a published accuracy gets no mark, and the report says so.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from cbindex.geo.legends import Legend
from cbindex.report.html_tables import escape, html_table
from cbindex.report.text import format_change, format_number, text

RESAMPLED_FACTOR = 1.5
"""A raster whose cells are this many times the product's nominal resolution (or more) is said to be resampled."""
AREA_ROWS = ("boundary_area", "city_area", "natural_area", "nodata_area", "uncovered_area", "covered_share")
"""Rows of ``indicators.csv`` the section lists per year (hectares, the covered share in %)."""


@dataclass(frozen=True)
class LandcoverFacts:
    """What the land-cover section states besides the scorecard: read by the report stage.

    Attributes
    ----------
    class_areas : pandas.DataFrame
        The years' class-area tables (:func:`cbindex.landcover.class_areas.class_area_table`), stacked.
    cell_size_m : tuple of float or None
        Ground width and height (m) of a cell of the raster at the city's latitude.
    latitude : float or None
        The latitude (degrees) the cell size is measured at.
    boundary_path : str
    boundary_features : int
        Features of the boundary file dissolved into the city.
    boundary_repaired : bool
        Whether an invalid boundary geometry was repaired (``shapely.make_valid``).
    """

    class_areas: pd.DataFrame
    cell_size_m: tuple[float, float] | None = None
    latitude: float | None = None
    boundary_path: str = ""
    boundary_features: int = 1
    boundary_repaired: bool = False
    notes: Sequence[str] = field(default_factory=tuple)


def noise_threshold_pp(legend: Legend) -> float | None:
    """``100 − overall accuracy`` percentage points, or None when the legend gives no published accuracy."""
    return None if legend.accuracy_percent is None else 100.0 - float(legend.accuracy_percent)


def shared_noise_threshold(legends: Mapping[int, Legend]) -> float | None:
    """The noise threshold of the years' product when every year has the same one (legend file), else None: a
    change between two products is not a change within one product's noise."""
    files = {legend.path for legend in legends.values()}
    return noise_threshold_pp(next(iter(legends.values()))) if len(files) == 1 else None


def products_by_year(legends: Mapping[int, Legend]) -> list[tuple[Legend, list[int]]]:
    """Each distinct land-cover product (legend file) with its years, in the order of its first year."""
    products: dict[str, tuple[Legend, list[int]]] = {}
    for year, legend in sorted(legends.items()):
        products.setdefault(str(legend.path), (legend, []))[1].append(year)
    return list(products.values())


def _years(years: Sequence[int]) -> str:
    return ", ".join(str(year) for year in years)


def within_noise(change_pp: float | None, threshold_pp: float | None) -> bool:
    """Whether a change of a share (percentage points) is smaller in size than the product's noise threshold."""
    if change_pp is None or threshold_pp is None or math.isnan(change_pp):
        return False
    return abs(change_pp) < threshold_pp


def _metres(value: float) -> str:
    return f"{value:,.0f} m" if value >= 20 else f"{value:,.1f} m"


def cell_size_text(facts: LandcoverFacts, legend: Legend, *, language: str) -> str:
    """The raster's cell size at the city's latitude, the product's nominal resolution, and 'resampled' when so."""
    if facts.cell_size_m is None:
        return "—"
    width, height = facts.cell_size_m
    hemisphere = "N" if (facts.latitude or 0) >= 0 else "S"
    size = text(
        "cell_size_value",
        language,
        width=_metres(width),
        height=_metres(height),
        latitude=f"{abs(facts.latitude or 0):.1f}°{hemisphere}",
    )
    nominal = legend.nominal_resolution_m
    if nominal is None:
        return size + text("nominal_unknown", language)
    size += text("nominal_resolution", language, nominal=f"{float(nominal):g} m")
    if max(width, height) >= RESAMPLED_FACTOR * float(nominal):
        size += text("resampled", language)
    return size


def accuracy_text(legend: Legend, *, language: str) -> str:
    """The published overall accuracy with its source, or 'not published' with the legend's reason (plain text)."""
    return html.unescape(re.sub(r"</?cite>", "", accuracy_html(legend, language=language)))


def accuracy_html(legend: Legend, *, language: str) -> str:
    """:func:`accuracy_text` as HTML, the source (or the legend's reason) quoted as written, in ``<cite>``."""
    cited = f"<cite>{escape(legend.accuracy_source)}</cite>" if legend.accuracy_source else ""
    if legend.accuracy_percent is None:
        words = escape(text("accuracy_not_published", language, legend=legend.path.name))
        return f"{words} ({cited})" if cited else words
    mark = "\x00"
    words = text(
        "accuracy_value",
        language,
        accuracy=f"{float(legend.accuracy_percent):g} %",
        source=mark,
        threshold=f"{noise_threshold_pp(legend):.3g}",
    )
    return escape(words).replace(mark, cited)


def _area_table(indicators: pd.DataFrame, years: Sequence[int], *, language: str) -> str:
    rows = []
    hectares = text("hectares", language)
    for key in AREA_ROWS:
        values = indicators[(indicators["indicator"] == key) & indicators["year"].notna()]
        by_year = {int(year): float(value) for year, value in zip(values["year"], values["value"], strict=True)}
        if not by_year:
            continue
        unit = "%" if key == "covered_share" else hectares
        cells = [escape(format_number(by_year.get(year), unit=unit)) for year in years]
        rows.append([escape(text(f"area_{key}", language)), *cells])
    return html_table([text("area", language), *[str(year) for year in years]], rows, css_class="areas")


def _class_name(row: Mapping, *, language: str) -> str:
    """The class name in the report's language, then the product's other name (a name, not to be translated)."""
    first, second = (row["class_zh"], row["class"]) if language == "zh" else (row["class"], row["class_zh"])
    other = "en" if language == "zh" else "zh-Hans"
    return f'{escape(first)} <span class="muted small" lang="{other}" translate="no">{escape(second)}</span>'


def composition_table(
    class_areas: pd.DataFrame, years: Sequence[int], *, threshold_pp: float | None, language: str
) -> tuple[str, bool]:
    """The classes' share (%) and area (ha) per year, classes absent in every year left out; from the second year
    each share carries its change since the year before, greyed with ≈ when within the noise threshold. A class is
    a legend's code: years of different products have rows of their own (named with the legend), never one row
    for two products' classes that share a code or a name.

    Returns
    -------
    tuple
        The HTML table and whether any change was marked as noise.
    """
    hectares = text("hectares", language)
    present = class_areas.groupby(["legend", "code"], sort=False)["area_ha"].sum()
    pairs = zip(class_areas["legend"], class_areas["code"], strict=True)
    keys = [key for key in dict.fromkeys(pairs) if present[key] > 0]
    several = class_areas["legend"].nunique() > 1  # years of different products: a class is its legend's code
    marked = False
    rows = []
    for legend_id, code in keys:
        by_year = class_areas[(class_areas["legend"] == legend_id) & (class_areas["code"] == code)].set_index("year")
        cells, previous = [], None
        for year in years:
            if year not in by_year.index:
                cells.append("—")
                continue
            share, area = float(by_year.at[year, "share_percent"]), float(by_year.at[year, "area_ha"])
            change = "" if previous is None else _share_change(share - previous, threshold_pp, language=language)
            marked |= previous is not None and within_noise(share - previous, threshold_pp)
            cells.append(
                f"{escape(format_number(share, unit='%'))}{change}<br>"
                f'<span class="muted small">{escape(format_number(area, unit=hectares))}</span>'
            )
            previous = share
        first = by_year.iloc[0]
        product = f' <span class="muted small">({escape(legend_id)})</span>' if several else ""
        rows.append([_class_name(first, language=language) + product, *cells])
    totals = class_areas.groupby("year")["area_ha"].sum()
    rows.append(
        [
            f"<strong>{escape(text('row_total', language))}</strong>",
            *[escape(format_number(float(totals.get(year, float("nan"))), unit=hectares)) for year in years],
        ]
    )
    header = [text("class", language), *[str(year) for year in years]]
    return html_table(header, rows, css_class="composition"), marked


def _share_change(change_pp: float, threshold_pp: float | None, *, language: str) -> str:
    words = format_change(change_pp)
    if within_noise(change_pp, threshold_pp):
        title = escape(text("within_noise", language))
        return f' <span class="change noise" title="{title}">(≈ {escape(words)})</span>'
    return f' <span class="change">({escape(words)})</span>'


def landcover_section(
    *,
    facts: LandcoverFacts,
    legend: Legend,
    indicators: pd.DataFrame,
    years: Sequence[int],
    language: str,
    threshold_pp: float | None = None,
    products: Sequence[tuple[Legend, Sequence[int]]] = (),
) -> str:
    """The land-cover section's HTML: product facts (of `legend`, the latest year's; with several ``products``,
    :func:`products_by_year`, each product with its years and accuracy), boundary warnings, areas per year, class
    composition with changes smaller than ``threshold_pp`` (:func:`shared_noise_threshold`) marked."""
    cell_size_row = [escape(text("cell_size", language)), escape(cell_size_text(facts, legend, language=language))]
    if len(products) > 1:
        product_rows = []
        for item, item_years in products:
            label = text("product_years", language, product=text("product", language), years=_years(item_years))
            product_rows.append([escape(label), f"{escape(item.name)} (<cite>{escape(item.version)}</cite>)"])
            product_rows.append([escape(text("accuracy", language)), accuracy_html(item, language=language)])
        product_rows.append(cell_size_row)
    else:
        product_rows = [
            [escape(text("product", language)), f"{escape(legend.name)} (<cite>{escape(legend.version)}</cite>)"],
            cell_size_row,
            [escape(text("accuracy", language)), accuracy_html(legend, language=language)],
        ]
    product_rows += [
        [
            escape(text("boundary_file", language)),
            escape(
                text(
                    "boundary_facts",
                    language,
                    path=facts.boundary_path,
                    features=facts.boundary_features,
                    repaired=text("repaired_yes" if facts.boundary_repaired else "repaired_no", language),
                )
            ),
        ],
    ]
    warnings = []
    if facts.boundary_repaired:
        warnings.append(text("boundary_repaired_warning", language, path=facts.boundary_path))
    if facts.boundary_features > 1:
        warnings.append(text("boundary_features_warning", language, count=facts.boundary_features))
    warnings += list(facts.notes)
    threshold = threshold_pp
    table, marked = composition_table(facts.class_areas, years, threshold_pp=threshold, language=language)
    if len(years) < 2:
        noise_note = ""
    elif threshold is None:
        noise_note = text("noise_unknown", language)
    else:
        noise_note = text("noise_note", language, threshold=f"{threshold:.3g}")
    return "".join(
        [
            html_table(["", ""], product_rows, css_class="keyvalue"),
            "".join(f'<p class="warning">{escape(warning)}</p>' for warning in warnings),
            f"<h3>{escape(text('areas_by_year', language))}</h3>",
            _area_table(indicators, years, language=language),
            f"<h3>{escape(text('composition', language))}</h3>",
            f'<div class="keep">{table}',
            f'<p class="small">{escape(noise_note)}</p></div>' if noise_note else "</div>",
        ]
    )
