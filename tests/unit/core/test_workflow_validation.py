"""validate_config and validate_sheet (cbindex.core.config_files) against the workflow's own schemas: one sentence
per mistake (an unknown key or column with the closest valid one), the schema's defaults filled in as
snakemake.utils.validate did, and exit_on_input_error printing only that sentence."""

from __future__ import annotations

import re

import pandas as pd
import pytest
import yaml

from cbindex.core.config_files import validate_config, validate_sheet
from cbindex.core.errors import CBIInputError
from cbindex.core.rule_runtime import exit_on_input_error
from tests.helpers import REPO

CONFIG_SCHEMA = REPO / "workflow/schemas/config.schema.yaml"
SHEET_SCHEMA = REPO / "workflow/schemas/cities.schema.yaml"
FILES = ["config/config.yaml"]


def shipped_config() -> dict:
    return yaml.safe_load((REPO / "config/config.yaml").read_text(encoding="utf-8"))


def config_error(config: dict, **options) -> str:
    with pytest.raises(CBIInputError) as error:
        validate_config(config, CONFIG_SCHEMA, **({"config_files": FILES} | options))
    return str(error.value)


# ------------------------------------------------------------------------------------------- config


def test_the_shipped_config_is_valid_and_keeps_its_values():
    config = shipped_config()
    validate_config(config, CONFIG_SCHEMA, config_files=FILES)
    assert config == shipped_config()


def test_missing_keys_get_the_schema_defaults_nested_ones_too():
    config = {"cities": "config/cities.csv", "method": {"gap_distance_m": 50}}
    validate_config(config, CONFIG_SCHEMA, config_files=FILES)
    assert config["method"] == {
        "gap_distance_m": 50,
        "neighbourhood": 8,
        "boundary_rule": "centre",
        "mesh_denominator": "natural",
        "bare_is_natural": False,
        "snow_is_natural": True,
        "builtup_is_barrier": False,
        "link_search_m": 2000,
    }
    assert config["barriers"]["class_widths_m"]["motorway"] == 30 and config["barriers"]["min_width_m"] == 15
    assert config["report"] == {"languages": ["en", "zh"]}
    assert config["cities_encoding"] is None and config["vector_encoding"] is None
    assert config["occurrences"]["latitude_column"][0] == "decimalLatitude"
    # each run gets its own copy of a default: changing one does not change the schema's
    config["barriers"]["class_widths_m"]["motorway"] = 99
    again = {"cities": "config/cities.csv"}
    validate_config(again, CONFIG_SCHEMA, config_files=FILES)
    assert again["barriers"]["class_widths_m"]["motorway"] == 30


def test_a_misspelt_key_is_named_with_the_closest_valid_one(tmp_path):
    config = shipped_config()
    config["method"]["gap_distanse"] = config["method"].pop("gap_distance_m")
    log = tmp_path / "logs" / "validation.log"
    message = config_error(config, log_path=log)
    assert (
        message
        == "Config file config/config.yaml has the unknown key method.gap_distanse; did you mean gap_distance_m?"
    )
    report = log.read_text(encoding="utf-8")  # jsonschema's full report, for whoever wants it
    assert report.startswith(message) and "Failed validating 'additionalProperties'" in report


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda c: c.update(blok_rows=c.pop("block_rows")), "has the unknown key blok_rows; did you mean block_rows?"),
        (
            lambda c: c["barriers"].update(min_widht_m=1),
            "has the unknown key barriers.min_widht_m; did you mean min_width_m?",
        ),
        (
            lambda c: c["overlays"]["parks"].update(wher={}),
            "has the unknown key overlays.parks.wher; did you mean where?",
        ),
        (
            lambda c: c.update(Vector_Encoding="gbk"),
            "has the unknown key Vector_Encoding; did you mean vector_encoding?",
        ),
        (
            lambda c: c["method"].update(boundary_rule="center"),
            "method.boundary_rule is 'center', which is not one of centre, exact; did you mean centre?",
        ),
        (
            lambda c: c.update(zzz=1),
            "has the unknown key zzz; remove it or use one of the keys cities, cities_encoding",
        ),
        (lambda c: c.update(block_rows="many"), "key block_rows is invalid ('many' is not of type 'integer')"),
        (lambda c: c.update(vector_encoding=5), "key vector_encoding is invalid (5 is not of type 'string', 'null')"),
    ],
)
def test_each_mistake_is_one_sentence_naming_the_file_and_key(edit, expected):
    config = shipped_config()
    edit(config)
    message = config_error(config)
    assert message.startswith("Config file config/config.yaml") and expected in message
    assert "\n" not in message and len(message) < 700  # the unknown-key fix lists every key of the section


def test_every_object_of_the_config_schema_rejects_unknown_keys():
    schema = yaml.safe_load(CONFIG_SCHEMA.read_text(encoding="utf-8"))
    open_objects = []

    def walk(node, where):
        if isinstance(node, dict):
            if "properties" in node and node.get("additionalProperties") is not False:
                open_objects.append(where)
            for key, value in node.items():
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{where}/{index}")

    walk(schema, "#")
    assert open_objects == []


def test_config_files_are_named_relative_to_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    message = config_error({"cities": 1}, config_files=[tmp_path / "config/config.yaml", "config/config.yaml"])
    assert message.startswith("Config file config/config.yaml: key cities is invalid")


