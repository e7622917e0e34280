"""CitySheet: what a city's row means to the workflow, on small hand-made sheets."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cbindex.core.city_sheet import CitySheet, cities_pattern
from cbindex.core.config_files import validate_sheet
from cbindex.core.coverage_layers import coverage_layers, filter_rules
from cbindex.core.errors import CBIInputError
from cbindex.core.method import METHOD_KEYS, OVERLAY_METHOD_KEYS, SPECIES_METHOD_KEYS
from tests.helpers import REPO

METHOD = {
    "gap_distance_m": 100,
    "neighbourhood": 8,
    "boundary_rule": "centre",
    "mesh_denominator": "natural",
    "bare_is_natural": False,
    "snow_is_natural": True,
    "builtup_is_barrier": False,
    "link_search_m": 2000,
}


def write_sheet(folder: Path, rows: list[dict[str, str]]) -> Path:
    """A CSV sheet whose columns are the union of the rows' keys (in first-seen order), missing cells empty."""
    columns = list(dict.fromkeys(column for row in rows for column in row))
    lines = [",".join(columns)] + [",".join(row.get(column, "") for column in columns) for row in rows]
    path = folder / "cities.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def folders(tmp_path):
    """A legends folder with legend ``lc`` and a scoring folder with rule sets ``si`` and ``cn``."""
    legends, scoring = tmp_path / "legends", tmp_path / "scoring"
    legends.mkdir()
    scoring.mkdir()
    (legends / "lc.yaml").write_text("id: lc\n", encoding="utf-8")
    for name in ("si", "cn"):
        (scoring / f"{name}.yaml").write_text(f"id: {name}\n", encoding="utf-8")
    return legends, scoring


def open_sheet(tmp_path, folders, rows, *, bands: int = 1) -> CitySheet:
    legends, scoring = folders
    return CitySheet.read(
        str(write_sheet(tmp_path, rows)),
        legends_dir=str(legends),
        scoring_dir=str(scoring),
        default_landcover_bands=bands,
    )


def city(city_id: str, **cells: str) -> dict[str, str]:
    """A row with the required columns filled (years 2020, legend lc, rule set si) and any others given."""
    row = {
        "city_id": city_id,
        "boundary": f"data/{city_id}/boundary.gpkg",
        "landcover": f"data/{city_id}/lc{{year}}.tif",
        "years": "2020",
        "legend": "lc",
        "scoring": "si",
    }
    return row | cells


# ------------------------------------------------------------------------------------------- reading


def test_cells_are_text_as_written_and_missing_columns_are_empty(tmp_path, folders):
    sheet = open_sheet(tmp_path, folders, [city("a", name="NA", population="007", name_zh="")])
    assert sheet.cities == ["a"]
    assert sheet.cell("a", "name") == "NA"  # not a missing value
    assert sheet.population("a") == "007"  # not the number 7
    assert sheet.cell("a", "name_zh") == ""
    assert sheet.cell("a", "parks") == ""  # the sheet has no parks column
    assert not sheet.has("a", "parks") and sheet.has("a", "name")
    assert sheet.boundary("a") == "data/a/boundary.gpkg"


def test_cities_keep_sheet_order(tmp_path, folders):
    sheet = open_sheet(tmp_path, folders, [city("zeta"), city("alpha"), city("mid")])
    assert sheet.cities == ["zeta", "alpha", "mid"]


def test_a_city_not_in_the_sheet_names_the_sheet(tmp_path, folders):
    sheet = open_sheet(tmp_path, folders, [city("a")])
    with pytest.raises(CBIInputError, match=r"City 'b' is not in the city sheet .*cities\.csv"):
        sheet.years("b")


def test_two_rows_for_one_city_are_refused(tmp_path, folders):
    with pytest.raises(CBIInputError, match="more than one row for a; give each city one row"):
        open_sheet(tmp_path, folders, [city("a"), city("b"), city("a")])


def test_a_sheet_without_city_id_is_refused(tmp_path, folders):
    row = city("a")
    del row["city_id"]
    with pytest.raises(CBIInputError, match="has no city_id column"):
        open_sheet(tmp_path, folders, [row])


