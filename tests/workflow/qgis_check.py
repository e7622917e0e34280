"""Open the workflow's QGIS projects with real QGIS and check every layer, its style and a rendering.

Run by the system Python that has QGIS (Debian: ``apt-get install qgis python3-qgis``), not the project's
venv::

    QT_QPA_PLATFORM=offscreen /usr/bin/python3 tests/workflow/qgis_check.py expectations.json

``expectations.json`` (written by tests/workflow/test_qgis.py from the workflow's outputs)::

    {"projects": [{"project": "results/x/x.qgs", "png": "x.png", "crs": "EPSG:32648", "ellipsoid": "EPSG:7030",
                   "layers": {"x_layers.gpkg|layername=city_boundary":
                              {"features": 1, "renderer": "singleSymbol", "classes": 1, "visible": true},
                              "2020/natural_areas.tif": {"renderer": "paletted", "classes": 3, ...}}}]}

Layer keys are data sources relative to the project's folder. For each project the script checks that
QGIS reads it with relative paths; that the project CRS is valid, is the expected one (``crs``, an authority id)
and is the CRS the ``.qgs`` writes in ``<projectCrs>``, that the measurement ellipsoid is the expected one (not
``NONE``) with distances in metres and areas in hectares, and that the initial view, in the project CRS, shows the
whole city boundary; that its layers are exactly the expected ones, each valid, with the
expected feature count, renderer type and number of classes, and visibility; that each vector layer's style
equals the default style QGIS loads from the GeoPackage's ``layer_styles`` table and its SLD parses; that
each raster's style equals the one QGIS loads from the ``.qml`` beside it; and that every layer with features
draws pixels on its own and the visible layers render to a PNG that is not blank. It prints a JSON summary
and exits 1 listing every failure.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

from qgis.core import (
    Qgis,
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsMapRendererParallelJob,
    QgsMapSettings,
    QgsProject,
    QgsRasterLayer,
    QgsRectangle,
    QgsUnitTypes,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor, QImage

BACKGROUND = QColor(255, 255, 255)
IMAGE_WIDTH = 1200
LAYER_IMAGE_WIDTH = 300
MIN_MAP_SHARE = 0.05  # the visible layers must colour at least this share of the map image


def main(expectations_path: str) -> int:
    expectations = json.loads(Path(expectations_path).read_text(encoding="utf-8"))
    app = QgsApplication([], False)
    app.initQgis()
    summary = {"qgis_version": Qgis.QGIS_VERSION, "projects": []}
    failures: list[str] = []
    for expected in expectations["projects"]:
        summary["projects"].append(check_project(expected, failures))
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    for failure in failures:
        print(f"FAIL: {failure}", file=sys.stderr)
    QgsProject.instance().clear()
    app.exitQgis()
    return 1 if failures else 0


def check_project(expected: dict, failures: list[str]) -> dict:
    project_path = Path(expected["project"]).resolve()
    folder = project_path.parent
    project = QgsProject.instance()
    project.clear()
    started = time.perf_counter()
    if not project.read(str(project_path)):
        failures.append(f"{project_path}: QGIS cannot read the project ({project.error()})")
        return {"project": str(project_path)}
    read_seconds = time.perf_counter() - started
    absolute, _ = project.readBoolEntry("Paths", "/Absolute", True)
    if absolute:
        failures.append(f"{project_path}: the project stores absolute paths")
    failures += [f"{project_path.name}: {problem}" for problem in crs_problems(project, project_path, expected)]
    root = project.layerTreeRoot()
    visible_ids = {layer.id() for layer in root.checkedLayers()}
    found: dict[str, object] = {}
    for layer in project.mapLayers().values():
        key = relative_key(layer, folder)
        found[key] = layer
    missing = sorted(set(expected["layers"]) - set(found))
    extra = sorted(set(found) - set(expected["layers"]))
    if missing or extra:
        failures.append(f"{project_path.name}: layers missing {missing}, unexpected {extra}")
    settings = map_settings(project, [])
    report = {
        "project": str(project_path),
        "read_seconds": round(read_seconds, 2),
        "crs": project.crs().authid(),
        "ellipsoid": project.ellipsoid(),
        "layers": {},
    }
    for key, want in expected["layers"].items():
        layer = found.get(key)
        if layer is None:
            continue
        where = f"{project_path.name}: {key}"
        if not layer.isValid():
            failures.append(f"{where}: layer is not valid")
            continue
        renderer, classes = renderer_summary(layer)
        features = layer.featureCount() if isinstance(layer, QgsVectorLayer) else None
        pixels = count_pixels(render([layer], settings, width=LAYER_IMAGE_WIDTH)[0])
        report["layers"][key] = {
            "name": layer.name(),
            "features": features,
            "renderer": renderer,
            "classes": classes,
            "visible": layer.id() in visible_ids,
            "pixels_alone": pixels,
        }
        if features != want.get("features"):
            failures.append(f"{where}: {features} features, expected {want.get('features')}")
        if (renderer, classes) != (want["renderer"], want["classes"]):
            failures.append(
                f"{where}: renderer {renderer} with {classes} classes, expected {want['renderer']} "
                f"with {want['classes']}"
            )
        if (layer.id() in visible_ids) != want["visible"]:
            failures.append(f"{where}: visible is {layer.id() in visible_ids}, expected {want['visible']}")
        if pixels == 0 and (features is None or features > 0):
            failures.append(f"{where}: draws nothing on its own")
        failures += [f"{where}: {problem}" for problem in default_style_problems(layer)]
    image, render_seconds = render(
        [layer for layer in root.layerOrder() if layer.id() in visible_ids], settings, width=IMAGE_WIDTH
    )
    image.save(expected["png"])
    coloured = count_pixels(image)
    total = image.width() * image.height()
    report.update(
        png=expected["png"],
        image_size=[image.width(), image.height()],
        coloured_pixels=coloured,
        coloured_share=round(coloured / total, 4),
        render_seconds=round(render_seconds, 2),
    )
    if coloured < MIN_MAP_SHARE * total:
        failures.append(f"{project_path.name}: the map image is nearly blank ({coloured} of {total} pixels)")
    return report


def crs_problems(project, project_path: Path, expected: dict) -> list[str]:
    """What is wrong with the project's CRS, ellipsoid, measurement units and initial view (empty when nothing)."""
    crs = project.crs()
    problems = []
    if project.ellipsoid() != expected["ellipsoid"]:
        problems.append(f"the measurement ellipsoid is {project.ellipsoid()!r}, expected {expected['ellipsoid']}")
    if not crs.isValid():
        return [*problems, "the project CRS is not valid after reading"]
    written = ET.parse(project_path).getroot().find("projectCrs/spatialrefsys")
    written_crs = QgsCoordinateReferenceSystem.fromWkt(written.findtext("wkt"))
    if crs.authid() != written.findtext("authid") or crs != written_crs:
        problems.append(f"the project CRS is {crs.authid()}, not the {written.findtext('authid')} the .qgs writes")
    if crs.authid() != expected["crs"]:
        problems.append(f"the project CRS is {crs.authid()} ({crs.description()}), expected {expected['crs']}")
    units = (project.distanceUnits(), project.areaUnits())
    if units != (QgsUnitTypes.DistanceMeters, QgsUnitTypes.AreaHectares):
        problems.append(f"measurements in {[QgsUnitTypes.toString(unit) for unit in units]}, not metres and hectares")
    view = project.viewSettings().defaultViewExtent()
    boundaries = [layer for layer in project.mapLayers().values() if layer.source().endswith("layername=city_boundary")]
    for layer in boundaries:
        geometry = next(layer.getFeatures()).geometry()
        geometry.transform(QgsCoordinateTransform(layer.crs(), crs, project))
        extent = geometry.boundingBox()
        if not view.contains(extent):
            problems.append(f"the initial view {view.toString(0)} does not hold the city boundary {extent.toString(0)}")
    return problems


