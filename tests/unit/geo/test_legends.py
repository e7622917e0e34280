"""Land-cover legends: the shipped files, their SI conventions, the loader's errors and the code masks."""

import json
import re

import jsonschema
import numpy as np
import pytest
import rasterio
import yaml

from cbindex.core.errors import CBIInputError
from cbindex.geo import legends
from cbindex.geo.legends import (
    CATEGORIES,
    SCHEMA_PATH,
    category_lookup,
    check_codes,
    codes_mask,
    load_legend,
    natural_codes,
    resolve_legend,
    unique_codes,
)
from tests.helpers import REPO

LEGENDS_DIR = REPO / "config" / "legends"
FIXTURES = REPO / "tests" / "fixtures"


def codes(text):
    return {int(code) for code in text.split()}


SHIPPED_CODES = {
    "esa_worldcover_v100": codes("10 20 30 40 50 60 70 80 90 95 100"),
    "esa_worldcover_v200": codes("10 20 30 40 50 60 70 80 90 95 100"),
    "dynamic_world": set(range(9)),
    "esri_lulc_10m": codes("1 2 4 5 7 8 9 11"),
    "esa_cci_lc": codes(
        "10 11 12 20 30 40 50 60 61 62 70 71 72 80 81 82 90 100 110 120 121 122 130 140 150 151 152 153"
        " 160 170 180 190 200 201 202 210 220"
    ),
    "nlcd": codes("11 12 21 22 23 24 31 41 42 43 51 52 71 72 73 74 81 82 90 95"),
    "corine_clc": codes(
        "111 112 121 122 123 124 131 132 133 141 142 211 212 213 221 222 223 231 241 242 243 244"
        " 311 312 313 321 322 323 324 331 332 333 334 335 411 412 421 422 423 511 512 521 522 523"
    ),
    "corine_clc_grid": set(range(1, 45)),
    "china_clcd": set(range(1, 10)),
    "globeland30": codes("10 20 30 40 50 60 70 80 90 100"),
    "gbt21010_2017": codes(
        "101 102 103 201 202 203 204 301 302 303 304 305 306 307 401 402 403 404 501 502 503 504 505 506 507 591"
        " 601 602 603 604 701 702 801 802 803 804 805 806 807 808 809 810 891 892 8101 9 901 902 903 904 905 906"
        " 1001 1002 1003 1004 1005 1006 1007 1008 1009 1101 1102 1103 1104 1105 1106 1107 1108 1109 1110"
        " 1201 1202 1203 1204 1205 1206 1207"
    ),
}
CHINESE_CHARACTER = re.compile(r"[\u4e00-\u9fff]")


def shipped(name):
    return load_legend(LEGENDS_DIR / f"{name}.yaml")


def all_shipped_classes():
    return [
        pytest.param(legend_class, id=f"{name}-{code}")
        for name in SHIPPED_CODES
        for code, legend_class in shipped(name).classes.items()
    ]


# ---------------------------------------------------------------------------------------------- shipped files


def test_shipped_legends_are_exactly_the_expected_files():
    assert {path.stem for path in LEGENDS_DIR.glob("*.yaml")} == set(SHIPPED_CODES)


@pytest.mark.parametrize("name", SHIPPED_CODES)
def test_shipped_legend_loads_with_its_id_and_every_class_code(name):
    legend = shipped(name)
    assert legend.id == name
    assert set(legend.classes) == SHIPPED_CODES[name]
    assert legend.source and legend.description


@pytest.mark.parametrize("legend_class", all_shipped_classes())
def test_every_class_has_english_and_chinese_names_and_a_category(legend_class):
    assert legend_class.name.strip()
    assert CHINESE_CHARACTER.search(legend_class.name_zh)
    assert legend_class.categories and legend_class.categories <= set(CATEGORIES)


@pytest.mark.parametrize("legend_class", all_shipped_classes())
def test_every_class_follows_the_si_conventions(legend_class):
    categories = legend_class.categories
    if categories & {"bare", "snow_ice"}:
        assert "natural" not in categories, "the run-time flags decide whether bare and snow are natural"
    if "water" in categories:
        assert "permeable" not in categories
        assert "natural" in categories or legend_class.note, "artificial water (ponds, ditches) must say why"
    elif "built_up" not in categories:
        assert "permeable" in categories, "every unsealed class is permeable"
    if {"built_up", "permeable"} <= categories:
        assert legend_class.note, "a permeable built-up class must say why"