def test_a_missing_sheet_names_the_path(tmp_path, folders):
    with pytest.raises(CBIInputError, match=r"City sheet .*nowhere\.csv does not exist; check config cities\.$"):
        CitySheet.read(str(tmp_path / "nowhere.csv"), legends_dir="", scoring_dir="", default_landcover_bands=1)


# ------------------------------------------------------------------------------------------- as Excel saves it

EXCEL_ROWS = [city("chengdu", name="Chengdu", name_zh="成都"), city("成都", name_zh="成都市", population="20937757")]


def excel_sheet(folder: Path, *, encoding: str, newline: str = "\r\n") -> str:
    """The sheet of EXCEL_ROWS as Excel writes it: CRLF line ends, in ``encoding`` (utf-8-sig: "CSV UTF-8")."""
    columns = list(dict.fromkeys(column for row in EXCEL_ROWS for column in row))
    lines = [",".join(columns)] + [",".join(row.get(column, "") for column in columns) for row in EXCEL_ROWS]
    path = folder / "cities.csv"
    path.write_bytes(newline.join(lines + [""]).encode(encoding))
    return str(path)


def read_sheet(path: str, folders, **options) -> CitySheet:
    legends, scoring = folders
    return CitySheet.read(
        path, legends_dir=str(legends), scoring_dir=str(scoring), default_landcover_bands=1, **options
    )


def assert_read_as_written(sheet: CitySheet) -> None:
    assert list(sheet.frame.columns)[0] == "city_id"  # no BOM glued to the first column
    assert sheet.cities == ["chengdu", "成都"]
    assert sheet.names("chengdu") == {"en": "Chengdu", "zh": "成都"}
    assert sheet.names("成都")["zh"] == "成都市"
    assert sheet.population("成都") == "20937757"  # the last column, without a carriage return
    assert sheet.cell("成都", "scoring") == "si"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
@pytest.mark.parametrize("newline", ["\r\n", "\n"])
def test_a_utf8_sheet_is_read_with_or_without_bom_and_crlf(tmp_path, folders, encoding, newline):
    assert_read_as_written(read_sheet(excel_sheet(tmp_path, encoding=encoding, newline=newline), folders))
    # cities_encoding is for a sheet that is not UTF-8: a UTF-8 one is read as UTF-8 whatever it says
    assert_read_as_written(read_sheet(excel_sheet(tmp_path, encoding=encoding), folders, encoding="gbk"))


def test_a_gbk_sheet_is_refused_in_one_sentence_naming_the_file_and_the_fix(tmp_path, folders):
    path = excel_sheet(tmp_path, encoding="gbk")
    with pytest.raises(CBIInputError) as error:
        read_sheet(path, folders)
    message = str(error.value)
    assert message.startswith(f"City sheet {path} is not UTF-8 text")
    assert message.endswith('so save it as "CSV UTF-8" or set cities_encoding: gbk in config/config.yaml.')
    assert "\n" not in message and error.value.__cause__ is None


@pytest.mark.parametrize("encoding", ["gbk", "GBK", "gb18030", "cp936"])
def test_a_gbk_sheet_is_read_with_cities_encoding(tmp_path, folders, encoding):
    assert_read_as_written(read_sheet(excel_sheet(tmp_path, encoding="gbk"), folders, encoding=encoding))


def test_a_sheet_cities_encoding_cannot_decode_names_both(tmp_path, folders):
    path = tmp_path / "cities.csv"
    path.write_bytes("city_id,name_zh\r\nchengdu,成都\r\n".encode("utf-16"))
    with pytest.raises(CBIInputError, match=r"is neither UTF-8 nor ascii text \(config cities_encoding"):
        read_sheet(str(path), folders, encoding="ascii")
    with pytest.raises(CBIInputError, match=r"^Config cities_encoding 'gbkk' is not a known text encoding; use e\.g\."):
        read_sheet(excel_sheet(tmp_path, encoding="gbk"), folders, encoding="gbkk")


def test_columns_without_header_and_empty_rows_excel_left_are_dropped(tmp_path, folders):
    path = tmp_path / "cities.csv"
    header = "city_id,boundary,landcover,years,legend,scoring,,"
    path.write_text(f"{header}\r\na,b.gpkg,lc.tif,2020,lc,si,,\r\n,,,,,,,\r\n", encoding="utf-8-sig")
    sheet = read_sheet(str(path), folders)
    assert sheet.cities == ["a"] and list(sheet.frame.columns) == header.strip(",").split(",")


