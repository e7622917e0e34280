"""Districts in the sample run: San José's 52 cantons add up to the city, the outputs are where the docs say, and the
report's choropleths are maps like the others (display CRS, graticule, scale bar, north arrow)."""

import base64
import io
import re

import geopandas as gpd
import pandas as pd
import pytest
from PIL import Image

from cbindex.report.figures import TEXT_KEYWORD

pytestmark = pytest.mark.workflow


def test_san_jose_district_areas_add_up_to_the_city(base_run):
    districts = pd.read_csv(base_run / "results/san_jose/2020/districts.csv")
    city = pd.read_csv(base_run / "results/san_jose/indicators.csv").set_index("indicator")
    parts = districts[districts["district_id"] >= 0]
    for name in ("city_area", "natural_area", "terrestrial_area"):
        summed = parts.loc[parts["indicator"] == name, "value"].sum()
        assert summed == pytest.approx(float(city.loc[name, "value"]), rel=1e-9)
    assert districts["district_id"].max() == 52
    scored = districts[(districts["indicator"] == "I1") & (districts["district_id"] > 0)]
    status = scored.set_index("district")["status"]
    assert status["Cantón San Ramón"] == "not_assessed"  # a sliver of the canton, no cell centre in the city
    assert (status.drop("Cantón San Ramón") == "scored").all() and scored["points"].notna().sum() == 51
    tiling = districts[districts["district_id"] == -1].set_index("indicator")["value"]
    assert tiling["district_gap_area"] < 0.01 and tiling["district_outside_area"] < 0.01  # cantons tile the city
    layer = gpd.read_file(base_run / "results/san_jose/2020/districts.gpkg", layer="districts")
    assert len(layer) == 52 and {"I1", "I1_points", "I2", "I12"} <= set(layer.columns)
    assert (base_run / "results/san_jose/logs/compute_district_indicators_2020.log").exists()


def test_san_jose_report_has_the_districts_section(base_run):
    for language, heading in (("en", "<h2>Districts</h2>"), ("zh", "<h2>各区县</h2>")):
        page = (base_run / f"results/san_jose/report_{language}.html").read_text(encoding="utf-8")
        assert heading in page and 'id="figure-district-I1"' in page and '<table class="districts">' in page
    chengdu = (base_run / "results/chengdu/report_en.html").read_text(encoding="utf-8")
    assert 'id="districts"' not in chengdu


def test_san_jose_district_maps_are_in_the_display_crs_with_map_furniture(base_run):
    """San José's display CRS (auto) is UTM zone 16N: the caption names it, and the PNG's recorded texts hold the
    graticule's °W/°N labels, the scale bar's km and the north arrow's letter in the report language."""
    for language, crs, north in (("en", "WGS 84 / UTM zone 16N (EPSG:32616)", "N"), ("zh", "EPSG:32616", "北")):
        page = (base_run / f"results/san_jose/report_{language}.html").read_text(encoding="utf-8")
        figure = re.search(r'<figure id="figure-district-I1">(.*?)</figure>', page).group(1)
        assert crs in figure.split("<figcaption>")[1]
        png = base64.b64decode(re.search(r'src="data:image/png;base64,([^"]+)"', figure).group(1))
        with Image.open(io.BytesIO(png)) as image:
            image.load()
            texts = image.info[TEXT_KEYWORD].splitlines()
        assert any(text.endswith("°W") for text in texts) and any(text.endswith("°N") for text in texts)
        assert any(text.endswith(" km") for text in texts) and north in texts