@pytest.mark.parametrize(
    ("name", "nodata"),
    [("esa_worldcover_v100", (0,)), ("globeland30", (255,)), ("dynamic_world", ()), ("esa_cci_lc", (0,))],
)
def test_nodata_codes(name, nodata):
    assert shipped(name).nodata == nodata


def test_worldcover_versions_share_their_classes():
    assert shipped("esa_worldcover_v100").classes == shipped("esa_worldcover_v200").classes


def test_corine_grid_codes_follow_the_three_digit_classes_in_order():
    three_digit = list(shipped("corine_clc").classes.values())
    grid = list(shipped("corine_clc_grid").classes.values())
    assert [legend_class.code for legend_class in grid] == list(range(1, 45))
    assert [(c.name, c.name_zh, c.categories) for c in grid] == [(c.name, c.name_zh, c.categories) for c in three_digit]


def test_nlcd_developed_open_space_is_built_up_but_permeable():
    open_space = shipped("nlcd").classes[21]
    assert {"built_up", "permeable"} <= open_space.categories
    assert "impervious" in open_space.note


def test_dynamic_world_zero_is_natural_water_and_six_is_built_up():
    legend = shipped("dynamic_world")
    assert {"water", "natural"} <= legend.classes[0].categories
    assert 0 in legend.codes_in("water") and 0 in legend.codes_in("natural")
    assert legend.codes_in("built_up") == {6}
    assert legend.nodata == ()


@pytest.mark.parametrize(
    ("raster", "legend_name"),
    [
        ("data/chengdu/world_cover_CHN-Chengdu.tif", "esa_worldcover_v100"),
        ("data/freetown/SLE-Freetown_core-landcover2020.tif", "dynamic_world"),
    ],
)
def test_sample_rasters_hold_only_codes_of_their_legend(raster, legend_name):
    with rasterio.open(REPO / raster) as dataset:
        codes = unique_codes(dataset.read(1))
    check_codes(shipped(legend_name), codes, raster_path=raster)


# ------------------------------------------------------------------------------------------- natural codes


@pytest.mark.parametrize(
    ("bare_is_natural", "snow_is_natural", "expected"),
    [
        (False, True, {10, 20, 30, 70, 80, 90, 95, 100}),
        (False, False, {10, 20, 30, 80, 90, 95, 100}),
        (True, True, {10, 20, 30, 60, 70, 80, 90, 95, 100}),
        (True, False, {10, 20, 30, 60, 80, 90, 95, 100}),
    ],
)
def test_worldcover_natural_codes_follow_the_bare_and_snow_flags(bare_is_natural, snow_is_natural, expected):
    legend = shipped("esa_worldcover_v100")
    assert natural_codes(legend, bare_is_natural=bare_is_natural, snow_is_natural=snow_is_natural) == expected


def test_override_replaces_the_legend_choice_and_the_flags():
    legend = shipped("esa_worldcover_v100")
    codes = natural_codes(legend, bare_is_natural=True, snow_is_natural=True, override_codes=[10, 20, 30, 80])
    assert codes == {10, 20, 30, 80}


@pytest.mark.parametrize("override", [[10, 7, 250], [10, 0]], ids=["unknown", "nodata"])
def test_override_with_a_code_outside_the_legend_fails(override):
    legend = shipped("esa_worldcover_v100")
    expected = r"override lists codes? (7, 250|0) that legend .*esa_worldcover_v100"
    with pytest.raises(CBIInputError, match=expected):
        natural_codes(legend, bare_is_natural=False, snow_is_natural=True, override_codes=override)


def test_override_with_a_non_integer_fails():
    with pytest.raises(CBIInputError, match="'ten', which is not an integer class code"):
        natural_codes(shipped("dynamic_world"), bare_is_natural=False, snow_is_natural=True, override_codes=[1, "ten"])


def test_unknown_category_is_refused():
    with pytest.raises(CBIInputError, match="Unknown land-cover category 'forest'"):
        shipped("nlcd").codes_in("forest")


# ------------------------------------------------------------------------------------------- masks and codes

SMALL_RANGE = np.array([[-3, 0, 10], [10, -3, 7], [0, 0, 2]], dtype=np.int32)
SMALL_RANGE_IN_CODES = np.array([[1, 0, 1], [1, 1, 0], [0, 0, 0]], dtype=bool)  # codes {-3, 10}
WIDE_RANGE = np.array([[-70_000, 0, 10], [2**31 - 1, -70_000, 7], [0, 10, 2]], dtype=np.int32)
WIDE_RANGE_IN_CODES = np.array([[1, 0, 1], [1, 1, 0], [0, 1, 0]], dtype=bool)  # codes {-70000, 10, 2**31-1}