# ------------------------------------------------------------------------------------------- vector encodings


def test_encodings_of_each_vector_file_from_its_column_and_the_config_default(tmp_path, folders):
    cells = {"boundary_encoding": "gbk", "barriers_layer": "roads", "barriers_encoding": " gb18030 "}
    datums = {"boundary_datum": "GCJ02", "parks": "p.gpkg", "parks_datum": "bd09"}
    rows = [city("a", redline_encoding="big5", **datums, **cells), city("b")]
    legends, scoring = folders
    path = str(write_sheet(tmp_path, rows))
    options = {"legends_dir": str(legends), "scoring_dir": str(scoring), "default_landcover_bands": 1}
    sheet = CitySheet.read(path, **options, default_vector_encoding="gbk")
    assert sheet.boundary_spec("a") == {
        "layer": "",
        "filter_column": "",
        "filter_value": "",
        "encoding": "gbk",
        "default_encoding": "gbk",
        "datum": "gcj02",
    }
    assert sheet.barriers_spec("a") == {"layer": "roads", "encoding": "gb18030", "default_encoding": "gbk"}
    assert sheet.overlay_encodings("a") == {
        "protected_areas": {"encoding": "", "default_encoding": "gbk", "datum": ""},
        "redline": {"encoding": "big5", "default_encoding": "gbk", "datum": ""},
        "parks": {"encoding": "", "default_encoding": "gbk", "datum": "bd09"},
    }
    assert sheet.input_datums("a") == {"boundary": "gcj02", "parks": "bd09"}
    assert sheet.input_datums("b") == {"boundary": "wgs84"}
    plain = CitySheet.read(path, **options)
    assert plain.barriers_spec("b") == {"layer": "", "encoding": "", "default_encoding": ""}
    assert plain.boundary_spec("b")["encoding"] == plain.boundary_spec("b")["default_encoding"] == ""


def test_an_unknown_encoding_names_its_cell_or_config_key(tmp_path, folders):
    with pytest.raises(CBIInputError, match=r"cities\.csv: parks_encoding of b 'gkb' is not a known text encoding"):
        open_sheet(tmp_path, folders, [city("a"), city("b", parks_encoding="gkb")])
    legends, scoring = folders
    path = str(write_sheet(tmp_path, [city("a")]))
    with pytest.raises(CBIInputError, match=r"^Config vector_encoding 'gbkk' is not a known text encoding"):
        CitySheet.read(
            path,
            legends_dir=str(legends),
            scoring_dir=str(scoring),
            default_landcover_bands=1,
            default_vector_encoding="gbkk",
        )


# ------------------------------------------------------------------------------------------- years and files


def test_years_are_sorted_and_fill_the_raster_pattern(tmp_path, folders):
    sheet = open_sheet(tmp_path, folders, [city("a", years="2020 2016 2018"), city("b", landcover="b.tif")])
    assert sheet.years("a") == [2016, 2018, 2020]
    assert sheet.landcover_raster("a", 2018) == "data/a/lc2018.tif"
    assert sheet.landcover_raster("b", 2020) == "b.tif"  # one fixed path


def test_consecutive_year_pairs_and_their_transition_tables(tmp_path, folders):
    sheet = open_sheet(tmp_path, folders, [city("a", years="2020 2016 2018"), city("b")])
    assert sheet.year_pairs("a") == [(2016, 2018), (2018, 2020)]
    assert sheet.transition_tables("a") == [
        "results/a/transitions_2016_2018.csv",
        "results/a/transitions_2018_2020.csv",
    ]
    assert sheet.year_pairs("b") == [] and sheet.transition_tables("b") == []


def test_optional_files_are_none_or_one_path_with_the_year_filled_in(tmp_path, folders):
    sheet = open_sheet(tmp_path, folders, [city("a", occurrences="birds{year}.csv", figures="f.yaml"), city("b")])
    assert sheet.year_file("a", "occurrences", 2019) == ["birds2019.csv"]
    assert sheet.year_file("b", "occurrences", 2019) == []
    assert sheet.file("a", "figures") == ["f.yaml"]
    assert sheet.file("b", "figures") == []
    assert sheet.file("a", "barriers") == []  # column absent


