"""The maps and plots of the city report, drawn with matplotlib (Agg, no pyplot state) and returned as PNG.

Every function takes the data it draws and the report language, draws in the report's fonts (the CJK font
registered, see :mod:`cbindex.report.fonts`) and returns a :class:`matplotlib.figure.Figure`;
:func:`png_bytes` turns it into PNG bytes for embedding.  Titles and legends are passed in already worded.
"""

from __future__ import annotations

import io
import math
import struct
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib import cm, colormaps, colors, rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text
from shapely.geometry.base import BaseGeometry

from cbindex.report.fonts import font_families
from cbindex.report.map_furniture import decorate_map
from cbindex.report.text import text

POINT_COLOURS = ("#d73027", "#fc8d59", "#fee08b", "#91cf60", "#1a9850")
"""Colour of a band awarding 0, 1, 2, 3 and 4 points (the HTML tables use the same)."""
NATURAL_COLOUR, NOT_NATURAL_COLOUR, BOUNDARY_COLOUR = "#2e7d32", "#e3e3e3", "#222222"
HIGHLIGHT_COLOURS = ("#2166ac", "#35978f", "#8073ac", "#bf812d", "#5aae61", "#e08214", "#878787", "#c51b7d")
"""The largest groups' colours, largest first: a calm blue for the largest (red would read as "bad")."""
MUTED_COLOURS = ("#c7e9c0", "#d9d9d9", "#c6dbef", "#fdd0a2", "#dadaeb", "#f2f0c8", "#d4b9da", "#ccebc5")
OVERLAY_COLOURS = {"protected_areas": "#1f4e9c", "redline": "#c0392b"}
MASK_NATURAL, MASK_NOT_NATURAL, MASK_OUTSIDE = 1, 0, 255
_DPI = 110
IMAGE_SCALE = 2
"""PNGs are rendered at this multiple of :data:`_DPI` and shown at their 1× size: sharp on screens and paper."""
_MAP_LEGEND = {"loc": "upper left", "bbox_to_anchor": (1.01, 1.0), "fontsize": "small", "frameon": False}
_DISPLAY_PAD = 0.25  # share of the finite band span added beyond an open-ended band


@dataclass(frozen=True)
class MapFrame:
    """Where a raster sits on the map: its extent (left, right, bottom, top), aspect and CRS name.

    With ``crs`` (a projected :class:`pyproj.CRS`) the map gets a graticule in °E/°N, a scale bar and a north
    arrow lettered ``north_label`` (:mod:`cbindex.report.map_furniture`).
    """

    extent: tuple[float, float, float, float]
    aspect: float
    crs_name: str
    boundary: BaseGeometry | None = None
    crs: Any = None
    north_label: str = "N"


def map_frame(extent: tuple[float, float, float, float], *, crs, boundary=None, language: str = "en") -> MapFrame:
    """The frame of every map of the report, drawn in the display CRS ``crs`` (a projected :class:`pyproj.CRS`,
    :func:`cbindex.geo.display_crs.city_display_crs`): ``extent`` (left, right, bottom, top) in its metres, true
    proportions, the city ``boundary`` (a :class:`~cbindex.geo.boundary.CityBoundary`) taken into it, and the
    graticule, scale bar and north arrow lettered in `language` (the one word this module words itself)."""
    return MapFrame(
        extent=tuple(extent),
        aspect=1.0,
        crs_name=crs_label(crs, language=language),
        boundary=None if boundary is None else boundary.to_crs(crs),
        crs=crs,
        north_label=text("north", language),
    )


def crs_label(crs, *, language: str = "en") -> str:
    """``WGS 84 / UTM zone 48N (EPSG:32648)``: the CRS's name and its EPSG code when it has one; in Chinese the
    code only (PROJ's names are English words)."""
    code = crs.to_epsg()
    if not code:
        return crs.name
    return f"EPSG:{code}" if language == "zh" else f"{crs.name} (EPSG:{code})"


@dataclass(frozen=True)
class BandSpan:
    """One band of an indicator for plotting: interval ends (None = open) and its points."""

    low: float | None
    high: float | None
    points: int
    label: str


