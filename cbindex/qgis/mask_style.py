"""The QGIS style of the natural-area mask, written beside each GeoTIFF (rule write_natural_areas_style).

Apart from :mod:`cbindex.qgis.stage` so that the rule imports only the style writer, not the GIS libraries.
"""

from __future__ import annotations

from pathlib import Path

from cbindex.core.atomic_write import atomic_path
from cbindex.core.output_names import MASK_OUTSIDE
from cbindex.qgis.names import style_label
from cbindex.qgis.styles import PaletteEntry, RasterPalette, raster_qml


def natural_mask_palette(*, language: str | None = None) -> RasterPalette:
    """The natural-area mask's palette, labels in ``language`` (both languages for None: the ``.qml`` beside it)."""
    return RasterPalette(
        name="natural-area mask",
        entries=(
            PaletteEntry(1, (51, 160, 44, 255), style_label("mask_natural", language)),
            PaletteEntry(0, (224, 224, 224, 255), style_label("mask_not_natural", language)),
            PaletteEntry(MASK_OUTSIDE, (255, 255, 255, 0), style_label("mask_outside", language)),
        ),
        description="Natural-area mask (I1): 1 natural, 0 not natural, 255 outside the city or no data",
    )


NATURAL_MASK_PALETTE = natural_mask_palette()


def write_natural_areas_style(path: str | Path) -> None:
    """Write the QML style of a natural-area mask (save it beside the GeoTIFF with the same stem)."""
    with atomic_path(path) as temporary:
        temporary.write_text(raster_qml(NATURAL_MASK_PALETTE), encoding="utf-8")