def test_per_year_fills_city_and_every_year(tmp_path, folders):
    sheet = open_sheet(tmp_path, folders, [city("a", years="2017 2016")])
    assert sheet.per_year("a", "results/{city}/{year}/natural_areas.tif") == [
        "results/a/2016/natural_areas.tif",
        "results/a/2017/natural_areas.tif",
    ]


# ------------------------------------------------------------------------------------------- settings


def test_legend_and_rule_set_by_name_or_path(tmp_path, folders):
    legends, scoring = folders
    own = tmp_path / "own_rules.yaml"
    own.write_text("id: own\n", encoding="utf-8")
    sheet = open_sheet(tmp_path, folders, [city("a"), city("b", scoring=str(own))])
    assert sheet.legend("a", 2020) == str(legends / "lc.yaml")
    assert sheet.rule_set("a") == str(scoring / "si.yaml")
    assert sheet.rule_set("b") == str(own)


def test_framework_defaults_to_kmgbf_and_takes_a_name_or_a_path(tmp_path, folders):
    frameworks = tmp_path / "frameworks"
    frameworks.mkdir()
    for name in ("kmgbf", "nbsap"):
        (frameworks / f"{name}.yaml").write_text(f"id: {name}\n", encoding="utf-8")
    own = tmp_path / "own_mapping.yaml"
    own.write_text("id: own\n", encoding="utf-8")
    rows = [city("a"), city("b", framework="nbsap"), city("c", framework=str(own)), city("d", framework="aichi")]
    legends, scoring = folders
    sheet = CitySheet.read(
        str(write_sheet(tmp_path, rows)),
        legends_dir=str(legends),
        scoring_dir=str(scoring),
        default_landcover_bands=1,
        frameworks_dir=str(frameworks),
    )
    assert [sheet.framework(name) for name in "abc"] == [
        str(frameworks / "kmgbf.yaml"),
        str(frameworks / "nbsap.yaml"),
        str(own),
    ]
    with pytest.raises(CBIInputError, match=r"framework mapping 'aichi' named in the city sheet does not exist.*kmgbf"):
        sheet.framework("d")


def test_an_unknown_legend_lists_the_shipped_ones(tmp_path, folders):
    sheet = open_sheet(tmp_path, folders, [city("a", legend="worldcover")])
    with pytest.raises(
        CBIInputError,
        match=r"^The legend 'worldcover' named in city sheet .*cities.csv, row a, column legend does not exist "
        r"\(.*worldcover.yaml\); use one of lc or a path to your own file\.$",
    ):
        sheet.legend("a", 2020)


def test_a_legend_per_year_gives_each_year_its_product(tmp_path, folders):
    legends, _ = folders
    (legends / "other.yaml").write_text("id: other\n", encoding="utf-8")
    own = tmp_path / "own legend.yaml"  # a path with a space is one legend for every year
    own.write_text("id: own\n", encoding="utf-8")
    rows = [
        city("a", years="2021 2020 2022", legend=" 2022:other  2020:lc 2021:other "),
        city("b", years="2020 2021", legend=str(own)),
    ]
    sheet = open_sheet(tmp_path, folders, rows)
    sheet.check_legends()
    lc, other = str(legends / "lc.yaml"), str(legends / "other.yaml")
    assert sheet.legends("a") == {2020: lc, 2021: other, 2022: other}
    assert list(sheet.legends("a")) == [2020, 2021, 2022]
    assert [sheet.legend("a", year) for year in (2020, 2021)] == [lc, other]
    assert sheet.legend_files("a") == [lc, other]
    assert sheet.legends("b") == {2020: str(own), 2021: str(own)}