@pytest.mark.parametrize(
    ("array", "codes", "expected"),
    [
        (SMALL_RANGE, {-3, 10, 99}, SMALL_RANGE_IN_CODES),
        (WIDE_RANGE, {-70_000, 10, 2**31 - 1}, WIDE_RANGE_IN_CODES),
        (SMALL_RANGE.astype(np.int16), {-3, 10, 40_000}, SMALL_RANGE_IN_CODES),
        (SMALL_RANGE.astype(np.int8), {-3, 10, -200}, SMALL_RANGE_IN_CODES),
        (np.where(SMALL_RANGE < 0, 255, SMALL_RANGE).astype(np.uint8), {255, 10}, SMALL_RANGE_IN_CODES),
        (SMALL_RANGE.astype(np.int64), {-3, 10}, SMALL_RANGE_IN_CODES),
        (SMALL_RANGE.astype(np.float32), {-3, 10}, SMALL_RANGE_IN_CODES),
        (SMALL_RANGE, set(), np.zeros((3, 3), dtype=bool)),
    ],
    ids=["int32-table", "int32-isin", "int16", "int8", "uint8", "int64", "float32", "no-codes"],
)
def test_codes_mask_matches_the_hand_made_answer(array, codes, expected):
    mask = codes_mask(array, codes)
    assert mask.dtype == bool and mask.shape == array.shape
    np.testing.assert_array_equal(mask, expected)


@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.uint16, np.int32])
def test_category_lookup_equals_codes_mask(dtype):
    legend = shipped("dynamic_world")
    codes = legend.codes_in("natural")
    block = np.random.default_rng(0).integers(0, 9, size=(40, 50)).astype(dtype)
    lookup = category_lookup(legend, codes, dtype=dtype)
    np.testing.assert_array_equal(lookup(block), codes_mask(block, codes))
    np.testing.assert_array_equal(lookup(block.astype(np.int64)), codes_mask(block, codes))


def test_category_lookup_refuses_codes_outside_the_legend():
    with pytest.raises(CBIInputError, match="code 42 that legend .*dynamic_world.yaml does not define"):
        category_lookup(shipped("dynamic_world"), frozenset({1, 42}), dtype=np.uint8)


@pytest.mark.parametrize(
    "array",
    [
        SMALL_RANGE,
        WIDE_RANGE,
        SMALL_RANGE.astype(np.int8),
        SMALL_RANGE.astype(np.int16),
        np.array([[0, 255], [255, 7]], dtype=np.uint8),
        np.array([65_535, 0, 3], dtype=np.uint16),
        np.array([2**63, 5], dtype=np.uint64),
        np.array([], dtype=np.int32),
    ],
    ids=["int32", "int32-wide", "int8", "int16", "uint8", "uint16", "uint64-wide", "empty"],
)
@pytest.mark.parametrize("chunk_cells", [2, 2**22], ids=["many-chunks", "one-chunk"])
def test_unique_codes_equals_numpy_unique(array, chunk_cells, monkeypatch):
    monkeypatch.setattr(legends, "_BINCOUNT_CHUNK_CELLS", chunk_cells)
    result = unique_codes(array)
    np.testing.assert_array_equal(result, np.unique(array))
    assert result.dtype == array.dtype


def test_unique_codes_leaves_out_masked_cells():
    array = np.ma.masked_equal(np.array([[0, 10], [20, 0]], dtype=np.uint8), 0)
    np.testing.assert_array_equal(unique_codes(array), [10, 20])


def test_check_codes_accepts_classes_and_nodata():
    check_codes(shipped("esa_worldcover_v100"), [0, 10, 80], raster_path="data/x.tif")


def test_check_codes_names_both_files_and_the_unknown_codes():
    legend = shipped("esa_worldcover_v100")
    with pytest.raises(CBIInputError) as raised:
        check_codes(legend, np.array([10, 7, 250, 80], dtype=np.uint8), raster_path="data/x.tif")
    message = str(raised.value)
    assert message.startswith("Raster data/x.tif holds class codes 7, 250 that legend ")
    assert str(legend.path) in message and message.endswith("choose the right legend for this product.")


