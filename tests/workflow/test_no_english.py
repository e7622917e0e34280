"""No English word reaches the Chinese outputs of the sample run.

Checked: the text of ``report_zh.html`` (with its ``alt`` and ``title`` attributes and the words drawn in its
figures, which each PNG records in its ``Description``: :func:`cbindex.report.figures.png_bytes`), every ``*_zh``
text of ``scorecard.json``, every text cell of the workbook's Chinese sheets (scorecard, targets, scenarios), and
what a Chinese QGIS project (``*_zh.qgs``, when the run writes one) shows: layer and group names, field aliases,
legend labels, layout texts.

What may stay in Latin letters, and why (the allow-list is rules, not a list of the sentences that happen to pass):

- verbatim machine text, quoted sources and names: anything inside ``<code>`` (settings, file names, codes),
  ``<cite>`` (a source as its producer or the city wrote it) or an element marked ``translate="no"`` (a name from
  the city's data, such as a district's) in the report, and the workbook's column of a target's source (the
  city's words, as the report's ``<cite>``);
- codes, paths and links: a token holding a digit or an underscore (``I1``, ``EPSG:4326``, ``v100``, ``A_Gi``), a
  path or file name (``data/chengdu/x.geojson``, ``scorecard.json``), a URL;
- international abbreviations: words in capitals (``SI``, ``CRS``, ``UTM``, ``WGS``, ``LBSAP``, ``CBD``);
- names the run's own data give: the cities' names, the land-cover products' names (the legend's ``name``), the
  rule sets' and legends' ids;
- a short list of units and product names (:data:`ALLOWED_WORDS`) and single letters (``m``, ``x``).
"""

from __future__ import annotations

import base64
import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest
import yaml
from PIL import Image

from cbindex.core.messages import message
from cbindex.report.figures import TEXT_KEYWORD
from cbindex.scoring.workbook import SCENARIOS_SHEET_NAMES, SHEET_NAMES, TARGETS_SHEET_NAMES
from tests.helpers import REPO

ALLOWED_WORDS = frozenset({"ha", "km", "mm", "cm", "px", "dpi", "cbindex", "zone"})
"""Units, the workflow's own name and the word of CRS names as EPSG registers them ("WGS 84 / UTM zone 48N");
everything else is allowed by a rule of the module docstring."""

_URL = re.compile(r"https?://\S+|doi:\S+")
_PATH = re.compile(r"[A-Za-z0-9_./\\-]+\.(?:csv|tif|tiff|gpkg|geojson|shp|yaml|yml|json|qgs|qml|html|xlsx|png|md)\b")
_CODE = re.compile(r"(?<![A-Za-z0-9_])[A-Za-z0-9_]*[0-9_][A-Za-z0-9_]*(?![A-Za-z0-9_])")
_CAPITALS = re.compile(r"(?<![A-Za-z])[A-Z]{2,}s?(?![A-Za-z])")
_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?")


