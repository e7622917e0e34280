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
    assert set(scored["status"]) <= {"scored", "not_assessed"} and scored["points"].notna().sum() == 52
    tiling = districts[districts["district_id"] == -1].set_index("indicator")["value"]
    assert tiling["district_gap_area"] < 0.01 and tiling["district_outside_area"] < 0.01  # cantons tile the city
    layer = gpd.read_file(base_run / "results/san_jose/2020/districts.gpkg", layer="districts")
    assert len(layer) == 52 and {"I1", "I1_points", "I2", "I12"} <= set(layer.columns)
    assert (base_run / "results/san_jose/logs/compute_district_indicators_2020.log").exists()