def test_check_codes_lists_at_most_twenty_codes():
    with pytest.raises(CBIInputError, match=r"codes 101, 102, .*, 120, … that legend"):
        check_codes(shipped("esa_worldcover_v100"), range(101, 131), raster_path="data/x.tif")


# ------------------------------------------------------------------------------------ user-written legends


def user_legend_document():
    return {
        "id": "my_city_lulc",
        "name": "My city land cover",
        "version": "2022",
        "source": "City survey department, 2022.",
        "description": "Three-class municipal map.",
        "nodata": [255],
        "classes": [
            {
                "code": 1,
                "name": "Woods",
                "name_zh": "林地",
                "categories": ["natural", "tree_canopy", "permeable"],
            },
            {"code": 2, "name": "Buildings", "name_zh": "建筑", "categories": ["built_up"]},
            {"code": 40, "name": "Rock", "name_zh": "岩石", "categories": ["bare", "permeable"]},
        ],
    }


def write_legend(tmp_path, document):
    path = tmp_path / "my_legend.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("name", SHIPPED_CODES)
def test_every_shipped_class_has_its_own_colour_with_a_source(name):
    legend = load_legend(LEGENDS_DIR / f"{name}.yaml")
    colours = [legend_class.colour for legend_class in legend.classes.values()]
    assert all(re.fullmatch(r"#[0-9a-f]{6}", colour) for colour in colours)
    assert legend.colours_source
    document = yaml.safe_load((LEGENDS_DIR / f"{name}.yaml").read_text(encoding="utf-8"))
    assert all("colour" in entry for entry in document["classes"])


def test_worldcover_colours_are_the_producers_colour_table():
    colormap = json.loads((FIXTURES / "worldcover_v200_colormap.json").read_text(encoding="utf-8"))["colormap"]
    table = {int(code): "#" + bytes(rgba[:3]).hex() for code, rgba in colormap.items() if code != "0"}
    for name in ("esa_worldcover_v100", "esa_worldcover_v200"):
        legend = load_legend(LEGENDS_DIR / f"{name}.yaml")
        assert {code: legend_class.colour for code, legend_class in legend.classes.items()} == table


def test_user_legend_without_colours_draws_grey(tmp_path):
    legend = load_legend(write_legend(tmp_path, user_legend_document()))
    assert {legend_class.colour for legend_class in legend.classes.values()} == {legends.DEFAULT_CLASS_COLOUR}
    assert legend.colours_source == ""


def test_user_written_legend_loads(tmp_path):
    legend = load_legend(write_legend(tmp_path, user_legend_document()))
    assert legend.codes_in("tree_canopy") == {1}
    assert natural_codes(legend, bare_is_natural=True, snow_is_natural=False) == {1, 40}


def _use_unknown_category(document):
    document["classes"][2]["categories"] = ["forest"]


def _repeat_code(document):
    document["classes"][1]["code"] = 1


def _make_bare_natural(document):
    document["classes"][2]["categories"].append("natural")


def _drop_chinese_name(document):
    del document["classes"][1]["name_zh"]


def _add_unknown_key(document):
    document["classes"][0]["colour_name"] = "green"


def _add_colour_without_source(document):
    document["classes"][0]["colour"] = "#00ff00"


def _add_colour_not_hex(document):
    document["colours_source"] = "own choice"
    document["classes"][0]["colour"] = "green"


def _code_as_nodata(document):
    document["nodata"] = [255, 2]


def _version_as_number(document):
    document["version"] = 2022


def _drop_nodata(document):
    del document["nodata"]


@pytest.mark.parametrize(
    ("break_document", "expected"),
    [
        (_use_unknown_category, "class 40 has unknown category 'forest'; use one of natural, "),
        (_repeat_code, "defines class code 1 more than once; give each class its own code"),
        (_make_bare_natural, "class 40 carries both 'bare' and 'natural'; remove 'natural'"),
        (_drop_chinese_name, "class 2 lacks the required key 'name_zh'; add it"),
        (_add_unknown_key, "class 1 has the unknown key 'colour_name'; remove it"),
        (_add_colour_without_source, "gives class colours without saying where they come from; add colours_source"),
        (_add_colour_not_hex, "'green' does not match"),
        (_code_as_nodata, "lists code 2 both as a class and under nodata"),
        (_version_as_number, "key 'version': 2022 is not of type 'string'"),
        (_drop_nodata, "the file lacks the required key 'nodata'"),
    ],
    ids=[
        "category",
        "duplicate",
        "bare-natural",
        "name_zh",
        "extra-key",
        "colour-source",
        "colour-hex",
        "nodata-class",
        "version",
        "nodata",
    ],
)
def test_broken_user_legend_fails_with_one_sentence_naming_the_file(tmp_path, break_document, expected):
    document = user_legend_document()
    break_document(document)
    path = write_legend(tmp_path, document)
    with pytest.raises(CBIInputError) as raised:
        load_legend(path)
    message = str(raised.value)
    assert str(path) in message and expected in message
    assert message.endswith(".") and message.count(". ") == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [("id: [unclosed\n", "is not valid YAML at line"), ("", "does not hold a YAML mapping")],
)
def test_unreadable_user_legend_fails(tmp_path, text, expected):
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CBIInputError, match=expected):
        load_legend(path)


