"""Candidate links for SI indicator 2: which gap between two groups of natural patches, once closed, raises the
effective mesh size most.

I2 is ``MESH = Σ A_Gi² ÷ A_total`` (ha). Joining groups i and j (a corridor closing the gap between them, so that
they are less than the gap distance apart) replaces ``A_i² + A_j²`` by ``(A_i + A_j)² `` in the sum, so

    MESH' = MESH + 2·A_i·A_j ÷ A_total

— the corridor's own area is left out (it would add to the group and, with ``mesh_denominator: natural``, to
A_total). For every pair of groups at least the gap distance and at most ``link_search_m`` apart, edge to edge, the
candidate is the shortest segment between them: the distance between the groups' polygons (the outlines of their
cells) is the edge-to-edge distance of their nearest cells, ``√((h·max(0, |Δr| − 1))² + (w·max(0, |Δc| − 1))²)``
for cells Δr rows and Δc columns apart (docs/method.md A.5), measured in a metric CRS (the groups' own when
projected, else the UTM zone of their centre). Candidates are ranked by the gain ``2·A_i·A_j ÷ A_total``, largest
first (ties: the shorter link first). Barriers are not considered: a link across a road is listed like any other.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

LINK_COLUMNS = ["group_a", "group_b", "length_m", "area_a_ha", "area_b_ha", "gain_ha", "mesh_after_ha"]


def candidate_links(
    groups: gpd.GeoDataFrame,
    *,
    total_ha: float,
    gap_distance_m: float,
    link_search_m: float,
) -> gpd.GeoDataFrame:
    """Rank the links that would join two groups of natural patches by their gain in I2 (SI indicator 2, ha).

    Parameters
    ----------
    groups : geopandas.GeoDataFrame
        The connectivity groups as the land-cover rule writes them (layer ``connectivity_groups``): ``group_id``,
        ``area_ha`` (the group's ground area A_Gi, as I2 counts it) and one (multi)polygon per group.
    total_ha : float
        A_total of I2 (ha): the natural area, or the city area with ``mesh_denominator: landscape``.
    gap_distance_m : float
        Groups are at least this far apart (config ``method.gap_distance_m``); closer pairs (kept apart by a
        barrier) are not candidates.
    link_search_m : float
        The longest link considered, edge to edge, metres.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per candidate, best first: ``group_a``, ``group_b`` (ids, ``group_a`` the larger group),
        ``length_m`` (edge to edge), ``area_a_ha``, ``area_b_ha``, ``gain_ha`` = 2·A_a·A_b ÷ A_total,
        ``mesh_after_ha`` = MESH + gain, and the link as a two-point line in the metric CRS used.
    """
    metric = groups if groups.crs is not None and groups.crs.is_projected else groups.to_crs(groups.estimate_utm_crs())
    geometries = np.asarray(metric.geometry.values, dtype=object)
    ids = metric["group_id"].to_numpy()
    areas = metric["area_ha"].to_numpy(dtype=np.float64)
    mesh = float(np.sum(np.square(areas)) / total_ha)
    tree = shapely.STRtree(geometries)
    first, second = tree.query(geometries, predicate="dwithin", distance=link_search_m)
    keep = first < second
    first, second = first[keep], second[keep]
    lengths = shapely.distance(geometries[first], geometries[second])
    keep = (lengths >= gap_distance_m) & (lengths <= link_search_m)
    first, second, lengths = first[keep], second[keep], lengths[keep]
    swap = areas[second] > areas[first]
    first, second = np.where(swap, second, first), np.where(swap, first, second)
    gains = 2.0 * areas[first] * areas[second] / total_ha
    frame = pd.DataFrame(
        {
            "group_a": ids[first],
            "group_b": ids[second],
            "length_m": lengths,
            "area_a_ha": areas[first],
            "area_b_ha": areas[second],
            "gain_ha": gains,
            "mesh_after_ha": mesh + gains,
        },
        columns=LINK_COLUMNS,
    )
    lines = shapely.shortest_line(geometries[first], geometries[second])
    links = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(lines, crs=metric.crs), crs=metric.crs)
    order = np.lexsort((links["length_m"].to_numpy(), -links["gain_ha"].to_numpy()))
    return links.iloc[order].reset_index(drop=True)
