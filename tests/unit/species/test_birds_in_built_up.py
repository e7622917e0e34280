"""SI indicator 3 from occurrence records: reading, cleaning, swapped axes, counting in built-up cells."""

import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
import yaml
from affine import Affine

from cbindex.core.errors import CBIInputError
from cbindex.geo.boundary import BoundarySpec
from cbindex.species.birds_in_built_up import OccurrenceRules, parse_coordinates, read_occurrences
from cbindex.species.stage import compute_species_indicators
from cbindex.species.tables import name_key, read_non_native_names, read_text_table
from tests.helpers import REPO, write_raster, write_vector

GBIF = REPO / "tests" / "fixtures" / "gbif"
CHENGDU = {
    "raster_path": str(REPO / "data/chengdu/world_cover_CHN-Chengdu.tif"),
    "boundary": BoundarySpec(
        str(REPO / "data/chengdu/admin_boundaries_CHN-Chengdu.geojson"),
        filter_column="boundary_use",
        filter_value="TRUE",
    ),
}
LEGEND = str(REPO / "config/legends/esa_worldcover_v100.yaml")
METHOD = yaml.safe_load((REPO / "config/config.yaml").read_text(encoding="utf-8"))["method"]
HEADER = "class,species,decimalLatitude,decimalLongitude,year"

# 4 × 4 cells of 0.001° (WorldCover codes; 0 = nodata), the boundary covers them all.
CODES = np.array([[50, 50, 10, 10], [50, 50, 10, 10], [50, 0, 10, 10], [50, 50, 80, 80]], dtype=np.uint8)


def cell(row: int, column: int) -> str:
    """'latitude,longitude' of a cell centre."""
    return f"{0.0035 - 0.001 * row:.4f},{10.0005 + 0.001 * column:.4f}"


HAND_RECORDS = [
    f"Aves,Passer montanus,{cell(0, 0)},2020",  # built-up: counts
    f"Aves,Passer montanus,{cell(1, 1)},2020",  # same species again
    f"Aves, passer  Montanus ,{cell(3, 0)},2020",  # same species, other spelling
    f"Aves,Pica pica,{cell(0, 2)},2020",  # trees: in the city, not built-up
    f"Aves,Columba livia,{cell(1, 0)},2020",  # built-up but non-native
    f"Aves,Acridotheres tristis,{cell(2, 1)},2020",  # nodata cell
    "Aves,Hirundo rustica,0.0035,11.0,2020",  # outside the city
    "Aves,Motacilla alba,,10.0005,2020",  # missing latitude
    'Aves,Motacilla alba,"0,0025",10.0005,2020',  # unparseable latitude
    f"Magnoliopsida,Ficus microcarpa,{cell(0, 1)},2020",  # not a bird
    f"aves,,{cell(0, 0)},2020",  # no species name (class compared ignoring case)
    f"AVES,Streptopelia chinensis,{cell(3, 1)},2012",  # built-up: counts (an older record)
]


@pytest.fixture
def small_city(tmp_path):
    raster = write_raster(
        tmp_path / "landcover.tif", CODES, transform=Affine(0.001, 0, 10.0, 0, -0.001, 0.004), nodata=0
    )
    boundary = write_vector(tmp_path / "city.gpkg", [shapely.box(10.0, 0.0, 10.004, 0.004)], name=["city"])
    return {
        "raster_path": str(raster),
        "boundary": BoundarySpec(str(boundary)),
    }


def write_text(path: Path, lines, *, encoding="utf-8") -> str:
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return str(path)


def run_stage(tmp_path, city, occurrences, *, non_native=None, rules=None, method=None, year=2020) -> pd.Series:
    output = tmp_path / f"species_{year}.csv"
    compute_species_indicators(
        city="test",
        year=year,
        occurrences_path=str(occurrences),
        non_native_path=non_native,
        legend_path=LEGEND,
        method=method or METHOD,
        occurrence_rules=rules or {},
        indicators_csv=str(output),
        block_rows=2,
        **city,
    )
    table = pd.read_csv(output)
    assert list(table.columns) == ["city", "year", "indicator", "value", "unit", "method"]
    assert (table["year"] == year).all()
    return table.set_index("indicator")["value"]


@pytest.fixture
def hand_run(tmp_path, small_city):
    occurrences = write_text(tmp_path / "records.csv", [HEADER, *HAND_RECORDS])
    non_native = write_text(tmp_path / "non_native.txt", ["# introduced birds", "", "Columba  livia"])
    return run_stage(tmp_path, small_city, occurrences, non_native=non_native)


