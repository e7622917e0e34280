"""Open the workflow's QGIS projects with real QGIS and check every layer, its style and a rendering.

Run by the system Python that has QGIS (Debian: ``apt-get install qgis python3-qgis``), not the project's
venv::

    QT_QPA_PLATFORM=offscreen /usr/bin/python3 tests/workflow/qgis_check.py expectations.json

``expectations.json`` (written by tests/workflow/test_qgis.py from the workflow's outputs)::

    {"projects": [{"project": "results/x/x.qgs", "png": "x.png", "crs": "EPSG:32648", "ellipsoid": "EPSG:7030",
                   "layers": {"x_layers.gpkg|layername=city_boundary":
                              {"features": 1, "renderer": "singleSymbol", "classes": 1, "visible": true},
                              "2020/landcover.tif": {"renderer": "paletted", "classes": 9,
                                                     "palette": [[0, "#419bdf"], ...], ...}},
                   "language": "zh",
                   "groups": [{"name": "情景：...", "checked": false, "expanded": false,
                               "layers": ["scenarios/x/natural_areas.tif", ...]}],
                   "layouts": {"names": ["2020年土地覆盖图"], "png": "x.png", "pdf": "x.pdf", "dpi": 100,
                               "min_grey_std": 20}}]}

Layer keys are data sources relative to the project's folder. For each project the script checks that
QGIS reads it with relative paths; that the project CRS is valid, is the expected one (``crs``, an authority id)
and is the CRS the ``.qgs`` writes in ``<projectCrs>``, that the measurement ellipsoid is the expected one (not
``NONE``) with distances in metres and areas in hectares, and that the initial view, in the project CRS, shows the
whole city boundary; that its layers are exactly the expected ones, each valid, with the
expected feature count, renderer type and number of classes, and visibility; that each vector layer's style
equals the default style QGIS loads from the GeoPackage's ``layer_styles`` table and its SLD parses; that
each raster's style equals the one QGIS loads from the ``.qml`` beside it (labels aside: the shared files label
in both languages); and that every layer with features
draws pixels on its own and the visible layers render to a PNG that is not blank. A ``palette`` is the exact
``(value, colour)`` list of a paletted layer (the legend's codes and colours). With ``language`` ``zh`` every
layer and group name is Chinese (a Han character, no English word). With ``groups``: each named group of the
layers panel exists once, ticked or not and expanded or not as given, holding exactly the given layers (sources);
the summary lists every top-level group. With ``layouts``: the project's print
layouts are those named, each one A4 landscape page with a title, map, legend, scale bar, north arrow and source
line; the map in the project CRS shows the whole city; the legend lists the map's layers; the scale bar is
metric with round segments 10–20 mm long at the map's scale; in Chinese the title, legend title and source line
are Chinese and drawn in a font Qt lists for Simplified Chinese (no empty boxes); and the first layout
exports headless to a PNG of the A4 size at ``dpi`` whose grey levels spread (standard deviation at least
``min_grey_std``) and to a PDF of one A4 landscape page (its ``/MediaBox``).
It prints a JSON summary and exits 1 listing every failure.
"""

from __future__ import annotations

import json
import re
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
    QgsLayerTreeGroup,
    QgsLayoutExporter,
    QgsMapRendererParallelJob,
    QgsMapSettings,
    QgsProject,
    QgsRasterLayer,
    QgsRectangle,
    QgsUnitTypes,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor, QFontDatabase, QFontInfo, QImage

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
        if "palette" in want and palette(layer) != [tuple(entry) for entry in want["palette"]]:
            failures.append(f"{where}: palette {palette(layer)}, expected the legend's {want['palette']}")
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
    if expected.get("language") == "zh":
        names = [layer.name() for layer in project.mapLayers().values()] + [group.name() for group in root.findGroups()]
        failures += [f"{project_path.name}: name {name!r} is not Chinese" for name in names if not is_chinese(name)]
    report["groups"] = [
        group_summary(group, folder) for group in root.children() if isinstance(group, QgsLayerTreeGroup)
    ]
    for want in expected.get("groups", []):
        matches = [group for group in report["groups"] if group["name"] == want["name"]]
        if len(matches) != 1:
            failures.append(f"{project_path.name}: {len(matches)} groups named {want['name']!r}, expected one")
        elif matches[0] != want:
            failures.append(f"{project_path.name}: group {matches[0]}, expected {want}")
    if "layouts" in expected:
        report["layouts"] = check_layouts(project, expected, failures)
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


def group_summary(group, folder: Path) -> dict:
    """A group of the layers panel: its name, whether it is ticked and expanded, its layers' sources (sorted)."""
    return {
        "name": group.name(),
        "checked": group.itemVisibilityChecked(),
        "expanded": group.isExpanded(),
        "layers": sorted(relative_key(node.layer(), folder) for node in group.findLayers()),
    }