def relative_key(layer, folder: Path) -> str:
    """The layer's data source relative to the project folder (``file|layername=x`` for GeoPackage layers)."""
    path, _, options = layer.source().partition("|")
    relative = Path(path).resolve().relative_to(folder).as_posix()
    return f"{relative}|{options}" if options else relative


def renderer_summary(layer) -> tuple[str, int]:
    """Renderer type and number of classes (graduated ranges, palette entries; 1 for a single symbol)."""
    renderer = layer.renderer()
    kind = renderer.type()
    if kind == "graduatedSymbol":
        return kind, len(renderer.ranges())
    if kind == "paletted":
        return kind, len(renderer.classes())
    return kind, 1


def default_style_problems(layer) -> list[str]:
    """Differences between the project's style and the default style QGIS loads for the layer's file.

    A vector layer added from the GeoPackage takes its style from the ``layer_styles`` table, a raster from
    the ``.qml`` beside it; both must give what the project shows. Every SLD in ``layer_styles`` must parse.
    """
    if isinstance(layer, QgsVectorLayer):
        fresh = QgsVectorLayer(layer.source(), "fresh", "ogr")
        same = fresh.renderer().dump() == layer.renderer().dump()
        problems = [] if same else ["the style in layer_styles differs from the project's style"]
        path, _, options = layer.source().partition("|")
        table = options.removeprefix("layername=")
        with sqlite3.connect(path) as connection:
            rows = connection.execute(
                "SELECT styleSLD FROM layer_styles WHERE f_table_name = ? AND useAsDefault", (table,)
            ).fetchall()
        if len(rows) != 1:
            problems.append(f"{len(rows)} default styles in layer_styles")
        for (sld,) in rows:
            with tempfile.TemporaryDirectory() as folder:
                sld_path = Path(folder) / "style.sld"
                sld_path.write_text(sld, encoding="utf-8")
                probe = QgsVectorLayer(layer.source(), "sld", "ogr")
                message, loaded = probe.loadSldStyle(str(sld_path))
            if not loaded:
                problems.append(f"its SLD does not load ({message})")
        return problems
    fresh = QgsRasterLayer(layer.source(), "fresh", "gdal")
    same = [(c.value, c.color.name(QColor.HexArgb)) for c in fresh.renderer().classes()] == [
        (c.value, c.color.name(QColor.HexArgb)) for c in layer.renderer().classes()
    ]
    return [] if same else ["the .qml beside the raster differs from the project's style"]