# ----------------------------------------------------------------------------------------------- resolving


def test_bare_name_resolves_to_the_shipped_file():
    assert resolve_legend("nlcd", legends_dir=LEGENDS_DIR) == LEGENDS_DIR / "nlcd.yaml"


def test_path_resolves_to_the_user_file(tmp_path):
    path = write_legend(tmp_path, user_legend_document())
    assert resolve_legend(str(path), legends_dir=LEGENDS_DIR) == path


@pytest.mark.parametrize("name_or_path", ["esa_worldcover_2020", "legends/missing.yaml", "missing.yml"])
def test_missing_legend_lists_the_shipped_names(name_or_path):
    with pytest.raises(CBIInputError, match=r"dynamic_world, esa_cci_lc, .*globeland30, nlcd\)"):
        resolve_legend(name_or_path, legends_dir=LEGENDS_DIR)


# -------------------------------------------------------------------------------------------------- schema


def test_schema_is_valid_and_its_categories_are_the_module_vocabulary():
    schema = yaml.safe_load(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.validators.validator_for(schema).check_schema(schema)
    class_schema = schema["properties"]["classes"]["items"]
    assert tuple(class_schema["properties"]["categories"]["items"]["enum"]) == CATEGORIES


def _property_schemas(schema):
    for key, value in schema.get("properties", {}).items():
        yield key, value
        yield from _property_schemas(value)
    if isinstance(schema.get("items"), dict):
        yield from _property_schemas(schema["items"])


def test_every_schema_property_is_described():
    schema = yaml.safe_load(SCHEMA_PATH.read_text(encoding="utf-8"))
    undescribed = [key for key, value in _property_schemas(schema) if not value.get("description")]
    assert undescribed == []
    assert schema["additionalProperties"] is False
    assert schema["properties"]["classes"]["items"]["additionalProperties"] is False


# ----------------------------------------------------------------------------------- resolution and accuracy


def test_accuracy_and_nominal_resolution_are_read_with_their_source(tmp_path):
    document = user_legend_document()
    document["nominal_resolution_m"] = 30
    document["accuracy"] = {"overall_accuracy_percent": 81.5, "source": "Validation report, table 4"}
    legend = load_legend(write_legend(tmp_path, document))
    assert (legend.nominal_resolution_m, legend.accuracy_percent) == (30, 81.5)
    assert legend.accuracy_source == "Validation report, table 4"
    plain = load_legend(write_legend(tmp_path, user_legend_document()))
    assert (plain.nominal_resolution_m, plain.accuracy_percent, plain.accuracy_source) == (None, None, "")


@pytest.mark.parametrize(
    ("accuracy", "expected"),
    [
        ({"overall_accuracy_percent": 120, "source": "x"}, "accuracy.overall_accuracy_percent"),
        ({"overall_accuracy_percent": 80}, "accuracy"),  # a figure without its source
    ],
)
def test_accuracy_out_of_range_or_without_source_is_refused(tmp_path, accuracy, expected):
    document = user_legend_document()
    document["accuracy"] = accuracy
    path = write_legend(tmp_path, document)
    with pytest.raises(CBIInputError) as raised:
        load_legend(path)
    assert str(path) in str(raised.value) and expected in str(raised.value)


def test_shipped_accuracies_are_the_published_figures_or_none():
    published = {"esa_worldcover_v100": 74.4, "esa_worldcover_v200": 76.7}
    for path in sorted(LEGENDS_DIR.glob("*.yaml")):
        legend = load_legend(path)
        assert legend.accuracy_percent == published.get(legend.id), legend.id
        if legend.accuracy_percent is not None:
            assert f"{legend.accuracy_percent}%" in legend.accuracy_source  # the producer's own words, quoted