def run_names(work: Path) -> frozenset[str]:
    """Words that are names in the run's own data: cities, land-cover products, rule-set and legend ids."""
    names: set[str] = set()
    with open(work / "config" / "cities.csv", encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            names.update(_WORD.findall(f"{row['city_id']} {row.get('name') or ''}"))
    for folder in ("legends", "scoring"):
        for path in sorted((work / "config" / folder).glob("*.yaml")):
            document = yaml.safe_load(path.read_text(encoding="utf-8"))
            names.update(_WORD.findall(str(document.get("id", ""))))
            if folder == "legends":
                names.update(_WORD.findall(str(document.get("name", ""))))
    return frozenset(names)


def english_words(text: str, *, names: Iterable[str] = ()) -> list[str]:
    """The English words of `text` outside the allow-list of the module docstring."""
    allowed = ALLOWED_WORDS | set(names)
    for pattern in (_URL, _PATH, _CODE, _CAPITALS):
        text = pattern.sub(" ", text)
    return [word for word in _WORD.findall(text) if len(word) > 1 and word not in allowed]


class _ReportText(HTMLParser):
    """The text a reader sees in a report page (and its alt/title texts and figure words), without <code>, <cite>,
    style, script and elements marked ``translate="no"`` (names shown as written, e.g. districts)."""

    SKIPPED = frozenset({"style", "script", "code", "cite"})
    VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"})

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._skipping = 0
        self._open: list[tuple[str, bool]] = []  # open elements, and whether each starts a skipped part

    def handle_starttag(self, tag, attrs):
        skips = tag in self.SKIPPED or ("translate", "no") in attrs
        if tag not in self.VOID:
            self._open.append((tag, skips))
            self._skipping += skips
        self.texts.extend(value for name, value in attrs if name in ("alt", "title") and value)
        for name, value in attrs:
            if tag == "img" and name == "src" and value.startswith(PNG_DATA):
                self.texts.extend(figure_texts(base64.b64decode(value.removeprefix(PNG_DATA))))

    def handle_endtag(self, tag):
        # close the innermost open element of that name and any left open inside it (optional end tags)
        if any(name == tag for name, _ in self._open):
            while True:
                name, skips = self._open.pop()
                self._skipping -= skips
                if name == tag:
                    break

    def handle_data(self, data):
        if not self._skipping and data.strip():
            self.texts.append(data.strip())


PNG_DATA = "data:image/png;base64,"


def figure_texts(png: bytes) -> list[str]:
    """The texts a report figure shows, as its PNG records them (a figure without the record fails the test)."""
    with Image.open(io.BytesIO(png)) as image:
        image.load()
        recorded = image.info.get(TEXT_KEYWORD)
    assert recorded is not None, "a report figure does not record its texts"
    return [line for line in recorded.splitlines() if line.strip()]


def report_texts(path: Path) -> list[str]:
    parser = _ReportText()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.texts


def chinese_json_texts(document, *, chinese: bool = False) -> Iterator[str]:
    """Every text under a key ending in ``_zh`` of a JSON document."""
    if isinstance(document, dict):
        for key, value in document.items():
            yield from chinese_json_texts(value, chinese=chinese or key.endswith("_zh"))
    elif isinstance(document, list):
        for value in document:
            yield from chinese_json_texts(value, chinese=chinese)
    elif isinstance(document, str) and chinese:
        yield document


CHINESE_SHEETS = (SHEET_NAMES["zh"], TARGETS_SHEET_NAMES["zh"], SCENARIOS_SHEET_NAMES["zh"])
CITY_WORDS_HEADER = message("report.target_source", "zh")
"""The targets sheet's column of the city's own words (a target's source, shown as written: ``<cite>`` in the
report)."""


def workbook_texts(path: Path) -> dict[str, list[str]]:
    """The text cells of each Chinese sheet of a scorecard workbook, by sheet (those it has), without the cells
    under a header :data:`CITY_WORDS_HEADER`."""
    workbook = openpyxl.load_workbook(path, read_only=True)
    texts: dict[str, list[str]] = {}
    for name in (name for name in CHINESE_SHEETS if name in workbook.sheetnames):
        texts[name] = []
        skipped: set[int] = set()
        for row in workbook[name].iter_rows(values_only=True):
            texts[name] += [value for index, value in enumerate(row) if isinstance(value, str) and index not in skipped]
            skipped |= {index for index, value in enumerate(row) if value == CITY_WORDS_HEADER}
    return texts


QGIS_TEXTS = {  # element: attribute whose value a QGIS user reads (layer panel, legend, attribute table, layout)
    "layer-tree-layer": "name",
    "layer-tree-group": "name",
    "alias": "name",
    "Layout": "name",
    "LayoutItem": "labelText",
    "paletteEntry": "label",
    "category": "label",
    "range": "label",
}


def qgis_names(path: Path) -> list[str]:
    """The names and labels a QGIS project shows: layers, groups, field aliases, legend entries, layout texts."""
    root = ET.parse(path).getroot()
    names = [element.text or "" for element in root.iter("layername")]
    names += [element.get(QGIS_TEXTS[element.tag], "") for element in root.iter() if element.tag in QGIS_TEXTS]
    return [name for name in names if name]


def chinese_outputs(work: Path) -> dict[str, list[str]]:
    """Every Chinese output of the run's cities: file → its texts."""
    outputs: dict[str, list[str]] = {}
    for city in sorted(path for path in (work / "results").iterdir() if (path / "scorecard.json").exists()):
        outputs[f"{city.name}/report_zh.html"] = report_texts(city / "report_zh.html")
        scorecard = json.loads((city / "scorecard.json").read_text(encoding="utf-8"))
        outputs[f"{city.name}/scorecard.json"] = list(chinese_json_texts(scorecard))
        for sheet, texts in workbook_texts(city / "scorecard.xlsx").items():
            outputs[f"{city.name}/scorecard.xlsx {sheet}"] = texts
        for project in sorted(city.glob("*_zh.qgs")):
            outputs[f"{city.name}/{project.name}"] = qgis_names(project)
    return outputs


# ----------------------------------------------------------------------------------------- the checker itself


@pytest.mark.parametrize(
    "text",
    [
        "0: < 12 species",
        "1: +1 species",
        "3: 3 visits",
        "0.4–0.6 ha per 1000",
        "natural area / city area x 100",
        "各数值的计算方法（指标表中的 method 列）",
        "no value: add it to the city's figures file",
    ],
)
def test_the_checker_finds_english_words(text):
    assert english_words(text, names={"Chengdu", "Dynamic", "World"})


@pytest.mark.parametrize(
    "text",
    [
        "2020年自然区域分布（I1）：坐标系：EPSG:4326。",
        "土地覆盖数据 Dynamic World，2016, 2017",
        "见 config/README.md；scorecard.json；https://doi.org/10.5281/zenodo.5571936",
        "地方生物多样性战略与行动计划（LBSAP）的制定情况；SI 2021 版；UTM 50N；WGS 84",
        "有效网格尺寸 Σ A_Gi² / A_total；边缘间距小于 100 m；0.1–0.3 公顷/千人；I1–I23；v100",
        "成都（Chengdu）",
    ],
)
def test_the_checker_lets_codes_names_and_units_pass(text):
    assert english_words(text, names={"Chengdu", "Dynamic", "World"}) == []


def test_the_report_text_leaves_out_code_citations_and_names():
    parser = _ReportText()
    parser.feed(
        '<ol><li>甲<li>乙 <code>gap_distance_m</code></ol><p>区县 <span translate="no">Cantón <b>X</b> Y</span> 丙'
        '<br><cite>Chan et al. 2014</cite> 丁<img src="x.png" alt="地图"></p><style>p { color: red }</style>'
    )
    assert parser.texts == ["甲", "乙", "区县", "丙", "丁", "地图"]


def test_names_come_from_the_run_configuration():
    names = run_names(REPO)
    assert {"Chengdu", "Freetown", "ESA", "WorldCover", "Dynamic", "World", "si"} <= names
    assert "species" not in names


# ----------------------------------------------------------------------------------------- the sample run


def test_no_english_word_reaches_the_chinese_outputs(base_run):
    outputs = chinese_outputs(base_run)
    names = run_names(base_run)
    sheets = {f"freetown/scorecard.xlsx {sheet}" for sheet in CHINESE_SHEETS}  # Freetown has targets and a scenario
    assert {"chengdu/report_zh.html", "freetown/scorecard.json", *sheets} <= set(outputs)
    assert all(outputs.values())
    found = {
        f"{output}: {text[:160]!r}": words
        for output, texts in outputs.items()
        for text in texts
        if (words := english_words(text, names=names))
    }
    assert not found, "English words in Chinese outputs:\n" + "\n".join(f"{k} -> {v}" for k, v in found.items())