def test_hand_counted_species_in_built_up_cells(hand_run):
    assert hand_run["I3"] == 2  # Passer montanus (3 spellings) and Streptopelia chinensis
    assert hand_run["I3_bird_species_in_city"] == 3  # and Pica pica on trees
    assert hand_run["I3_built_up_share"] == pytest.approx(200 / 3)
    assert hand_run["I3_non_native_species_excluded"] == 1  # Columba livia
    assert hand_run["bird_records_in_city"] == 6
    assert hand_run["bird_records_in_built_up"] == 5


def test_every_skipped_record_is_counted_once(hand_run):
    assert hand_run["occurrences_read"] == len(HAND_RECORDS)
    expected = {
        "occurrences_not_birds": 1,
        "occurrences_outside_years": 0,
        "occurrences_skipped_missing": 1,
        "occurrences_skipped_unparseable": 1,
        "occurrences_outside_city": 1,
        "occurrences_on_nodata": 1,
        "occurrences_skipped_no_species": 1,
    }
    assert {reason: hand_run[reason] for reason in expected} == expected
    assert sum(expected.values()) + hand_run["bird_records_in_city"] == hand_run["occurrences_read"]
    assert hand_run["occurrences_axes_swapped"] == 0


def test_built_up_cells_counted_as_natural_are_excluded(tmp_path, small_city):
    occurrences = write_text(tmp_path / "records.csv", [HEADER, *HAND_RECORDS])
    values = run_stage(tmp_path, small_city, occurrences, method={**METHOD, "natural_codes_override": (10, 50, 80)})
    assert values["I3"] == 0
    assert values["I3_bird_species_in_city"] == 4


def test_without_a_non_native_list_every_species_counts(tmp_path, small_city):
    occurrences = write_text(tmp_path / "records.csv", [HEADER, *HAND_RECORDS])
    values = run_stage(tmp_path, small_city, occurrences)
    assert values["I3"] == 3
    assert values["I3_non_native_species_excluded"] == 0


def test_year_window(tmp_path, small_city):
    occurrences = write_text(tmp_path / "records.csv", [HEADER, *HAND_RECORDS])
    values = run_stage(tmp_path, small_city, occurrences, rules={"max_year_difference": 5})
    assert values["I3"] == 2  # Streptopelia (2012) left out, Columba livia now counts: no non-native list
    assert values["occurrences_outside_years"] == 1


def test_non_native_species_from_a_species_list_csv(tmp_path, small_city):
    lists = write_text(
        tmp_path / "lists.csv",
        [
            "group,species,status,survey",
            "birds,Passer montanus,native,current",
            "birds,COLUMBA LIVIA,introduced,current",
            "birds,Streptopelia chinensis,invasive,baseline",
        ],
    )
    assert read_non_native_names(lists) == {"columba livia", "streptopelia chinensis"}
    occurrences = write_text(tmp_path / "records.csv", [HEADER, *HAND_RECORDS])
    assert run_stage(tmp_path, small_city, occurrences, non_native=lists)["I3"] == 1


def test_swapped_columns_are_detected_in_a_hand_file(tmp_path, small_city):
    swapped = [HEADER.replace("decimalLatitude,decimalLongitude", "decimalLongitude,decimalLatitude"), *HAND_RECORDS]
    occurrences = write_text(tmp_path / "records.csv", swapped)
    with pytest.raises(CBIInputError, match="look swapped"):
        run_stage(tmp_path, small_city, occurrences)
    values = run_stage(tmp_path, small_city, occurrences, rules={"on_swapped_axes": "swap"})
    assert values["occurrences_axes_swapped"] == 1
    assert values["I3"] == 3


def test_latin1_tab_separated_file_with_stray_quotes(tmp_path, small_city):
    lines = [
        "species\tclass\tdecimalLatitude\tdecimalLongitude",
        f"Turdus mérula\tAves\t{cell(0, 0).replace(',', chr(9))}",
        f'Passer "montanus\tAves\t{cell(1, 1).replace(",", chr(9))}',
    ]
    occurrences = write_text(tmp_path / "gbif.txt", lines, encoding="latin-1")
    table = read_text_table(occurrences, what="Occurrence file", sheet_column="occurrences")
    assert table.separator == "\t"
    assert table.read()["species"].tolist() == ["Turdus mérula", 'Passer "montanus']
    non_native = write_text(tmp_path / "non_native.txt", ["Turdus mérula"], encoding="latin-1")
    assert run_stage(tmp_path, small_city, occurrences, non_native=non_native)["I3"] == 1


def test_gbif_zip_download(tmp_path, small_city):
    archive = tmp_path / "0001234-240101.zip"
    with zipfile.ZipFile(archive, "w") as download:
        download.writestr(
            "occurrence.txt",
            "\n".join([HEADER.replace(",", "\t"), *(line.replace(",", "\t") for line in HAND_RECORDS[:3])]),
        )
        download.writestr("meta.xml", "<archive/>")
    assert run_stage(tmp_path, small_city, archive)["I3"] == 1


