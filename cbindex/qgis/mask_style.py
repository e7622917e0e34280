"""The QGIS style of the natural-area mask, written beside each GeoTIFF (rule write_natural_areas_style).

Apart from :mod:`cbindex.qgis.stage` so that the rule imports only the style writer, not the GIS libraries.
"""

from __future__ import annotations

from pathlib import Path

from cbindex.core.atomic_write import atomic_path
from cbindex.core.output_names import MASK_OUTSIDE
from cbindex.qgis.styles import PaletteEntry, RasterPalette, raster_qml

NATURAL_MASK_PALETTE = RasterPalette(
    name="natural-area mask",
    entries=(
        PaletteEntry(1, (51, 160, 44, 255), "natural"),
        PaletteEntry(0, (224, 224, 224, 255), "not natural"),
        PaletteEntry(MASK_OUTSIDE, (255, 255, 255, 0), "outside the city or no data"),
    ),
    description="Natural-area mask (I1): 1 natural, 0 not natural, 255 outside the city or no data",
)


def write_natural_areas_style(path: str | Path) -> None:
    """Write the QML style of a natural-area mask (save it beside the GeoTIFF with the same stem)."""
    with atomic_path(path) as temporary:
        temporary.write_text(raster_qml(NATURAL_MASK_PALETTE), encoding="utf-8")
