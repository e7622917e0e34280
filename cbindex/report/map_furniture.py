"""What makes a report map readable on paper: graticule labelled in °E/°N, a metric scale bar and a north arrow.

Maps are drawn in a projected display CRS (config ``display_crs``, :mod:`cbindex.geo.display_crs`), so the axes
hold metres; readers locate a city by longitude and latitude. The graticule draws the meridians and parallels of
round degree values as thin lines (curved slightly in a projection) and labels where they cross the bottom and
left edges. The scale bar measures ground distance (:class:`pyproj.Geod` on the CRS's ellipsoid) across the
map's centre, so it stays right in a CRS whose map metres are not ground metres (Web Mercator). The north arrow
points to true north at the map's centre (the meridian convergence of a UTM or Gauss-Krüger zone is a few
degrees at most).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle
from pyproj import CRS, Geod, Transformer

GEOGRAPHIC = CRS.from_epsg(4326)
DEGREE_STEPS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0)
"""Graticule spacings tried, in degrees: the smallest giving at most :data:`MAX_GRATICULE_LINES` lines a side."""
MAX_GRATICULE_LINES = 5
SCALE_BAR_SHARE = 0.25
"""The scale bar is the longest round ground length (1, 2 or 5 × 10^k m) of at most this share of the map width."""
GRATICULE_COLOUR = "#9a9a9a"
_EDGE_SAMPLES = 64


@dataclass(frozen=True)
class GraticuleTicks:
    """Where meridians cross the bottom edge (x positions, labels) and parallels the left edge (y, labels)."""

    x: tuple[float, ...]
    x_labels: tuple[str, ...]
    y: tuple[float, ...]
    y_labels: tuple[str, ...]


def _edge_points(extent: tuple[float, float, float, float]) -> tuple[np.ndarray, np.ndarray]:
    left, right, bottom, top = extent
    along = np.linspace(0.0, 1.0, _EDGE_SAMPLES)
    xs = np.concatenate([left + along * (right - left), np.full_like(along, right), right - along * (right - left)])
    ys = np.concatenate([np.full_like(along, bottom), bottom + along * (top - bottom), np.full_like(along, top)])
    xs = np.concatenate([xs, np.full_like(along, left)])
    ys = np.concatenate([ys, top - along * (top - bottom)])
    return xs, ys


def degree_step(span_degrees: float) -> float:
    """The graticule spacing for a span of longitude or latitude (degrees): the smallest of
    :data:`DEGREE_STEPS` that draws at most :data:`MAX_GRATICULE_LINES` lines across it."""
    for step in DEGREE_STEPS:
        if span_degrees / step <= MAX_GRATICULE_LINES:
            return step
    return DEGREE_STEPS[-1]


def degree_label(value: float, *, step: float, positive: str, negative: str) -> str:
    """``104.5°E``, ``8.45°N``, ``13.2°W``: as many decimals as the step needs, hemisphere letter after."""
    decimals = max(0, -math.floor(math.log10(step) + 1e-9)) if step < 1 else 0
    if step < 1 and not math.isclose(round(step, decimals), step):
        decimals += 1
    hemisphere = positive if value >= 0 else negative
    return f"{abs(value):.{decimals}f}°{hemisphere}"


def _crossings(lines: np.ndarray, transformer: Transformer, *, meridians: bool, edge: float, span: tuple[float, float]):
    """Position along an edge where each meridian (crossing ``y = edge``) or parallel (``x = edge``) meets it."""
    positions = []
    kept = []
    low, high = span
    along = np.linspace(low, high, 200)
    for value in lines:
        lon, lat = (np.full_like(along, value), along) if meridians else (along, np.full_like(along, value))
        x, y = transformer.transform(lon, lat)
        coordinate, other = (np.asarray(y), np.asarray(x)) if meridians else (np.asarray(x), np.asarray(y))
        order = np.argsort(coordinate)
        if not coordinate[order[0]] <= edge <= coordinate[order[-1]]:
            continue
        positions.append(float(np.interp(edge, coordinate[order], other[order])))
        kept.append(float(value))
    return positions, kept


def graticule(
    axes: Axes,
    *,
    crs: CRS,
    extent: tuple[float, float, float, float],
    labels: bool = True,
) -> GraticuleTicks:
    """Draw meridians and parallels over a map in ``crs`` and label the bottom and left edges in °E/°N.

    Parameters
    ----------
    axes : matplotlib.axes.Axes
        The map's axes, limits already set to `extent`.
    crs : pyproj.CRS
        The map's (projected) CRS.
    extent : tuple
        ``(left, right, bottom, top)`` in `crs` units.
    labels : bool
        False: lines only, no tick labels (small multiples).

    Returns
    -------
    GraticuleTicks
        The tick positions and labels set on the axes.
    """
    to_degrees = Transformer.from_crs(crs, GEOGRAPHIC, always_xy=True)
    to_map = Transformer.from_crs(GEOGRAPHIC, crs, always_xy=True)
    lon, lat = to_degrees.transform(*_edge_points(extent))
    lon_span, lat_span = (float(np.min(lon)), float(np.max(lon))), (float(np.min(lat)), float(np.max(lat)))
    lon_step = degree_step(lon_span[1] - lon_span[0])
    lat_step = degree_step(lat_span[1] - lat_span[0])
    step = max(lon_step, lat_step)  # one spacing both ways: a square-ish grid reads as degrees, not as metres
    meridians = np.arange(math.ceil(lon_span[0] / step) * step, lon_span[1] + 1e-12, step)
    parallels = np.arange(math.ceil(lat_span[0] / step) * step, lat_span[1] + 1e-12, step)
    margin = (lat_span[1] - lat_span[0]) * 0.05
    for value in meridians:
        along = np.linspace(lat_span[0] - margin, lat_span[1] + margin, 100)
        x, y = to_map.transform(np.full_like(along, value), along)
        axes.plot(x, y, color=GRATICULE_COLOUR, linewidth=0.4, alpha=0.8, zorder=1.5)
    margin = (lon_span[1] - lon_span[0]) * 0.05
    for value in parallels:
        along = np.linspace(lon_span[0] - margin, lon_span[1] + margin, 100)
        x, y = to_map.transform(along, np.full_like(along, value))
        axes.plot(x, y, color=GRATICULE_COLOUR, linewidth=0.4, alpha=0.8, zorder=1.5)
    left, right, bottom, top = extent
    axes.set_xlim(left, right)
    axes.set_ylim(bottom, top)
    x, x_values = _crossings(meridians, to_map, meridians=True, edge=bottom, span=lat_span)
    y, y_values = _crossings(parallels, to_map, meridians=False, edge=left, span=lon_span)
    ticks = GraticuleTicks(
        x=tuple(x),
        x_labels=tuple(degree_label(value, step=step, positive="E", negative="W") for value in x_values),
        y=tuple(y),
        y_labels=tuple(degree_label(value, step=step, positive="N", negative="S") for value in y_values),
    )
    if labels:
        axes.set_xticks(ticks.x, ticks.x_labels)
        axes.set_yticks(ticks.y, ticks.y_labels, rotation=90, va="center")
    else:
        axes.set_xticks([])
        axes.set_yticks([])
    return ticks


def ground_metres_per_map_unit(crs: CRS, *, extent: tuple[float, float, float, float]) -> float:
    """Ground distance (m, geodesic on the CRS's ellipsoid) per map unit, measured east-west across the centre."""
    left, right, bottom, top = extent
    centre_y, half = (bottom + top) / 2, (right - left) / 4
    centre_x = (left + right) / 2
    to_degrees = Transformer.from_crs(crs, crs.geodetic_crs, always_xy=True)
    (lon0, lon1), (lat0, lat1) = to_degrees.transform([centre_x - half, centre_x + half], [centre_y, centre_y])
    geod = _geod(crs)
    _, _, distance = geod.inv(lon0, lat0, lon1, lat1)
    return distance / (2 * half)


def _geod(crs: CRS) -> Geod:
    ellipsoid = crs.ellipsoid
    if ellipsoid is None:
        return Geod(ellps="WGS84")
    return Geod(a=ellipsoid.semi_major_metre, b=ellipsoid.semi_minor_metre)


def round_length_m(limit_m: float) -> float:
    """The longest of 1, 2 or 5 × 10^k metres not above ``limit_m`` (> 0)."""
    exponent = math.floor(math.log10(limit_m))
    for mantissa in (5.0, 2.0, 1.0):
        length = mantissa * 10.0**exponent
        if length <= limit_m * (1 + 1e-9):
            return length
    return 10.0**exponent


def length_label(metres: float) -> str:
    """``500 m``, ``2 km``, ``0.5 km`` → ``500 m``: metres below 1 km, kilometres from 1 km."""
    return f"{metres / 1000:g} km" if metres >= 1000 else f"{metres:g} m"


def scale_bar(axes: Axes, *, crs: CRS, extent: tuple[float, float, float, float]) -> float:
    """Draw a two-segment scale bar in the lower left corner; returns its ground length in metres.

    The bar's map length is its ground length ÷ :func:`ground_metres_per_map_unit`, so its label is true on the
    ground at the map's centre whatever the CRS.
    """
    left, right, bottom, top = extent
    metres_per_unit = ground_metres_per_map_unit(crs, extent=extent)
    ground = round_length_m(SCALE_BAR_SHARE * (right - left) * metres_per_unit)
    length = ground / metres_per_unit
    height = (top - bottom) * 0.012
    x0, y0 = left + (right - left) * 0.04, bottom + (top - bottom) * 0.05
    axes.add_patch(
        Rectangle(
            (x0 - (right - left) * 0.015, y0 - height * 1.5),
            length + (right - left) * 0.03,
            height * 6.2,
            facecolor="white",
            edgecolor="none",
            alpha=0.8,
            zorder=4,
        )
    )
    for index, colour in enumerate(("black", "white")):
        axes.add_patch(
            Rectangle(
                (x0 + index * length / 2, y0),
                length / 2,
                height,
                facecolor=colour,
                edgecolor="black",
                linewidth=0.6,
                zorder=5,
            )
        )
    for position, text in ((0.0, "0"), (1.0, length_label(ground))):
        axes.text(x0 + position * length, y0 + height * 1.6, text, ha="center", va="bottom", fontsize=7, zorder=5)
    return ground


def true_north_angle(crs: CRS, *, extent: tuple[float, float, float, float]) -> float:
    """Angle (degrees, clockwise from the map's up) of true north at the map's centre: the grid convergence."""
    left, right, bottom, top = extent
    centre = ((left + right) / 2, (bottom + top) / 2)
    lon, lat = Transformer.from_crs(crs, GEOGRAPHIC, always_xy=True).transform(*centre)
    step = min(0.01, (90.0 - abs(lat)) / 2)
    x, y = Transformer.from_crs(GEOGRAPHIC, crs, always_xy=True).transform([lon, lon], [lat, lat + step])
    return math.degrees(math.atan2(x[1] - x[0], y[1] - y[0]))


def north_arrow(axes: Axes, *, crs: CRS, extent: tuple[float, float, float, float], label: str) -> float:
    """Draw an arrow to true north in the upper right corner, lettered ``label``; returns its angle (degrees)."""
    left, right, bottom, top = extent
    angle = math.radians(true_north_angle(crs, extent=extent))
    size = (top - bottom) * 0.1
    base = (right - (right - left) * 0.05, top - (top - bottom) * 0.08 - size * 1.3)
    tip = (base[0] + size * math.sin(angle), base[1] + size * math.cos(angle))
    axes.annotate(
        "",
        xy=tip,
        xytext=base,
        arrowprops={"arrowstyle": "-|>,head_width=0.5,head_length=0.9", "color": "black", "linewidth": 1.4},
        zorder=5,
    )
    axes.text(
        tip[0] + size * 0.25 * math.sin(angle),
        tip[1] + size * 0.25 * math.cos(angle),
        label,
        ha="center",
        va="bottom",
        fontsize=9,
        fontweight="bold",
        zorder=5,
    )
    return math.degrees(angle)


def decorate_map(
    axes: Axes,
    *,
    crs: CRS,
    extent: tuple[float, float, float, float],
    north_label: str,
    labels: bool = True,
    furniture: Sequence[str] = ("graticule", "scale", "north"),
) -> None:
    """Graticule, scale bar and north arrow (those named in ``furniture``) on a map in a projected CRS."""
    if "graticule" in furniture:
        graticule(axes, crs=crs, extent=extent, labels=labels)
    if "scale" in furniture:
        scale_bar(axes, crs=crs, extent=extent)
    if "north" in furniture:
        north_arrow(axes, crs=crs, extent=extent, label=north_label)