def test_parse_coordinates_tells_missing_from_unparseable():
    latitude = pd.Series([" 30.5 ", "", "abc", "inf", "30,5", "-12", "1"])
    longitude = pd.Series(["104", "104", "104", "104", "104", "", "1e1"])
    parsed = parse_coordinates(latitude, longitude)
    assert parsed.missing.tolist() == [False, True, False, False, False, True, False]
    assert parsed.unparseable.tolist() == [False, False, True, True, True, False, False]
    assert parsed.latitude[0] == 30.5 and parsed.longitude[6] == 10.0
    assert np.isnan(parsed.latitude[1:6]).all()


def test_names_are_matched_ignoring_white_space_and_case():
    assert name_key("  Passer\tmontanus ") == name_key("passer MONTANUS") == "passer montanus"
    assert name_key("Passer montanus (Linnaeus, 1758)") != name_key("Passer montanus")


@pytest.mark.parametrize(
    ("header", "rules", "message"),
    [
        (
            "class,scientific,decimalLatitude,decimalLongitude",
            {},
            r"no species name column .*occurrences\.species_column",
        ),
        (
            "class,species,y,decimalLongitude",
            {},
            r"no latitude column .*columns are class, species, y.*latitude_column",
        ),
        ("species,decimalLatitude,decimalLongitude", {}, r"no taxonomic class column .*or to null when the file holds"),
        ("class,species,decimalLatitude,decimalLongitude", {"max_year_difference": 2}, r"no year column"),
    ],
)
def test_missing_columns_name_the_file_and_the_config_key(tmp_path, header, rules, message):
    path = write_text(tmp_path / "records.csv", [header, "Aves,Passer montanus,0.0035,10.0005"])
    with pytest.raises(CBIInputError, match=message):
        read_occurrences(path, rules=OccurrenceRules(**rules))


def test_class_column_null_means_all_birds(tmp_path):
    path = write_text(tmp_path / "records.csv", ["species,decimalLatitude,decimalLongitude", "Pica pica,1,2"])
    assert read_occurrences(path, rules=OccurrenceRules(class_column=None)).is_bird.tolist() == [True]


def test_unknown_swapped_axes_option():
    with pytest.raises(CBIInputError, match="on_swapped_axes 'fix' in config/config.yaml is unknown"):
        OccurrenceRules(on_swapped_axes="fix")


def test_missing_file_names_the_sheet_column(tmp_path):
    with pytest.raises(CBIInputError, match="city sheet's occurrences column"):
        read_occurrences(str(tmp_path / "absent.csv"), rules=OccurrenceRules())


# ------------------------------------------------------------------------------ the real Chengdu GBIF sample


def test_chengdu_sample_without_species_column_is_a_clear_error(tmp_path):
    with pytest.raises(CBIInputError) as error:
        run_stage(tmp_path, CHENGDU, GBIF / "GBIF-CHN-Chengdu.csv")
    message = str(error.value)
    assert "has no species name column" in message and "genus" in message
    assert message.endswith("set occurrences.species_column in config/config.yaml to it.")


def test_chengdu_sample_swapped_axes_are_detected(tmp_path):
    with pytest.raises(CBIInputError) as error:
        run_stage(tmp_path, CHENGDU, GBIF / "GBIF-CHN-Chengdu.csv", rules={"species_column": "genus"})
    message = str(error.value)
    assert "columns 'lat' and 'long' look swapped (1219 records fall inside the city" in message
    assert "set occurrences.latitude_column: long and longitude_column: lat in config/config.yaml" in message
    assert "\n" not in message and message.endswith("or occurrences.on_swapped_axes: swap.")


def test_chengdu_sample_read_swapped(tmp_path):
    rules = {"species_column": "genus", "on_swapped_axes": "swap"}
    values = run_stage(tmp_path, CHENGDU, GBIF / "GBIF-CHN-Chengdu.csv", rules=rules)
    assert values["occurrences_axes_swapped"] == 1
    assert values["occurrences_read"] == 1219
    assert values["occurrences_not_birds"] == 1219 - 545
    assert values["occurrences_outside_city"] == 0  # WRI selected the records inside this boundary
    assert values["bird_records_in_city"] == 545
    assert 0 < values["I3"] < values["I3_bird_species_in_city"]
    configured = {"latitude_column": "long", "longitude_column": "lat", "species_column": "genus"}
    assert run_stage(tmp_path, CHENGDU, GBIF / "GBIF-CHN-Chengdu.csv", rules=configured)["I3"] == values["I3"]


def test_records_of_another_city(tmp_path):
    with pytest.raises(CBIInputError, match="No record of occurrence file .*Chongqing.* lies inside boundary"):
        run_stage(tmp_path, CHENGDU, GBIF / "GBIF-CHN-Chongqing.csv", rules={"species_column": "genus"})