def palette(layer) -> list[tuple[int, str]]:
    """``(value, #rrggbb)`` of every class of a paletted raster layer, in the renderer's order."""
    return [(int(entry.value), entry.color.name()) for entry in layer.renderer().classes()]


def is_chinese(text: str) -> bool:
    """Holds a Han character and no English word (letters beyond codes like I1 or units like ha)."""
    words = re.findall(r"[A-Za-z]{3,}", text)
    return bool(re.search(r"[\u4e00-\u9fff]", text)) and not words


LAYOUT_ITEMS = ("title", "map", "legend", "scalebar", "north_arrow", "source")
A4_LANDSCAPE_MM = (297.0, 210.0)
PDF_POINTS_PER_MM = 72 / 25.4
SEGMENT_MM = (9.9, 20.1)
"""Length of a scale-bar segment on paper: the round distance (1, 2, 5 × 10ⁿ m) of at most 20 mm is at least half."""


def check_layouts(project, expected: dict, failures: list[str]) -> list[dict]:
    """Check every print layout: one A4 landscape page, its items, the map's CRS and extent (the whole city), the
    legend's layers and classes, the scale bar; export the first one to PNG and PDF and measure both files."""
    want = expected["layouts"]
    name = Path(expected["project"]).name
    layouts = project.layoutManager().printLayouts()
    if [layout.name() for layout in layouts] != want["names"]:
        failures.append(f"{name}: layouts {[layout.name() for layout in layouts]}, expected {want['names']}")
    boundary = next(
        layer for layer in project.mapLayers().values() if layer.source().endswith("layername=city_boundary")
    )
    city = next(boundary.getFeatures()).geometry()
    city.transform(QgsCoordinateTransform(boundary.crs(), project.crs(), project))
    summaries = []
    for layout in layouts:
        where = f"{name}: layout {layout.name()!r}"
        pages = layout.pageCollection()
        size = pages.page(0).pageSize() if pages.pageCount() else None
        page_mm = (size.width(), size.height()) if size else (0.0, 0.0)
        if pages.pageCount() != 1 or any(abs(a - b) > 1 for a, b in zip(page_mm, A4_LANDSCAPE_MM, strict=True)):
            failures.append(f"{where}: {pages.pageCount()} pages of {page_mm} mm, expected one A4 landscape page")
        items = {item_id: layout.itemById(item_id) for item_id in LAYOUT_ITEMS}
        missing = [item_id for item_id, item in items.items() if item is None]
        if missing:
            failures.append(f"{where}: no item {missing}")
            continue
        map_item, legend, bar = items["map"], items["legend"], items["scalebar"]
        if map_item.crs() != project.crs():
            failures.append(f"{where}: the map is in {map_item.crs().authid()}, not {project.crs().authid()}")
        if not map_item.extent().contains(city.boundingBox()):
            failures.append(f"{where}: the map {map_item.extent().toString(0)} does not show the whole city")
        if bar.linkedMap() is not map_item or items["north_arrow"].linkedMap() is not map_item:
            failures.append(f"{where}: the scale bar or the north arrow is not linked to the map")
        # a metric bar of round segments 10 to 20 mm long on paper at the scale QGIS computes for the map
        drawn_mm = segment_mm(bar, map_item)
        metric = bar.units() in (QgsUnitTypes.DistanceMeters, QgsUnitTypes.DistanceKilometers)
        if not metric or not SEGMENT_MM[0] <= drawn_mm <= SEGMENT_MM[1]:
            failures.append(
                f"{where}: scale-bar segments of {bar.unitsPerSegment()} {QgsUnitTypes.toString(bar.units())} are "
                f"{drawn_mm:.1f} mm at 1:{map_item.scale():.0f}, expected metric segments of {SEGMENT_MM} mm"
            )
        legend_layers = [node.layer() for node in legend.model().rootGroup().findLayers()]
        legend_lines = {
            node.layer().name(): [n.data(0) for n in legend.model().layerLegendNodes(node)]
            for node in legend.model().rootGroup().findLayers()
        }
        if [layer.id() for layer in legend_layers] != [layer.id() for layer in map_item.layers()]:
            failures.append(f"{where}: the legend lists {legend_lines}, not the map's layers")
        texts = [items["title"].text(), items["source"].text(), legend.title()]
        if expected.get("language") == "zh":
            family = QFontInfo(items["title"].font()).family()  # the font Qt draws with, after substitution
            if family not in QFontDatabase().families(QFontDatabase.SimplifiedChinese):
                failures.append(f"{where}: the title is drawn in {family}, a font without Chinese (empty boxes)")
            failures += [
                f"{where}: {text!r} is not in Chinese" for text in texts if not re.search("[\u4e00-\u9fff]", text)
            ]
        summaries.append(
            {
                "name": layout.name(),
                "page_mm": page_mm,
                "title": items["title"].text(),
                "source": items["source"].text(),
                "legend": legend_lines,
                "scale": round(map_item.scale()),
                "scale_bar": [bar.numberOfSegments(), bar.unitsPerSegment(), QgsUnitTypes.toString(bar.units())],
                "segment_mm": round(drawn_mm, 3),
            }
        )
    if layouts and "png" in want:
        summaries[0].update(export_layout(layouts[0], want, failures, where=f"{name}: layout {layouts[0].name()!r}"))
    return summaries