def map_settings(project, layers) -> QgsMapSettings:
    settings = QgsMapSettings()
    settings.setDestinationCrs(project.crs())
    extent = project.viewSettings().defaultViewExtent()
    settings.setExtent(QgsRectangle(extent) if not extent.isEmpty() else QgsRectangle())
    settings.setBackgroundColor(BACKGROUND)
    settings.setLayers(layers)
    return settings


def render(layers, template: QgsMapSettings, *, width: int) -> tuple[QImage, float]:
    """Render layers (first on top) over the project's view extent; the image and the seconds it took."""
    settings = QgsMapSettings(template)
    extent = settings.extent()
    settings.setOutputSize(QSize(width, max(1, round(width * extent.height() / extent.width()))))
    settings.setLayers(layers)
    started = time.perf_counter()
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    return job.renderedImage(), time.perf_counter() - started


def count_pixels(image: QImage) -> int:
    """Pixels differing from the background colour."""
    image = image.convertToFormat(QImage.Format_RGB32)
    try:
        import numpy as np
    except ImportError:
        background = BACKGROUND.rgb()
        return sum(image.pixel(x, y) != background for y in range(image.height()) for x in range(image.width()))
    bits = image.constBits()
    bits.setsize(image.sizeInBytes())
    pixels = np.frombuffer(bits, dtype=np.uint32).reshape(image.height(), image.bytesPerLine() // 4)
    return int((pixels[:, : image.width()] != BACKGROUND.rgb()).sum())


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1]))
