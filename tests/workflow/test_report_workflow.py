"""The city report from workflow runs: languages chosen in the config, every section and no remote resource,
provenance checksums, change across years, transitions."""

from __future__ import annotations

import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
import yaml

from cbindex.landcover.transitions import transition_matrix_ha
from cbindex.report.html import SECTIONS
from tests.helpers import copy_run, copy_workflow, snakemake

pytestmark = pytest.mark.workflow
FREETOWN_YEARS = [2016, 2017, 2018, 2019, 2020]
SINGLE_YEAR_CITY = "freetown_2020"


def test_config_chooses_the_report_languages(tmp_path):
    work = copy_workflow(tmp_path)
    config_path = work / "config/config.yaml"
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    config["report"] = {"languages": ["zh"]}
    config_path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    planned = snakemake(work, "--dry-run").stdout
    assert planned.count("rule write_city_report:") == 3  # Chengdu, Freetown and San José, Chinese only
    assert "results/freetown/report_zh.html" in planned and "report_en.html" not in planned
    assert planned.count("rule compute_landcover_transitions:") == 4  # Freetown's consecutive years
    config["report"] = {"languages": ["fr"]}
    config_path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    result = snakemake(work, "--dry-run", check=False)
    assert result.returncode != 0
    # one sentence naming the file, the key, the bad value and the allowed ones (cbindex.core.config_files)
    assert "config/config.yaml: report.languages[0] is 'fr', which is not one of en, zh" in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 3


@pytest.fixture(scope="module")
def reports(base_run, tmp_path_factory):
    """Freetown (five years) and a single-year copy of it, run up to their reports in both languages: a copy of the
    base run, where only the single-year city's jobs remain to be run."""
    work = copy_run(base_run, tmp_path_factory.mktemp("report") / "work")
    sheet = pd.read_csv(work / "config/cities.csv", dtype=str, keep_default_na=False)
    freetown = sheet[sheet["city_id"] == "freetown"]
    single = freetown.assign(city_id=SINGLE_YEAR_CITY, years="2020", scenarios="")  # its scenario reads 2016
    pd.concat([freetown, single]).to_csv(work / "config/cities.csv", index=False)
    targets = [
        f"results/{city}/report_{language}.html" for city in ("freetown", SINGLE_YEAR_CITY) for language in ("en", "zh")
    ]
    snakemake(work, *targets)
    return work


def page(work: Path, city: str, language: str) -> str:
    return (work / f"results/{city}/report_{language}.html").read_text(encoding="utf-8")


