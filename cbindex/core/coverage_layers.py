"""Coverage layers: the named control lines and zones a city plans with (config ``coverage_layers``).

Chinese cities plan with several zonings besides the ecological protection red line (生态保护红线): Shenzhen's basic
ecological control line (基本生态控制线), the priority ecological protection space (优先保护生态空间), the urban
development boundary (城镇开发边界). Each configured layer is read from the polygon file a city-sheet column names
and gives, per land-cover year, ``<id>_coverage`` (% of the city inside it), ``<id>_natural_share`` (% of it that is
natural) and their areas (``<id>_area``, ``<id>_natural_area``, ha); its polygons are layer ``<id>_areas`` of
``{year}/overlays.gpkg``. The red line is the layer ``redline`` (its rows keep their names: ``redline_coverage`` is
cn-ubi's indicator 24). A layer is scored only where a rule set names ``<id>_coverage`` with bands (the red
line's bands: the city's overrides).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from cbindex.core.errors import CBIInputError

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
RESERVED_COLUMNS = ("protected_areas", "parks", "boundary", "barriers", "landcover", "districts")
"""Sheet columns a coverage layer may not take (other inputs')."""
REDLINE = "redline"


@dataclass(frozen=True)
class CoverageLayer:
    """One configured coverage layer.

    Attributes
    ----------
    id : str
        Lower-case id; names its rows (``<id>_coverage``) and output layer (``<id>_areas``).
    name, name_zh : str
        English and Chinese names, for the report, scorecard and QGIS project.
    column : str
        The city-sheet column naming its polygon file (``<column>_layer``, ``_encoding``, ``_datum`` as for any
        polygon input); the id when not given.
    where, exclude : dict
        Attribute filter, as config ``overlays.<kind>`` (for ``redline``, ``overlays.redline`` is used when the
        entry gives none).
    """

    id: str
    name: str
    name_zh: str
    column: str
    where: Mapping[str, list] = field(default_factory=dict)
    exclude: Mapping[str, list] = field(default_factory=dict)

    @property
    def output_layer(self) -> str:
        """Its layer in ``{year}/overlays.gpkg``."""
        return f"{self.id}_areas"

    def names(self) -> dict[str, str]:
        """Its name per language."""
        return {"en": self.name, "zh": self.name_zh}


def coverage_layers(entries: Iterable[Mapping[str, object]] | None) -> tuple[CoverageLayer, ...]:
    """The coverage layers of config ``coverage_layers`` (each a mapping with ``id``, ``name``, ``name_zh`` and
    optionally ``column``, ``where``, ``exclude``), checked.

    Raises
    ------
    CBIInputError
        An id that is not lower-case letters, digits and ``_``, a repeated id or column, a column another input
        uses, or a missing name.
    """
    layers = []
    for entry in entries or ():
        layer_id = str(entry.get("id", ""))
        if not ID_PATTERN.match(layer_id):
            raise CBIInputError(
                f"Config coverage_layers id {layer_id!r} must be lower-case letters, digits and _ (e.g. "
                "eco_control_line); fix config/config.yaml."
            )
        if not entry.get("name") or not entry.get("name_zh"):
            raise CBIInputError(
                f"Config coverage_layers {layer_id} needs name and name_zh (English and Chinese); fix "
                "config/config.yaml."
            )
        column = str(entry.get("column") or layer_id)
        layers.append(
            CoverageLayer(
                id=layer_id,
                name=str(entry["name"]),
                name_zh=str(entry["name_zh"]),
                column=column,
                where=dict(entry.get("where") or {}),
                exclude=dict(entry.get("exclude") or {}),
            )
        )
    for what, values in (("id", [layer.id for layer in layers]), ("column", [layer.column for layer in layers])):
        repeated = sorted({value for value in values if values.count(value) > 1})
        if repeated:
            raise CBIInputError(
                f"Config coverage_layers gives the {what} {repeated[0]!r} twice; give each layer its own."
            )
    taken = [layer.column for layer in layers if layer.column in RESERVED_COLUMNS or layer.id in RESERVED_COLUMNS]
    if taken:
        raise CBIInputError(
            f"Config coverage_layers uses {taken[0]!r}, a city-sheet column of another input; name the layer and its "
            "column otherwise."
        )
    return tuple(layers)


def filter_rules(layers: Iterable[CoverageLayer], overlays: Mapping[str, object]) -> dict[str, object]:
    """Config ``overlays`` with each coverage layer's own ``where``/``exclude`` (a layer without either keeps
    ``overlays.<id>``, so ``overlays.redline`` still filters the red line)."""
    rules = dict(overlays)
    for layer in layers:
        if layer.where or layer.exclude:
            rules[layer.id] = {"where": dict(layer.where), "exclude": dict(layer.exclude)}
    return rules