@pytest.mark.parametrize(
    ("cell", "problem"),
    [
        (
            "2020:lc 2021:lc 2020:lc",
            "gives 2020 more than once; give each year one legend (2020:<legend> 2021:<legend>).",
        ),
        (
            "2020:lc 2022:lc",
            "gives a legend for 2022, which is not one of the row's years (2020 2021); give one "
            "entry per year of the years column (2020:<legend> 2021:<legend>).",
        ),
        (
            "2020:lc",
            "gives no legend for 2021; give one entry per year of the years column (2020:<legend> 2021:<legend>).",
        ),
        (
            "2020:lc other",
            "'2020:lc other' mixes a legend without a year with year:legend entries; give one legend "
            "for every year, or one entry per year (2020:<legend> 2021:<legend>).",
        ),
        ("   ", "is empty; name the land-cover legend (e.g. esa_worldcover_v100)."),
    ],
)
def test_a_bad_legend_cell_is_one_sentence_naming_the_sheet_row_and_column(tmp_path, folders, cell, problem):
    sheet = open_sheet(tmp_path, folders, [city("ok"), city("a", years="2020 2021", legend=cell)])
    expected = f"City sheet {tmp_path / 'cities.csv'}, row a, column legend {problem}"
    with pytest.raises(CBIInputError) as raised:
        sheet.check_legends()
    assert str(raised.value) == expected


def test_an_unknown_legend_of_one_year_names_the_cell(tmp_path, folders):
    sheet = open_sheet(tmp_path, folders, [city("a", years="2020 2021", legend="2020:lc 2021:dw")])
    with pytest.raises(CBIInputError, match=r"legend 'dw' named in city sheet .*, row a, column legend does not"):
        sheet.check_legends()


def test_boundary_spec_is_one_plain_dict_of_the_reading_columns(tmp_path, folders):
    sheet = open_sheet(
        tmp_path,
        folders,
        [
            city("a", boundary_layer="cities", boundary_filter_column="use", boundary_filter_value="TRUE"),
            city("b"),
        ],
    )
    unset = {"encoding": "", "default_encoding": "", "datum": ""}
    assert sheet.boundary_spec("a") == {"layer": "cities", "filter_column": "use", "filter_value": "TRUE"} | unset
    assert sheet.boundary_spec("b") == {"layer": "", "filter_column": "", "filter_value": ""} | unset


def test_method_settings_hold_only_the_keys_asked_for(tmp_path, folders):
    sheet = open_sheet(tmp_path, folders, [city("a", natural_codes="30 10 10"), city("b", natural_codes="")])
    assert sheet.method_settings("a", METHOD, keys=METHOD_KEYS) == METHOD | {"natural_codes_override": (10, 30)}
    assert sheet.method_settings("b", METHOD, keys=OVERLAY_METHOD_KEYS) == {
        "boundary_rule": "centre",
        "bare_is_natural": False,
        "snow_is_natural": True,
        "natural_codes_override": None,
    }
    assert set(sheet.method_settings("a", METHOD, keys=SPECIES_METHOD_KEYS)) == {
        "bare_is_natural",
        "snow_is_natural",
        "natural_codes_override",
    }
    assert sheet.method_settings("a", METHOD, keys=("neighbourhood",)) == {"neighbourhood": 8}


def test_method_settings_name_a_key_config_lacks(tmp_path, folders):
    sheet = open_sheet(tmp_path, folders, [city("a")])
    partial = {key: value for key, value in METHOD.items() if key != "boundary_rule"}
    with pytest.raises(CBIInputError, match="Config method lacks boundary_rule"):
        sheet.method_settings("a", partial, keys=OVERLAY_METHOD_KEYS)


def test_band_count_from_the_sheet_else_the_default(tmp_path, folders):
    rows = [city("big", landcover_bands="3"), city("small", landcover_bands=""), city("one", landcover_bands="1")]
    sheet = open_sheet(tmp_path, folders, rows, bands=1)
    assert [sheet.landcover_bands(name) for name in sheet.cities] == [3, 1, 1]
    assert sheet.banded_cities == ["big"] and sheet.one_job_cities == ["small", "one"]
    everywhere = open_sheet(tmp_path, folders, rows, bands=2)
    assert [everywhere.landcover_bands(name) for name in everywhere.cities] == [3, 2, 1]
    assert everywhere.banded_cities == ["big", "small"] and everywhere.one_job_cities == ["one"]


@pytest.mark.parametrize("column", ["protected_areas", "redline", "parks"])
def test_any_overlay_column_gives_the_city_overlays(tmp_path, folders, column):
    sheet = open_sheet(tmp_path, folders, [city("a", **{column: "pa.gpkg", f"{column}_layer": "zones"}), city("b")])
    assert sheet.has_overlays("a") and not sheet.has_overlays("b")
    assert sheet.overlay_files("a") == ["results/a/2020/overlays.gpkg"]
    assert sheet.overlay_files("b") == []
    assert sheet.overlay_layers("a")[column] == "zones"
    assert set(sheet.overlay_layers("b")) == {"protected_areas", "redline", "parks"}