class PageParser(HTMLParser):
    """Collects tags, attributes, section ids and the style text of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []
        self.sections: list[str] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self._in_style = tag == "style"
        for name, value in attrs:
            self.attributes.append((tag, name, value or ""))
            if name == "style":
                self.styles.append(value or "")
        if tag == "section":
            self.sections.append(dict(attrs)["id"])

    def handle_endtag(self, tag):
        self._in_style = False if tag == "style" else self._in_style

    def handle_data(self, data):
        if self._in_style:
            self.styles.append(data)


def parsed(text: str) -> PageParser:
    parser = PageParser()
    parser.feed(text)
    return parser


REMOTE = re.compile(r"^\s*(https?:|//|ftp:)", re.IGNORECASE)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_report_has_every_section_and_no_remote_resource(reports, language):
    text = page(reports, "freetown", language)
    parser = parsed(text)
    assert parser.sections == [section for section in SECTIONS if section != "districts"]  # Freetown has none
    assert "script" not in parser.tags and "link" not in parser.tags and "iframe" not in parser.tags
    for tag, name, value in parser.attributes:
        if name in ("src", "href", "srcset", "poster", "data", "action"):
            assert not REMOTE.match(value), (tag, name, value[:80])
        if name == "src":
            assert value.startswith("data:image/png;base64,"), (tag, value[:40])
    style = "\n".join(parser.styles)
    assert "@import" not in style
    for url in re.findall(r"url\(\s*['\"]?([^'\")]*)", style):
        assert url.startswith("data:"), url[:80]
    assert "@font-face" in style  # the CJK font travels with the page


def test_english_report_content(reports):
    text = page(reports, "freetown", "en")
    # score table: every indicator of the rule set, bands with the one reached highlighted
    assert text.count('<li class="band p3 reached">') >= 1  # I1 reaches 3 points
    assert "14.0–20.0 %" in text
    assert '<span class="status not_assessed">not assessed</span>' in text
    assert '<span class="status no_bands">' in text
    assert "recalled, not verified" in text
    # totals out of the assessed maximum and of the edition's 92
    assert "of 16 points over the 4 indicators assessed" in text
    assert "of 92 points" in text
    # maps and plots
    for figure in ("components", "bands", "natural-areas", "connectivity-groups", "time-series", "natural-years"):
        assert f'id="figure-{figure}"' in text, figure
    assert "names no protected-area or red-line layer" in text
    # distance to the next band, given by the scorecard
    assert "to reach 4 points" in text
    # I2 as natural area to add, and where (from 2020's connectivity groups); I1's hectares named by their I2 effect
    assert (
        "add 171 ha of natural area to the largest group (517 ha) to reach 2 points; the same area as an isolated "
        "patch would lower I2 to 380 ha (1 point)"
    ) in text
    assert "or add 190 ha to the second-largest group (472 ha)" in text
    assert "these 188 ha added to the largest group (517 ha) would raise I2 to 512 ha (2 points)" in text
    # the candidate link that reaches I2's next band (issue 12), and the table and map of the best links
    link = "joining groups 37 and 42 (517 ha and 472 ha), 1.34 km apart (link 1), would raise I2 to 786 ha (2 points)"
    assert link in text and "<h3>Candidate links between connectivity groups (I2)</h3>" in text
    # the score table speaks of groups and hectares; the term is explained in the links section and the methods
    assert "effective mesh size" not in text[text.index('<section id="scores">') : text.index('<section id="plots">')]


def test_chinese_report_is_in_chinese(reports):
    text = page(reports, "freetown", "zh")
    assert '<html lang="zh-Hans">' in text
    assert "弗里敦" in text and "城市中自然区域的比例" in text and "未评估" in text
    assert "历年变化" in text and "土地覆盖转移 2016 → 2017" in text
    assert "需增加" in text  # next band, in Chinese
    assert (
        "在最大组团（517 公顷）上增加自然区域 171 公顷可达到 2 分；同样面积若为孤立斑块，I2 将降至 380 公顷（1 分）"
        in text
    )
    assert "这 188 公顷若并入最大组团（517 公顷），I2 将升至 512 公顷（2 分）" in text
    assert "连接组团 37 与 42（517 公顷和 472 公顷，相距 1.34 公里；连接 1）可使 I2 升至 786 公顷（2 分）" in text
    assert "连通组之间的候选连接（I2）" in text


def test_change_across_years_for_freetown(reports):
    text = page(reports, "freetown", "en")
    change = text[text.index('<section id="change">') : text.index('<section id="provenance">')]
    for year_from, year_to in zip(FREETOWN_YEARS, FREETOWN_YEARS[1:], strict=False):
        assert f'id="transitions-{year_from}-{year_to}"' in change
    assert "Values by year" in change and "Points by year" in change
    assert change.count("<h3>Land-cover transitions") == 4
    assert "−0.59" in change  # I1 2019 → 2020: 18.05 → 17.46 %


def test_single_year_report_says_there_is_no_change(reports):
    text = page(reports, SINGLE_YEAR_CITY, "en")
    change = text[text.index('<section id="change">') : text.index('<section id="provenance">')]
    assert "Only one land-cover year (2020)" in change
    assert "transitions-" not in change


def test_provenance_lists_every_input_with_its_checksum(reports):
    text = page(reports, "freetown", "en")
    provenance = text[text.index('<section id="provenance">') :]
    rows = re.findall(
        r"<tr><td><code>([^<]+)</code></td><td>[\d,]+</td><td><code>([0-9a-f]{64})</code></td></tr>", provenance
    )
    listed = dict(rows)
    expected = [f"data/freetown/SLE-Freetown_core-landcover{year}.tif" for year in FREETOWN_YEARS]
    expected += [
        "data/freetown/SLE-Freetown_core-boundary.geojson",
        "config/legends/dynamic_world.yaml",
        "config/scoring/si-2014.yaml",
        "results/freetown/scorecard.json",
        "results/freetown/transitions_2019_2020.csv",
        "results/freetown/2020/natural_areas.tif",
    ]
    for path in expected:
        assert listed[path] == hashlib.sha256((reports / path).read_bytes()).hexdigest(), path
    for words in (
        "gap_distance_m",
        "boundary_rule",
        "Dynamic World",
        "V1 (label band; 2015 onwards)",
        "si-2014",
        "2014.1",
        "snakemake",
        "rasterio",
        "GDAL",
        "geopandas",
        "numpy",
        "python",
        "cbindex",
        "effective mesh size",
        'id="method-I1"',
    ):
        assert words in provenance, words


def test_transitions_add_up_to_the_city_area(reports):
    indicators = pd.read_csv(reports / "results/freetown/indicators.csv").set_index(["indicator", "year"])
    for year_from, year_to in zip(FREETOWN_YEARS, FREETOWN_YEARS[1:], strict=False):
        table = pd.read_csv(reports / f"results/freetown/transitions_{year_from}_{year_to}.csv")
        matrix = transition_matrix_ha(table)
        assert matrix.to_numpy().sum() == pytest.approx(indicators.loc[("city_area", year_from), "value"], rel=1e-9)
        natural = ["Water", "Trees", "Grass", "Flooded vegetation", "Shrub and scrub", "Snow and ice"]
        kept = [name for name in natural if name in matrix.index]
        assert matrix.loc[kept].to_numpy().sum() == pytest.approx(
            indicators.loc[("natural_area", year_from), "value"], rel=1e-9
        )
        assert matrix[kept].to_numpy().sum() == pytest.approx(
            indicators.loc[("natural_area", year_to), "value"], rel=1e-9
        )


def test_report_rule_logs_no_missing_glyph(reports):
    for language in ("en", "zh"):
        log = (reports / f"results/freetown/logs/write_city_report_{language}.log").read_text(encoding="utf-8")
        assert "missing from" not in log and "Traceback" not in log
        assert "input files checksummed" in log


def test_land_cover_section_composition_and_maps_for_freetown(reports):
    text = page(reports, "freetown", "en")
    land = text[text.index('<section id="land">') : text.index('<section id="maps">')]
    indicators = pd.read_csv(reports / "results/freetown/indicators.csv").set_index(["indicator", "year"])
    for year in FREETOWN_YEARS:
        table = pd.read_csv(reports / f"results/freetown/{year}/class_areas.csv")
        # the classes add up to the land-cover stage's city area, computed by the other pass
        assert table["area_ha"].sum() == pytest.approx(indicators.loc[("city_area", year), "value"], rel=1e-9)
        assert f"<th>{year}</th>" in land
    assert "Dynamic World" in land and "not published" in land  # no accuracy figure is invented
    assert "cannot be compared with its noise" in land
    assert "Trees" in land and "树木" in land and "ha</span>" in land
    for figure in ("landcover", "landcover-years"):
        assert f'id="figure-{figure}"' in text, figure
    assert "WGS 84 / UTM zone 28N (EPSG:32628)" in text  # maps in Freetown's display CRS


def test_chengdu_report_states_cell_size_and_accuracy(base_run):
    text = (base_run / "results/chengdu/report_en.html").read_text(encoding="utf-8")
    land = text[text.index('<section id="land">') : text.index('<section id="maps">')]
    assert "nominal resolution is 10 m" in land and "resampled" in land
    assert re.search(r"\b(8\d|9\d) m × (8\d|9\d) m at 30\.\d°N", land)  # about 90 m cells at Chengdu's latitude
    assert "overall accuracy 74.4 %" in land and "worldcover2020.esa.int" in land
    assert re.search(r"this raster: cells of about (8\d|9\d) m", text[: text.index("<main>")])  # the subtitle
    assert "WGS 84 / UTM zone 48N (EPSG:32648)" in text
    chinese = (base_run / "results/chengdu/report_zh.html").read_text(encoding="utf-8")
    assert "总体精度 74.4 %" in chinese and "重采样" in chinese