@dataclass(frozen=True)
class BandedValues:
    """An indicator's bands and the values drawn against them (one per year, or one)."""

    title: str
    unit: str
    bands: tuple[BandSpan, ...]
    values: tuple[tuple[int | None, float], ...]
    value_min: float | None = None
    value_max: float | None = None


def png_bytes(figure: Figure, *, language: str) -> bytes:
    """Render a figure to PNG bytes in the language's fonts (text matplotlib creates while drawing included).

    No timestamp or software metadata is written, so equal figures give equal bytes. Every text the figure shows
    (titles, axis and tick labels, legend entries) is recorded, one per line, in the PNG's UTF-8 ``Description``
    (:data:`TEXT_KEYWORD`): the words of a picture can be searched, and checked for the report language.
    """
    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    with _font_context(language):
        figure.savefig(
            buffer,
            format="png",
            dpi=_DPI * IMAGE_SCALE,
            metadata={"Software": None},
            bbox_inches="tight",
            pad_inches=0.1,
        )
    shown = [text.get_text() for text in figure.findobj(Text) if text.get_visible() and text.get_text().strip()]
    return with_text_chunk(buffer.getvalue(), "\n".join(shown))


TEXT_KEYWORD = "Description"
"""Keyword of the PNG ``iTXt`` chunk that holds a figure's texts."""


def with_text_chunk(png: bytes, text: str, *, keyword: str = TEXT_KEYWORD) -> bytes:
    """`png` with an uncompressed UTF-8 ``iTXt`` chunk (PNG specification §11.3.4.5) before its ``IEND`` chunk."""
    data = keyword.encode("latin-1") + b"\0\0\0" + b"\0" + b"\0" + text.encode("utf-8")
    chunk = b"iTXt" + data
    end = png.rindex(b"IEND") - 4  # the IEND chunk starts with its 4-byte length
    return png[:end] + struct.pack(">I", len(data)) + chunk + struct.pack(">I", zlib.crc32(chunk)) + png[end:]


def _figure(size: tuple[float, float]) -> Figure:
    return Figure(figsize=size, dpi=_DPI, layout="constrained")


def _font_context(language: str):
    return rc_context({"font.family": font_families(language=language), "axes.titlesize": "medium"})


# ------------------------------------------------------------------------------------------------- maps


def _draw_boundary(axes, frame: MapFrame) -> None:
    if frame.boundary is None:
        return
    lines = frame.boundary.boundary
    for line in getattr(lines, "geoms", [lines]):
        x, y = line.xy
        axes.plot(x, y, color=BOUNDARY_COLOUR, linewidth=0.8)


def _map_size(frame: MapFrame, *, width: float, extra: float) -> tuple[float, float]:
    """Figure size whose map area has the city's proportions (height clamped to 0.3–1.6 × the width)."""
    left, right, bottom, top = frame.extent
    ratio = min(max((top - bottom) * frame.aspect / (right - left), 0.3), 1.6)
    return width, width * ratio + extra


def _map_axes(figure: Figure, frame: MapFrame, title: str, *, position: tuple[int, int, int] = (1, 1, 1)):
    axes = figure.add_subplot(*position)
    axes.set_title(title)
    axes.set_aspect(frame.aspect)
    axes.set_xlim(frame.extent[0], frame.extent[1])
    axes.set_ylim(frame.extent[2], frame.extent[3])
    axes.tick_params(labelsize="x-small" if position != (1, 1, 1) else "small")
    return axes


def _finish_map(axes, frame: MapFrame, *, small: bool = False) -> None:
    """Graticule, scale bar and north arrow of a map in a projected CRS (small multiples: no degree labels)."""
    if frame.crs is not None:
        decorate_map(
            axes,
            crs=frame.crs,
            extent=frame.extent,
            north_label=frame.north_label,
            labels=not small,
            furniture=("graticule", "scale") if small else ("graticule", "scale", "north"),
        )


def _mask_rgba(mask: np.ndarray, *, natural: str, not_natural: str) -> np.ndarray:
    image = np.zeros((*mask.shape, 4), dtype=float)
    image[mask == MASK_NATURAL] = colors.to_rgba(natural)
    image[mask == MASK_NOT_NATURAL] = colors.to_rgba(not_natural)
    return image