def test_a_sheet_without_overlay_columns_has_no_overlays(tmp_path, folders):
    sheet = open_sheet(tmp_path, folders, [city("a")])
    assert not sheet.has_overlays("a")
    assert sheet.overlay_layers("a") == {"protected_areas": "", "redline": "", "parks": ""}


def test_names_fall_back_to_the_id(tmp_path, folders):
    rows = [city("a", name="Alpha", name_zh="阿尔法"), city("b", name="Beta", name_zh=""), city("c", name="")]
    sheet = open_sheet(tmp_path, folders, rows)
    assert sheet.names("a") == {"en": "Alpha", "zh": "阿尔法"}
    assert sheet.names("b") == {"en": "Beta", "zh": "Beta"}
    assert sheet.names("c") == {"en": "c", "zh": "c"}


# ------------------------------------------------------------------------------------------- stage tables, outputs


def test_indicator_tables_follow_the_optional_columns(tmp_path, folders):
    rows = [
        city("plain", years="2016 2020"),
        city("full", parks="parks.gpkg", occurrences="birds.csv", species_lists="lists.csv"),
    ]
    sheet = open_sheet(tmp_path, folders, rows)
    assert sheet.indicator_tables("plain") == [
        "results/plain/2016/landcover_indicators.csv",
        "results/plain/2020/landcover_indicators.csv",
    ]
    assert sheet.indicator_tables("full") == [
        "results/full/2020/landcover_indicators.csv",
        "results/full/2020/overlay_indicators.csv",
        "results/full/2020/species_indicators.csv",
        "results/full/species_list_indicators.csv",
    ]


def test_final_outputs_of_every_city(tmp_path, folders):
    sheet = open_sheet(tmp_path, folders, [city("a", years="2019 2020"), city("b")])
    assert sheet.final_outputs(languages=["en"]) == [
        "results/a/report_en.html",
        "results/a/transitions_2019_2020.csv",
        "results/a/indicators.csv",
        "results/a/scorecard.json",
        "results/a/scorecard.xlsx",
        "results/a/targets.csv",
        "results/a/a_layers.gpkg",
        "results/a/a.qgs",
        "results/a/2019/natural_areas.tif",
        "results/a/2019/connectivity_groups.gpkg",
        "results/a/2019/natural_areas.qml",
        "results/a/2020/natural_areas.tif",
        "results/a/2020/connectivity_groups.gpkg",
        "results/a/2020/natural_areas.qml",
        "results/b/report_en.html",
        "results/b/indicators.csv",
        "results/b/scorecard.json",
        "results/b/scorecard.xlsx",
        "results/b/targets.csv",
        "results/b/b_layers.gpkg",
        "results/b/b.qgs",
        "results/b/2020/natural_areas.tif",
        "results/b/2020/connectivity_groups.gpkg",
        "results/b/2020/natural_areas.qml",
    ]
    both = sheet.final_outputs(languages=["en", "zh"])
    assert [path for path in both if path.endswith(".qgs")] == [
        "results/a/a.qgs",
        "results/a/a_zh.qgs",
        "results/b/b.qgs",
        "results/b/b_zh.qgs",
    ]
    assert [path for path in both if path.endswith(".html")] == [
        "results/a/report_en.html",
        "results/a/report_zh.html",
        "results/b/report_en.html",
        "results/b/report_zh.html",
    ]