def segment_mm(bar, map_item) -> float:
    """One scale-bar segment's length on the page, millimetres: its ground distance at the linked map's scale."""
    metres = bar.unitsPerSegment() * QgsUnitTypes.fromUnitToUnitFactor(bar.units(), QgsUnitTypes.DistanceMeters)
    return metres * 1000 / map_item.scale()


def export_layout(layout, want: dict, failures: list[str], *, where: str) -> dict:
    """Export a layout to PNG (at ``want["dpi"]``) and PDF headless; the files' pixel size, grey-level spread and
    page box."""
    exporter = QgsLayoutExporter(layout)
    settings = QgsLayoutExporter.ImageExportSettings()
    settings.dpi = want["dpi"]
    png_result = exporter.exportToImage(want["png"], settings)
    pdf_result = exporter.exportToPdf(want["pdf"], QgsLayoutExporter.PdfExportSettings())
    if (png_result, pdf_result) != (QgsLayoutExporter.Success, QgsLayoutExporter.Success):
        failures.append(f"{where}: export to PNG gave {png_result}, to PDF {pdf_result} (0 is success)")
        return {}
    image = QImage(want["png"]).convertToFormat(QImage.Format_Grayscale8)
    grey = grey_levels(image)
    expected_px = [round(mm / 25.4 * want["dpi"]) for mm in A4_LANDSCAPE_MM]
    if abs(image.width() - expected_px[0]) > 1 or abs(image.height() - expected_px[1]) > 1:
        failures.append(f"{where}: the PNG is {image.width()} × {image.height()} px, expected {expected_px}")
    pdf = Path(want["pdf"]).read_bytes()
    counts = re.findall(rb"/Count\s+(\d+)", pdf)  # the page tree's count (QGIS's georeferencing appends an update)
    pages = int(counts[-1]) if counts else 0
    boxes = {tuple(float(v) for v in box.split()) for box in re.findall(rb"/MediaBox\s*\[\s*([\d.\s]+)\]", pdf)}
    page_mm = sorted([(b[2] - b[0]) / PDF_POINTS_PER_MM, (b[3] - b[1]) / PDF_POINTS_PER_MM] for b in boxes)
    a4 = all(abs(a - b) <= 1 for size in page_mm for a, b in zip(size, A4_LANDSCAPE_MM, strict=True))
    if pages != 1 or not page_mm or not a4:
        failures.append(f"{where}: the PDF has {pages} pages, boxes {page_mm} mm; expected one A4 landscape page")
    if grey["std"] < want["min_grey_std"]:
        failures.append(f"{where}: the PNG is nearly blank (grey-level standard deviation {grey['std']:.1f})")
    return {
        "png": want["png"],
        "png_px": [image.width(), image.height()],
        "pdf_pages": pages,
        "pdf_page_mm": page_mm,
        "grey": grey,
    }


def grey_levels(image: QImage) -> dict:
    """Mean and standard deviation of an 8-bit grey image's levels and the share of pixels that are not white."""
    import numpy as np

    bits = image.constBits()
    bits.setsize(image.sizeInBytes())
    pixels = np.frombuffer(bits, dtype=np.uint8).reshape(image.height(), image.bytesPerLine())[:, : image.width()]
    return {
        "mean": round(float(pixels.mean()), 2),
        "std": round(float(pixels.std()), 2),
        "not_white": round(float((pixels < 250).mean()), 4),
    }


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
    if kind == "categorizedSymbol":
        return kind, len(renderer.categories())
    return kind, 1


def default_style_problems(layer) -> list[str]:
    """Differences between the project's style and the default style QGIS loads for the layer's file.

    A vector layer added from the GeoPackage takes its style from the ``layer_styles`` table, a raster from
    the ``.qml`` beside it; both must give what the project shows. Every SLD in ``layer_styles`` must parse.
    """
    if isinstance(layer, QgsVectorLayer):
        fresh = QgsVectorLayer(layer.source(), "fresh", "ogr")
        same = symbology(fresh.renderer()) == symbology(layer.renderer())
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


def symbology(renderer) -> list:
    """What a vector renderer draws, without its labels (the GeoPackage's labels are in both languages, a
    project's in its own): the ranges and symbols of a graduated renderer, else the renderer's dump."""
    if renderer.type() == "graduatedSymbol":
        return [(r.lowerValue(), r.upperValue(), r.symbol().dump()) for r in renderer.ranges()]
    if renderer.type() == "categorizedSymbol":
        return [(c.value(), c.symbol().dump()) for c in renderer.categories()]
    return [renderer.dump()]


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