def natural_areas_map(
    mask: np.ndarray,
    *,
    frame: MapFrame,
    title: str,
    labels: Mapping[str, str],
    language: str,
) -> Figure:
    """Map of the natural-area mask (1 natural, 0 not, 255 outside) with the city boundary.

    Parameters
    ----------
    mask : ndarray of uint8
        The mask as written by the land-cover stage (possibly read at a coarser resolution).
    frame : MapFrame
    title : str
    labels : dict
        Legend words under the keys ``natural``, ``not_natural`` and ``boundary``.
    language : {"en", "zh"}
    """
    with _font_context(language):
        figure = _figure(_map_size(frame, width=7.0, extra=0.5))
        axes = _map_axes(figure, frame, title)
        axes.imshow(
            _mask_rgba(mask, natural=NATURAL_COLOUR, not_natural=NOT_NATURAL_COLOUR),
            extent=frame.extent,
            interpolation="nearest",
        )
        _draw_boundary(axes, frame)
        _finish_map(axes, frame)
        axes.legend(
            handles=[
                Patch(color=NATURAL_COLOUR, label=labels["natural"]),
                Patch(color=NOT_NATURAL_COLOUR, label=labels["not_natural"]),
                Patch(fill=False, edgecolor=BOUNDARY_COLOUR, label=labels["boundary"]),
            ],
            **_MAP_LEGEND,
        )
    return figure


def natural_areas_small_multiples(
    masks: Sequence[tuple[str, np.ndarray]],
    *,
    frame: MapFrame,
    language: str,
) -> Figure:
    """One small natural-area map per year, side by side (the caption says what the colours are)."""
    count = len(masks)
    columns = min(count, 3)
    rows = math.ceil(count / columns)
    with _font_context(language):
        panel_width, panel_height = _map_size(frame, width=3.0, extra=0.4)
        figure = _figure((panel_width * columns, panel_height * rows))
        for position, (title, mask) in enumerate(masks, start=1):
            axes = _map_axes(figure, frame, title, position=(rows, columns, position))
            axes.imshow(
                _mask_rgba(mask, natural=NATURAL_COLOUR, not_natural=NOT_NATURAL_COLOUR),
                extent=frame.extent,
                interpolation="nearest",
            )
            _draw_boundary(axes, frame)
            _finish_map(axes, frame, small=True)
    return figure