def test_source_files_are_the_existing_files_the_row_names_then_legend_and_rule_sets(tmp_path, folders, monkeypatch):
    legends, scoring = folders
    monkeypatch.chdir(tmp_path)  # relative sheet paths are relative to the working directory
    for name in ("lc2016.tif", "lc2018.tif", "boundary.gpkg", "birds.csv"):
        (tmp_path / name).write_bytes(b"x")
    row = city(
        "a",
        boundary="boundary.gpkg",
        landcover="lc{year}.tif",
        years="2016 2018",
        occurrences="birds.csv",
        non_native_species="birds.csv",  # named twice, listed once
        figures="missing.yaml",  # does not exist: not a source file
        scoring="cn",
    )
    sheet = open_sheet(tmp_path, folders, [row])
    asked = []

    def rule_set_files(path: str) -> list[str]:
        asked.append(path)
        return [path, str(scoring / "si.yaml")]

    assert sheet.source_files("a", rule_set_files=rule_set_files) == [
        "boundary.gpkg",
        "lc2016.tif",
        "lc2018.tif",
        "birds.csv",
        str(legends / "lc.yaml"),
        str(scoring / "cn.yaml"),
        str(scoring / "si.yaml"),
    ]
    assert asked == [str(scoring / "cn.yaml")]


def test_cities_pattern_matches_exactly_the_ids():
    pattern = re.compile(cities_pattern(["a.b", "c"]))
    assert pattern.fullmatch("a.b") and pattern.fullmatch("c")
    assert not pattern.fullmatch("axb") and not pattern.fullmatch("cc")
    nothing = re.compile(cities_pattern([]))
    assert not nothing.fullmatch("") and not nothing.fullmatch("a")


# ------------------------------------------------------------------------------------------- coverage layers


def test_coverage_layers_are_overlay_inputs_read_from_their_columns(tmp_path, folders):
    layers = coverage_layers(
        [
            {"id": "redline", "name": "red line", "name_zh": "生态保护红线"},
            {"id": "eco_control_line", "name": "control line", "name_zh": "基本生态控制线", "column": "control"},
        ]
    )
    rows = [
        city("a", control="c{year}.gpkg", control_layer="lines", control_datum="gcj02", redline="r.gpkg"),
        city("b"),
    ]
    legends, scoring = folders
    path = str(write_sheet(tmp_path, rows))
    sheet = CitySheet.read(
        path,
        legends_dir=str(legends),
        scoring_dir=str(scoring),
        default_landcover_bands=1,
        coverage_columns={layer.id: layer.column for layer in layers},
    )
    assert list(sheet.overlay_inputs) == ["protected_areas", "redline", "eco_control_line", "parks"]
    assert sheet.overlay_files_of_year("a", 2020) == {
        "protected_areas": [],
        "redline": ["r.gpkg"],
        "eco_control_line": ["c2020.gpkg"],
        "parks": [],
    }
    assert sheet.overlay_layers("a")["eco_control_line"] == "lines"
    assert sheet.overlay_encodings("a")["eco_control_line"]["datum"] == "gcj02"
    assert sheet.input_datums("a") == {"boundary": "wgs84", "redline": "wgs84", "control": "gcj02"}
    assert sheet.has_overlays("a") and not sheet.has_overlays("b")
    schema = REPO / "workflow" / "schemas" / "cities.schema.yaml"
    validate_sheet(sheet.frame, schema, path=path, coverage_columns=["control"])
    with pytest.raises(CBIInputError, match="unknown column 'control'"):
        validate_sheet(sheet.frame, schema, path=path)


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ([{"id": "Red Line", "name": "a", "name_zh": "b"}], "must be lower-case letters"),
        ([{"id": "a", "name": "a"}], "needs name and name_zh"),
        ([{"id": "a", "name": "a", "name_zh": "b"}, {"id": "a", "name": "c", "name_zh": "d"}], "the id 'a' twice"),
        ([{"id": "parks", "name": "a", "name_zh": "b"}], "'parks', a city-sheet column of another input"),
    ],
)
def test_bad_coverage_layers_are_one_sentence(entries, message):
    with pytest.raises(CBIInputError, match=message):
        coverage_layers(entries)


def test_a_layer_filter_replaces_the_overlays_filter_only_when_given():
    layers = coverage_layers(
        [
            {"id": "redline", "name": "r", "name_zh": "红线"},
            {"id": "zone", "name": "z", "name_zh": "区", "where": {"TYPE": ["core"]}},
        ]
    )
    rules = filter_rules(layers, {"redline": {"where": {"S": ["x"]}, "exclude": {}}, "parks": {}})
    assert rules["redline"] == {"where": {"S": ["x"]}, "exclude": {}}
    assert rules["zone"] == {"where": {"TYPE": ["core"]}, "exclude": {}}
