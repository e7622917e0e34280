"""Years from different products end to end: Freetown 2019 in Dynamic World and 2020 recoded into ESA WorldCover
v100 (sheet legend ``2019:dynamic_world 2020:esa_worldcover_v100``).

Each year is computed with its own legend (2020's WorldCover codes would be unknown to Dynamic World's legend),
the transitions 2019 → 2020 are compared on the indicator categories and equal the class-by-class transitions of
the original Dynamic World rasters summed by category (computed apart, in this process), and both reports name
both products and mark the matrix as category-based."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import rasterio

from cbindex.geo.boundary import BoundarySpec
from cbindex.geo.legends import load_legend
from cbindex.landcover.transitions import CATEGORY_BASIS, category_key, compute_landcover_transitions
from tests.helpers import REPO, copy_workflow, snakemake

pytestmark = pytest.mark.workflow

CITY = "freetown_mixed"
FREETOWN = REPO / "data" / "freetown"
BOUNDARY = "SLE-Freetown_core-boundary.geojson"
DYNAMIC_WORLD = REPO / "config" / "legends" / "dynamic_world.yaml"
DW_TO_WORLDCOVER = {0: 80, 1: 10, 2: 30, 3: 90, 4: 40, 5: 20, 6: 50, 7: 60, 8: 70}
"""Dynamic World code → ESA WorldCover v100 code of the class with the same categories."""


def recode(source, destination, mapping) -> None:
    with rasterio.open(source) as raster:
        profile, codes = raster.profile, raster.read(1)
    lookup = np.zeros(max(mapping) + 1, dtype=codes.dtype)
    for code_from, code_to in mapping.items():
        lookup[code_from] = code_to
    with rasterio.open(destination, "w", **profile) as raster:
        raster.write(lookup[codes], 1)


@pytest.fixture(scope="module")
def mixed_run(tmp_path_factory):
    work = copy_workflow(tmp_path_factory.mktemp("mixed_products"))
    data = work / "data" / CITY
    data.mkdir()
    (data / BOUNDARY).write_bytes((FREETOWN / BOUNDARY).read_bytes())
    (data / "lc2019.tif").write_bytes((FREETOWN / "SLE-Freetown_core-landcover2019.tif").read_bytes())
    recode(FREETOWN / "SLE-Freetown_core-landcover2020.tif", data / "lc2020.tif", DW_TO_WORLDCOVER)
    sheet = pd.read_csv(work / "config/cities.csv", dtype=str, keep_default_na=False)
    freetown = sheet[sheet["city_id"] == "freetown"].iloc[0]
    row = dict.fromkeys(sheet.columns, "")  # only the land cover: no optional input of the sample row (scenarios, …)
    row.update(
        {
            "city_id": CITY,
            "name": freetown["name"],
            "name_zh": freetown["name_zh"],
            "scoring": freetown["scoring"],
            "boundary": f"data/{CITY}/{BOUNDARY}",
            "landcover": f"data/{CITY}/lc{{year}}.tif",
            "years": "2019 2020",
            "legend": "2019:dynamic_world 2020:esa_worldcover_v100",
        }
    )
    pd.DataFrame([row]).to_csv(work / "config/cities.csv", index=False)
    result = snakemake(work, check=False)
    assert result.returncode == 0, result.stderr[-5000:]
    return work / "results" / CITY


def test_each_year_is_computed_with_its_own_legend(mixed_run):
    expected = pd.read_csv(REPO / "tests/expected/freetown_indicators.csv").set_index(["indicator", "year"])
    for year, legend in ((2019, "dynamic_world"), (2020, "esa_worldcover_v100")):
        table = pd.read_csv(mixed_run / f"{year}/landcover_indicators.csv").set_index("indicator")
        assert f"legend {legend} category permeable" in table.loc["I11", "method"]
        for indicator in ("I1", "I11", "I12"):  # the recoded classes carry the same categories: same values
            assert table.loc[indicator, "value"] == pytest.approx(expected.loc[(indicator, year), "value"], rel=1e-9)


def test_transitions_between_products_are_the_category_sums_of_the_class_transitions(mixed_run, tmp_path):
    table = pd.read_csv(mixed_run / "transitions_2019_2020.csv", encoding="utf-8-sig")
    assert set(table["basis"]) == {CATEGORY_BASIS}
    assert set(table["legend_from"]) == {"dynamic_world"} and set(table["legend_to"]) == {"esa_worldcover_v100"}
    # independently: the original Dynamic World years class by class, then summed by category set
    by_class = tmp_path / "by_class.csv"
    compute_landcover_transitions(
        city=CITY,
        year_from=2019,
        year_to=2020,
        raster_from=str(FREETOWN / "SLE-Freetown_core-landcover2019.tif"),
        raster_to=str(FREETOWN / "SLE-Freetown_core-landcover2020.tif"),
        boundary=BoundarySpec(str(FREETOWN / BOUNDARY)),
        legend_from_path=str(DYNAMIC_WORLD),
        legend_to_path=str(DYNAMIC_WORLD),
        boundary_rule="centre",
        transitions_csv=str(by_class),
    )
    classes = pd.read_csv(by_class, encoding="utf-8-sig")
    assert "basis" not in classes.columns  # one product: class by class, as before
    key = {code: category_key(item) for code, item in load_legend(DYNAMIC_WORLD).classes.items()}
    summed = classes.groupby([classes["from_code"].map(key), classes["to_code"].map(key)])["area_ha"].sum()
    measured = table.set_index(["from_code", "to_code"])["area_ha"]
    summed = summed[summed > 0]
    pd.testing.assert_series_equal(
        measured[measured > 0].sort_index(), summed.sort_index(), check_names=False, rtol=1e-9
    )
    changed_classes = classes.loc[classes["from_code"] != classes["to_code"], "area_ha"].sum()
    changed_categories = table.loc[table["from_code"] != table["to_code"], "area_ha"].sum()
    assert 0 < changed_categories <= changed_classes  # grass ↔ shrub, say, is no change of category


def test_the_reports_name_both_products_and_mark_the_transitions(mixed_run):
    english = (mixed_run / "report_en.html").read_text(encoding="utf-8")
    chinese = (mixed_run / "report_zh.html").read_text(encoding="utf-8")
    assert "; land cover Dynamic World (2019); ESA WorldCover 10 m 2020 (2020)</p>" in english
    assert "；土地覆盖数据 Dynamic World（2019年）；ESA WorldCover 10 m 2020（2020年）</p>" in chinese
    assert "Land-cover transitions 2019 → 2020 (ha; categories, products differ)" in english
    assert "2019 is Dynamic World and 2020 is ESA WorldCover 10 m 2020: different products" in english
    assert "土地覆盖转移 2019 → 2020（公顷；按指标类别比较，数据产品不同）" in chinese
    assert "natural, tree canopy, permeable" in english and "自然区域、树冠覆盖、透水区域" in chinese
    assert "Land-cover product (2019)" in english and "Land-cover product (2020)" in english  # land-cover section
    assert "(dynamic_world)" in english and "(esa_worldcover_v100)" in english  # class rows keyed by legend and code
    for legend in ("dynamic_world.yaml", "esa_worldcover_v100.yaml"):  # both legends checksummed
        assert f"config/legends/{legend}</code>" in english