def connectivity_groups_map(
    ranks: np.ndarray,
    *,
    areas_ha: Sequence[float],
    highlighted: int,
    frame: MapFrame,
    title: str,
    group_label: str,
    other_label: str,
    language: str,
    group_ids: Sequence[int] | None = None,
    links: Sequence[tuple[int, float, float, float, float]] = (),
    link_label: str = "",
) -> Figure:
    """Map of the I2 connectivity groups, each in its own colour, the largest ones highlighted, and the best
    candidate links drawn over them.

    Parameters
    ----------
    ranks : ndarray of int
        Rank of the group covering each cell (1 = largest group), 0 where there is none.
    areas_ha : sequence of float
        Group areas by rank (``areas_ha[0]`` is the largest).
    highlighted : int
        How many of the largest groups get strong colours and a legend entry.
    frame : MapFrame
    title : str
    group_label : str
        Legend entry template with ``{rank}``, ``{group_id}`` (the group's ``group_id`` in the GeoPackage, from
        ``group_ids``) and ``{area}`` (hectares, formatted).
    other_label : str
        Legend entry of the muted groups.
    language : {"en", "zh"}
    links : sequence of (link_id, x0, y0, x1, y1)
        The best candidate links in the frame's coordinates, drawn as lines numbered by their ``link_id``.
    link_label : str
        Legend entry of the links.
    """
    highlighted = min(highlighted, len(areas_ha), len(HIGHLIGHT_COLOURS))
    palette = np.array(
        [colors.to_rgba("white")[:3] + (0.0,)]
        + [colors.to_rgba(colour) for colour in HIGHLIGHT_COLOURS[:highlighted]]
        + [colors.to_rgba(colour) for colour in MUTED_COLOURS]
    )
    index = np.where(
        ranks == 0,
        0,
        np.where(ranks <= highlighted, ranks, highlighted + 1 + (ranks - highlighted - 1) % len(MUTED_COLOURS)),
    )
    with _font_context(language):
        figure = _figure(_map_size(frame, width=7.0, extra=0.5))
        axes = _map_axes(figure, frame, title)
        axes.imshow(palette[index], extent=frame.extent, interpolation="nearest")
        _draw_boundary(axes, frame)
        _finish_map(axes, frame)
        handles = [
            Patch(
                color=HIGHLIGHT_COLOURS[rank],
                label=group_label.format(
                    rank=rank + 1,
                    group_id=group_ids[rank] if group_ids is not None else rank + 1,
                    area=f"{areas_ha[rank]:,.1f}",
                ),
            )
            for rank in range(highlighted)
        ]
        if len(areas_ha) > highlighted:
            handles.append(Patch(color=MUTED_COLOURS[0], label=other_label))
        for link_id, x0, y0, x1, y1 in links:
            axes.plot([x0, x1], [y0, y1], color=LINK_COLOUR, linewidth=2.0, solid_capstyle="round")
            axes.annotate(str(link_id), ((x0 + x1) / 2, (y0 + y1) / 2), color=LINK_COLOUR, fontsize=7, weight="bold")
        if links:
            handles.append(Line2D([], [], color=LINK_COLOUR, linewidth=2.0, label=link_label))
        axes.legend(handles=handles, **_MAP_LEGEND)
    return figure


LINK_COLOUR = "#e6550d"
"""Colour of the candidate links on the groups map (ColorBrewer Oranges, as in the QGIS package)."""


def overlay_map(
    mask: np.ndarray,
    *,
    overlays: Mapping[str, BaseGeometry],
    overlay_labels: Mapping[str, str],
    frame: MapFrame,
    title: str,
    language: str,
    colours: Mapping[str, str] | None = None,
) -> Figure:
    """Protected-area and coverage-layer polygons (outlined, lightly filled) over a faint natural-area mask.

    Parameters
    ----------
    mask : ndarray of uint8
        Natural-area mask of the year.
    overlays : dict
        Overlay kind (``protected_areas``, ``redline``) to its (multi)polygon in the map's CRS.
    overlay_labels : dict
        Legend entry of each kind.
    colours : dict, optional
        Colour of each kind; default :data:`OVERLAY_COLOURS` (protected areas, red line), else grey.
    frame : MapFrame
    title : str
    language : {"en", "zh"}
    """
    with _font_context(language):
        figure = _figure(_map_size(frame, width=7.0, extra=0.5))
        axes = _map_axes(figure, frame, title)
        axes.imshow(
            _mask_rgba(mask, natural="#a5d6a7", not_natural="#f2f2f2"), extent=frame.extent, interpolation="nearest"
        )
        handles = []
        for kind, geometry in overlays.items():
            colour = (colours or {}).get(kind) or OVERLAY_COLOURS.get(kind, "#555555")
            for polygon in getattr(geometry, "geoms", [geometry]):
                x, y = polygon.exterior.xy
                axes.fill(x, y, facecolor=colors.to_rgba(colour, 0.25), edgecolor=colour, linewidth=0.8)
            handles.append(Patch(facecolor=colors.to_rgba(colour, 0.25), edgecolor=colour, label=overlay_labels[kind]))
        _draw_boundary(axes, frame)
        _finish_map(axes, frame)
        axes.legend(handles=handles, **_MAP_LEGEND)
    return figure