# ------------------------------------------------------------------------------------------- city sheet


def sheet(**cells) -> pd.DataFrame:
    row = {
        "city_id": "chengdu",
        "boundary": "b.gpkg",
        "landcover": "lc.tif",
        "years": "2020",
        "legend": "esa_worldcover_v100",
        "scoring": "si-2014",
    }
    return pd.DataFrame([row | cells], dtype=str)


def sheet_error(frame: pd.DataFrame) -> str:
    with pytest.raises(CBIInputError) as error:
        validate_sheet(frame, SHEET_SCHEMA, path="config/cities.csv")
    return str(error.value)


def test_the_shipped_sheet_is_valid():
    frame = pd.read_csv(REPO / "config/cities.csv", dtype=str, keep_default_na=False)
    validate_sheet(frame, SHEET_SCHEMA, path="config/cities.csv")


def test_every_new_column_is_allowed():
    columns = ("boundary", "barriers", "protected_areas", "redline", "parks")
    frame = sheet(barriers_layer="roads", **{f"{column}_encoding": "gbk" for column in columns})
    validate_sheet(frame, SHEET_SCHEMA, path="config/cities.csv")


def test_a_misspelt_column_is_named_with_the_closest_valid_one():
    message = sheet_error(sheet(boundry_layer="districts"))
    assert (
        message == "City sheet config/cities.csv has the unknown column 'boundry_layer'; did you mean boundary_layer?"
    )
    assert "did you mean barriers_encoding?" in sheet_error(sheet(barrier_encoding="gbk"))


def test_a_missing_required_column_is_named():
    message = sheet_error(sheet().drop(columns="years"))
    assert message.startswith("City sheet config/cities.csv lacks the required column 'years'; add it")


@pytest.mark.parametrize("city_id", ["成都", "chengdu", "chengdu_2020", "san-jose", "ΑΘΗΝΑ", "Zürich", "-x"])
def test_city_ids_of_any_script_that_are_safe_folder_names_are_allowed(city_id):
    validate_sheet(sheet(city_id=city_id), SHEET_SCHEMA, path="config/cities.csv")


@pytest.mark.parametrize(
    "city_id",
    [
        "new york",
        "a/b",
        "a\\b",
        "a.b",
        ".hidden",
        "a:b",
        "a*",
        "a?",
        'a"b',
        "a'b",
        "a<b",
        "a>b",
        "a|b",
        "a\tb",
        "a\n",
        "",
    ],
)
def test_an_unsafe_city_id_is_refused_naming_the_id_and_the_rule(city_id):
    message = sheet_error(sheet(city_id=city_id))
    assert message.startswith(f"City sheet config/cities.csv, row 2: city_id {city_id!r} is not allowed (")
    rule = "only letters of any script (chengdu, 成都), digits, '_' and '-': no spaces, '/', '\\', '.', ':', '*', '?', "
    assert rule + "quotes, '<', '>' or '|'" in message
    assert message.endswith("; correct the cell.") and "\n" not in message.replace(repr(city_id), "")


def test_a_bad_cell_is_named_by_its_row_and_city():
    frame = pd.concat([sheet(), sheet(city_id="freetown", years="2016,2017")], ignore_index=True)
    message = sheet_error(frame)
    assert message.startswith("City sheet config/cities.csv, row 3 (freetown): years '2016,2017' is not allowed (")
    assert re.search(r"separated by spaces.*\); correct the cell\.$", message)


# ------------------------------------------------------------------------------------------- on the console


def test_exit_on_input_error_prints_only_the_sentence(capsys):
    with pytest.raises(SystemExit) as stop, exit_on_input_error():
        raise CBIInputError("Config file config/config.yaml has the unknown key x; did you mean y?")
    assert stop.value.code == 1
    captured = capsys.readouterr()
    assert captured.err == "Config file config/config.yaml has the unknown key x; did you mean y?\n"
    assert captured.out == ""


def test_exit_on_input_error_lets_other_errors_through():
    with pytest.raises(KeyError), exit_on_input_error():
        raise KeyError("a defect keeps its traceback")


def test_every_config_key_and_sheet_column_is_documented():
    readme = (REPO / "config/README.md").read_text(encoding="utf-8")
    config_keys = yaml.safe_load(CONFIG_SCHEMA.read_text(encoding="utf-8"))["properties"]
    columns = yaml.safe_load(SHEET_SCHEMA.read_text(encoding="utf-8"))["properties"]
    undocumented = [key for key in config_keys if f"`{key}`" not in readme and f"`{key}." not in readme]
    undocumented += [column for column in columns if f"`{column}`" not in readme]
    assert undocumented == []


def test_a_datum_cell_is_wgs84_gcj02_or_bd09():
    row = {"city_id": "a", "boundary": "b.gpkg", "landcover": "l.tif", "years": "2020", "legend": "x", "scoring": "s"}
    for datum in ("", "wgs84", "GCJ02", " bd09 "):
        validate_sheet(pd.DataFrame([row | {"boundary_datum": datum}]), SHEET_SCHEMA, path="config/cities.csv")
    with pytest.raises(CBIInputError, match=r"row 2 \(a\): redline_datum 'gcj-02' is not allowed .*; correct the cell"):
        validate_sheet(pd.DataFrame([row | {"redline_datum": "gcj-02"}]), SHEET_SCHEMA, path="config/cities.csv")
