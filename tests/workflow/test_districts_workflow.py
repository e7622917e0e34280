"""Districts in the sample run: San José's 52 cantons add up to the city, and the outputs are where the docs say."""

import geopandas as gpd
import pandas as pd
import pytest

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