def choropleth_map(
    polygons: Sequence[BaseGeometry],
    values: Sequence[float],
    *,
    frame: MapFrame,
    title: str,
    unit: str,
    language: str,
) -> Figure:
    """Districts filled by value (sequential colours, colour bar in ``unit``; NaN grey), the city outlined, with the
    graticule, scale bar and north arrow of every map (:func:`_finish_map`, with a ``frame`` from :func:`map_frame`).

    ``polygons`` are in the map's CRS (``frame``, the display CRS), one (multi)polygon per value.
    """
    finite = [value for value in values if value is not None and math.isfinite(value)]
    low, high = (min(finite), max(finite)) if finite else (0.0, 1.0)
    norm = colors.Normalize(vmin=low, vmax=high if high > low else low + 1.0)
    cmap = colormaps["YlGn"]
    with _font_context(language):
        figure = _figure(_map_size(frame, width=7.0, extra=0.5))
        axes = _map_axes(figure, frame, title)
        for geometry, value in zip(polygons, values, strict=True):
            known = value is not None and math.isfinite(value)
            face = cmap(norm(value)) if known else colors.to_rgba(NOT_NATURAL_COLOUR)
            for polygon in getattr(geometry, "geoms", [geometry]):
                x, y = polygon.exterior.xy
                axes.fill(x, y, facecolor=face, edgecolor="#555555", linewidth=0.4)
        _draw_boundary(axes, frame)
        bar = figure.colorbar(cm.ScalarMappable(norm=norm, cmap=cmap), ax=axes, shrink=0.7)
        bar.set_label(unit)
        _finish_map(axes, frame)
    return figure


@dataclass(frozen=True)
class MapClass:
    """A land-cover class as a map draws it: its index in the map's index raster (1, 2, ...), name and colour."""

    index: int
    name: str
    colour: str


def _class_rgba(indexes: np.ndarray, classes: Sequence[MapClass]) -> np.ndarray:
    palette = np.zeros((max((item.index for item in classes), default=0) + 1, 4))
    for item in classes:
        palette[item.index] = colors.to_rgba(item.colour)
    return palette[np.minimum(indexes, len(palette) - 1)]


def _class_legend(axes_or_figure, classes: Sequence[MapClass], *, frame: MapFrame, boundary_label: str, **options):
    handles = [Patch(color=item.colour, label=item.name) for item in classes]
    if frame.boundary is not None:
        handles.append(Patch(fill=False, edgecolor=BOUNDARY_COLOUR, label=boundary_label))
    return axes_or_figure.legend(handles=handles, **options)


def landcover_map(
    indexes: np.ndarray,
    *,
    classes: Sequence[MapClass],
    frame: MapFrame,
    title: str,
    boundary_label: str,
    language: str,
) -> Figure:
    """Map of one year's land cover in the product's class colours, with a legend of the classes shown.

    Parameters
    ----------
    indexes : ndarray of int
        Each display cell's class index (:attr:`MapClass.index`), 0 outside the city or without data (drawn
        transparent).
    classes : sequence of MapClass
        The classes in the legend, in legend order (the product's).
    frame : MapFrame
    title, boundary_label : str
    language : {"en", "zh"}
    """
    with _font_context(language):
        figure = _figure(_map_size(frame, width=7.0, extra=0.5))
        axes = _map_axes(figure, frame, title)
        axes.imshow(_class_rgba(indexes, classes), extent=frame.extent, interpolation="nearest")
        _draw_boundary(axes, frame)
        _finish_map(axes, frame)
        _class_legend(axes, classes, frame=frame, boundary_label=boundary_label, **_MAP_LEGEND)
    return figure


def landcover_small_multiples(
    years: Sequence[tuple[str, np.ndarray]],
    *,
    classes: Sequence[MapClass],
    frame: MapFrame,
    boundary_label: str,
    language: str,
) -> Figure:
    """One small land-cover map per year (index rasters as for :func:`landcover_map`), one legend below them."""
    count = len(years)
    columns = min(count, 3)
    rows = math.ceil(count / columns)
    with _font_context(language):
        panel_width, panel_height = _map_size(frame, width=3.0, extra=0.4)
        figure = _figure((panel_width * columns, panel_height * rows + 0.6))
        for position, (title, indexes) in enumerate(years, start=1):
            axes = _map_axes(figure, frame, title, position=(rows, columns, position))
            axes.imshow(_class_rgba(indexes, classes), extent=frame.extent, interpolation="nearest")
            _draw_boundary(axes, frame)
            _finish_map(axes, frame, small=True)
        _class_legend(
            figure,
            classes,
            frame=frame,
            boundary_label=boundary_label,
            loc="outside lower center",
            ncols=min(5, len(classes) + 1),
            fontsize="small",
            frameon=False,
        )
    return figure


# ------------------------------------------------------------------------------------------------- plots


def component_bars(
    components: Sequence[Mapping[str, object]],
    *,
    labels: Mapping[str, str],
    language: str,
) -> Figure:
    """Horizontal bars per component: points reached over the assessed maximum over the edition's maximum.

    Parameters
    ----------
    components : sequence of dict
        ``name``, ``points``, ``assessed_max``, ``max_points`` and ``indicators_scored`` of each component (already
        in the language); a component with no indicator scored gets no bar, only the label ``not_assessed``.
    labels : dict
        Legend words under ``points``, ``assessed_max`` and ``component_max``, the axis title ``axis`` and the
        label ``not_assessed``.
    language : {"en", "zh"}
    """
    names = [str(component["name"]) for component in components]
    assessed = [component["indicators_scored"] > 0 for component in components]
    positions = np.arange(len(components))[::-1]
    with _font_context(language):
        figure = _figure((8.0, 0.9 + 0.7 * len(components)))
        axes = figure.add_subplot()
        axes.barh(
            positions,
            [component["max_points"] or 0 for component in components],
            color="white",
            edgecolor="#555555",
            label=labels["component_max"],
        )
        axes.barh(
            positions,
            [component["assessed_max"] for component in components],
            color="#c6dbef",
            label=labels["assessed_max"],
        )
        axes.barh(
            positions[assessed],
            [component["points"] for component, scored in zip(components, assessed, strict=True) if scored],
            height=0.5,
            color="#08519c",
            label=labels["points"],
        )
        for position, component, scored in zip(positions, components, assessed, strict=True):
            label, style = (str(component["points"]), "normal") if scored else (labels["not_assessed"], "italic")
            axes.text(float(component["points"]) + 0.3, position, label, va="center", fontsize="small", style=style)
        axes.set_yticks(positions, names)
        axes.set_xlabel(labels["axis"])
        axes.legend(**_MAP_LEGEND)  # beside the bars: inside, it would hide the end of a long bar
    return figure


def display_range(banded: BandedValues) -> tuple[float, float]:
    """The value range a band plot shows: every finite band end and every value, open ends padded.

    An open-ended top band is shown over a quarter of the finite span beyond the last end, clipped to the
    indicator's ``value_max``; an open-ended bottom band down to ``value_min`` (a quarter span when unset).
    """
    ends = [end for band in banded.bands for end in (band.low, band.high) if end is not None]
    ends += [value for _, value in banded.values]
    low, high = min(ends), max(ends)
    pad = _DISPLAY_PAD * (high - low) or max(abs(high), 1.0) * _DISPLAY_PAD
    if any(band.low is None for band in banded.bands):
        low = min(banded.value_min, low) if banded.value_min is not None else low - pad
    if any(band.high is None for band in banded.bands):
        high = min(high + pad, banded.value_max) if banded.value_max is not None else high + pad
    return low, high


def _band_limits(band: BandSpan, low: float, high: float) -> tuple[float, float]:
    start = low if band.low is None else max(band.low, low)
    stop = high if band.high is None else min(band.high, high)
    return start, stop


def band_strips(
    indicators: Sequence[BandedValues],
    *,
    point_label: str,
    language: str,
) -> Figure:
    """One strip per indicator: its bands coloured by points, the value marked by a vertical line.

    Parameters
    ----------
    indicators : sequence of BandedValues
        Indicators with bands and one value each.
    point_label : str
        Template with ``{points}`` naming a band's points in the legend.
    language : {"en", "zh"}
    """
    with _font_context(language):
        figure = _figure((8.5, 0.6 + 1.05 * len(indicators)))
        for position, banded in enumerate(indicators, start=1):
            axes = figure.add_subplot(len(indicators), 1, position)
            low, high = display_range(banded)
            for band in banded.bands:
                start, stop = _band_limits(band, low, high)
                if stop <= start:
                    continue
                axes.axvspan(start, stop, color=POINT_COLOURS[band.points], alpha=0.85)
                axes.text(
                    (start + stop) / 2,
                    0.5,
                    str(band.points),
                    ha="center",
                    va="center",
                    fontsize="small",
                    transform=axes.get_xaxis_transform(),
                )
            for _, value in banded.values:
                axes.axvline(value, color="black", linewidth=2.2)
            axes.set_xlim(low, high)
            axes.set_yticks([])
            axes.set_title(banded.title, loc="left", fontsize="small")
            axes.set_xlabel(banded.unit, fontsize="small", labelpad=1)
            axes.tick_params(labelsize="x-small")
        figure.legend(
            handles=[
                Patch(color=colour, label=point_label.format(points=points))
                for points, colour in enumerate(POINT_COLOURS)
            ],
            loc="outside lower center",
            ncols=len(POINT_COLOURS),
            fontsize="small",
        )
    return figure


def indicator_time_series(
    indicators: Sequence[BandedValues],
    *,
    year_label: str,
    language: str,
) -> Figure:
    """A line per indicator through the years, over its bands (horizontal, coloured by points).

    Parameters
    ----------
    indicators : sequence of BandedValues
        Each with values per year (bands may be empty for indicators without bands).
    year_label : str
        The x-axis title.
    language : {"en", "zh"}
    """
    columns = 2 if len(indicators) > 1 else 1
    rows = math.ceil(len(indicators) / columns)
    with _font_context(language):
        figure = _figure((4.6 * columns, 3.0 * rows))
        for position, banded in enumerate(indicators, start=1):
            axes = figure.add_subplot(rows, columns, position)
            years = [year for year, _ in banded.values]
            values = [value for _, value in banded.values]
            if banded.bands:
                low, high = display_range(banded)
                for band in banded.bands:
                    start, stop = _band_limits(band, low, high)
                    if stop > start:
                        axes.axhspan(start, stop, color=POINT_COLOURS[band.points], alpha=0.3, linewidth=0)
                axes.set_ylim(low, high)
            axes.plot(years, values, marker="o", color="black")
            axes.set_xticks(years, [str(year) for year in years])
            axes.set_title(banded.title, fontsize="small")
            axes.set_ylabel(banded.unit, fontsize="small")
            axes.set_xlabel(year_label, fontsize="small")
            axes.tick_params(labelsize="x-small")
    return figure


def target_chart(
    values: Sequence[tuple[int, float | None]],
    *,
    trajectory: Sequence[tuple[int, float]],
    target: tuple[int, float],
    labels: Mapping[str, str],
    language: str,
) -> Figure:
    """One small chart of a city target: the indicator's value by year, the linear trajectory, the target.

    Parameters
    ----------
    values : sequence of (year, value)
        The indicator's value (or points) in each land-cover year; None where it has none (not drawn).
    trajectory : sequence of (year, value)
        The trajectory from the baseline to the target (two points suffice: it is a straight line).
    target : (year, value)
        The target, drawn as a star.
    labels : mapping
        ``title``, ``unit``, ``values``, ``trajectory``, ``target`` and ``year``, already worded.
    language : {"en", "zh"}
    """
    known = [(year, value) for year, value in values if value is not None]
    with _font_context(language):
        figure = _figure((4.6, 2.8))
        axes = figure.add_subplot(1, 1, 1)
        if trajectory:
            axes.plot(*zip(*trajectory, strict=True), linestyle="--", color="#1f77b4", label=labels["trajectory"])
        if known:
            axes.plot(*zip(*known, strict=True), marker="o", color="black", label=labels["values"])
        axes.plot(
            [target[0]], [target[1]], marker="*", markersize=14, linestyle="", color="#d62728", label=labels["target"]
        )
        axes.set_title(labels["title"], fontsize="small")
        axes.set_ylabel(labels["unit"], fontsize="small")
        axes.set_xlabel(labels["year"], fontsize="small")
        axes.tick_params(labelsize="x-small")
        axes.xaxis.get_major_locator().set_params(integer=True)
        axes.legend(fontsize="x-small", frameon=False)
    return figure
