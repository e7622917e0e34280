"""City sheet, wildcard constraints and input functions shared by the rules.

What a city's row means (years, files per year, optional inputs, band count, outputs) is answered by
cbindex.core.city_sheet.CitySheet (unit-tested); the functions here only hand the wildcards to it. A sheet that
cannot be read or breaks workflow/schemas/cities.schema.yaml stops the run with one sentence (no traceback).
"""

import functools
import os

from cbindex.core.city_sheet import CitySheet, cities_pattern, qgis_project_pattern
from cbindex.core.config_files import validate_sheet
from cbindex.core.coverage_layers import coverage_layers, filter_rules
from cbindex.core.method import (
    INDICATOR_METHOD_KEYS,
    METHOD_KEYS,
    OVERLAY_METHOD_KEYS,
    SPECIES_METHOD_KEYS,
)
from cbindex.core.rule_runtime import exit_on_input_error

with exit_on_input_error():
    COVERAGE_LAYERS = coverage_layers(config["coverage_layers"])
    SHEET = CitySheet.read(
        config["cities"],
        legends_dir=config["legends_dir"],
        scoring_dir=config["scoring_dir"],
        default_landcover_bands=config["landcover_bands"],
        encoding=config["cities_encoding"],
        default_vector_encoding=config["vector_encoding"],
        coverage_columns={layer.id: layer.column for layer in COVERAGE_LAYERS},
    )
    validate_sheet(
        SHEET.frame,
        os.path.join(workflow.basedir, "workflow", "schemas", "cities.schema.yaml"),
        path=config["cities"],
        log_path=".snakemake/log/validation.log",
        coverage_columns=[layer.column for layer in COVERAGE_LAYERS],
    )
    SHEET.check_legends()

BANDED_CITIES = SHEET.banded_cities
ONE_JOB_CITIES = SHEET.one_job_cities
LANDUSE_CITIES = [city for city in SHEET.cities if SHEET.uses_landuse_polygons(city)]
RASTER_CITIES = [city for city in SHEET.cities if city not in LANDUSE_CITIES]


wildcard_constraints:
    city=cities_pattern(SHEET.cities),
    year=r"\d{4}",


def of_city(answer):
    """An input function handing the job's city to one CitySheet method (get_boundary = of_city(SHEET.boundary))."""

    def get(wildcards):
        return answer(wildcards.city)

    get.__name__ = f"get_{answer.__name__}"
    return get


def city_file(column):
    """An input function: the city-level file a column names, or none when the cell is empty."""
    return lambda wildcards: SHEET.file(wildcards.city, column)


def city_year_file(column):
    """An input function: the file a column names ({year} filled in), or none when the cell is empty."""
    return lambda wildcards: SHEET.year_file(wildcards.city, column, int(wildcards.year))


def city_year_files(pattern):
    """An input function expanding a pattern with {city} and {year} over the city's years."""
    return lambda wildcards: SHEET.per_year(wildcards.city, pattern)


def landcover_raster_of(year_wildcard):
    """An input function: the land-cover raster of the year a wildcard names (year, or year0/year1)."""
    return lambda wildcards: SHEET.landcover_raster(wildcards.city, int(wildcards[year_wildcard]))


def get_landuse_outputs(wildcards):
    """The exact class areas and polygon check of a land-use city's year (none for a raster city)."""
    return SHEET.landuse_outputs(wildcards.city, int(wildcards.year))


def legend_of(year_wildcard):
    """An input function: the legend of the year a wildcard names (year, or year0/year1); a city's years may
    come from different products (sheet column legend as year:legend entries)."""
    return lambda wildcards: SHEET.legend(wildcards.city, int(wildcards[year_wildcard]))


def band_files(pattern):
    """An input function expanding a pattern with {band} over the city's bands (and its city and year)."""
    return lambda wildcards: expand(
        pattern, city=wildcards.city, year=wildcards.year, band=range(SHEET.landcover_bands(wildcards.city))
    )


def method_settings(keys):
    """An input function: the method settings a rule's code reads (config method and the sheet's natural
    codes), so that a method key re-runs only the rules that read it."""
    return lambda wildcards: SHEET.method_settings(wildcards.city, config["method"], keys=keys)


def get_rule_set_bases(wildcards):
    """The rule sets the city's rule set extends (cn-ubi extends si-2014), so editing them re-scores."""
    return rule_set_files(get_rule_set(wildcards))[1:]


def get_city_source_files(wildcards):
    """What the report checksums: every file the city's row names, its legend and its rule sets."""
    return SHEET.source_files(wildcards.city, rule_set_files=rule_set_files)


def rule_set_files(path):
    """The rule set and those it extends (scoring is imported here, as the core sheet must not import it)."""
    from cbindex.scoring.rule_sets import rule_set_files

    return rule_set_files(path)


def report_languages():
    return config.get("report", {}).get("languages", ["en", "zh"])


def qgis_projects():
    """The QGIS project of each report language: {city}.qgs in English, {city}_<language>.qgs in another."""
    return [qgis_project_pattern(language) for language in report_languages()]


REPORT_SETTING_KEYS = ("equal_area_crs", "display_crs", "boundary_coverage_tolerance_percent", "on_partial_coverage")
REPORT_SETTING_INPUTS = {
    "barriers": ("barriers",),
    "overlays": ("protected_areas", "redline", "parks"),
    "occurrences": ("occurrences",),
    "species_lists": ("species_lists",),
}


def get_report_settings(wildcards):
    """The configuration a report lists besides the method keys: the keys that shaped this city's numbers (areas,
    coverage, maps) and those of the inputs its row gives (barriers, overlays, occurrences, species lists)."""
    used = [
        key
        for key, columns in REPORT_SETTING_INPUTS.items()
        if any(SHEET.has(wildcards.city, column) for column in columns)
    ]
    return {key: config[key] for key in (*REPORT_SETTING_KEYS, *used) if key in config}


get_landcover_raster = landcover_raster_of("year")
get_landuse_spec = of_city(SHEET.landuse_spec)


def get_landcover_rasters(wildcards):
    """The land-cover raster of each of the city's years, in year order (the report draws them)."""
    return [SHEET.landcover_raster(wildcards.city, year) for year in SHEET.years(wildcards.city)]


get_barriers = city_file("barriers")
get_figures = city_file("figures")
get_scoring_overrides = city_file("scoring_overrides")
get_targets = city_file("targets")
get_framework = of_city(SHEET.framework)
get_boundary = of_city(SHEET.boundary)
get_boundary_spec = of_city(SHEET.boundary_spec)
get_barriers_spec = of_city(SHEET.barriers_spec)
get_overlay_encodings = of_city(SHEET.overlay_encodings)
get_input_datums = of_city(SHEET.input_datums)
get_boundary_notes = of_city(SHEET.boundary_notes)
get_districts = city_file("districts")
get_districts_spec = of_city(SHEET.districts_spec)
get_district_tables = of_city(SHEET.district_tables)
get_district_layers = of_city(SHEET.district_layers)
get_legend = legend_of("year")
get_year_legends = of_city(SHEET.legends)
get_legend_files = of_city(SHEET.legend_files)
get_rule_set = of_city(SHEET.rule_set)
get_city_years = of_city(SHEET.years)
get_landcover_bands = of_city(SHEET.landcover_bands)
get_indicator_tables = of_city(SHEET.indicator_tables)
get_transition_tables = of_city(SHEET.transition_tables)
get_overlay_layers = of_city(SHEET.overlay_files)
get_overlay_sheet_layers = of_city(SHEET.overlay_layers)
get_population = of_city(SHEET.population)
get_city_names = of_city(SHEET.names)
get_landcover_method = method_settings(METHOD_KEYS)
get_band_method = method_settings(INDICATOR_METHOD_KEYS)
get_overlay_method = method_settings(OVERLAY_METHOD_KEYS)
get_species_method = method_settings(SPECIES_METHOD_KEYS)
get_report_method = method_settings(METHOD_KEYS)


def get_overlay_inputs(wildcards):
    """The overlay files of the job's city and year, by kind (protected_areas, each coverage layer, parks)."""
    return SHEET.overlay_files_of_year(wildcards.city, int(wildcards.year))


def coverage_layer_settings():
    """Config coverage_layers as plain dicts (id, name, name_zh, column) for the rules that show them."""
    return [
        {"id": layer.id, "name": layer.name, "name_zh": layer.name_zh, "column": layer.column}
        for layer in COVERAGE_LAYERS
    ]


def overlay_filter_rules():
    """Config overlays with each coverage layer's own filter (cbindex.core.coverage_layers.filter_rules)."""
    return filter_rules(COVERAGE_LAYERS, config["overlays"])


@functools.cache
def city_scenarios(city):
    """The city's scenarios by name (cbindex.landcover.scenarios; the core sheet must not import the wing)."""
    from cbindex.landcover.scenarios import city_scenarios

    return city_scenarios(SHEET, city)


def get_scenario(wildcards):
    return city_scenarios(wildcards.city)[wildcards.scenario].as_params()


def get_scenario_base_year(wildcards):
    return city_scenarios(wildcards.city)[wildcards.scenario].base_year


def get_scenario_years(wildcards):
    return city_scenarios(wildcards.city)[wildcards.scenario].years_read()


def get_scenario_year_rasters(wildcards):
    return [SHEET.landcover_raster(wildcards.city, year) for year in get_scenario_years(wildcards)]


def get_scenario_polygons(wildcards):
    return city_scenarios(wildcards.city)[wildcards.scenario].polygon_files()


def get_scenario_legend(wildcards):
    """The legend of the scenario's base year (its raster holds the base year's codes)."""
    return SHEET.legend(wildcards.city, get_scenario_base_year(wildcards))


def scenario_has_overlays(city, name):
    """Whether a scenario gets overlay indicators: the city has overlays, or the scenario adds some or sets a
    population (its overlay job then runs on the scenario's land cover)."""
    return SHEET.has_overlays(city) or city_scenarios(city)[name].changes_overlays()


def get_scenario_base_table(wildcards):
    """The base year's indicator tables the scenario is compared with: land cover, and overlays when the city has
    them."""
    base_year = get_scenario_base_year(wildcards)
    tables = [f"results/{wildcards.city}/{base_year}/landcover_indicators.csv"]
    if SHEET.has_overlays(wildcards.city):
        tables.append(f"results/{wildcards.city}/{base_year}/overlay_indicators.csv")
    return tables


def get_scenario_tables(wildcards):
    """The scenario's own indicator tables (land cover, and overlays when it has them)."""
    folder = f"results/{wildcards.city}/scenarios/{wildcards.scenario}"
    tables = [f"{folder}/landcover_indicators.csv"]
    if scenario_has_overlays(wildcards.city, wildcards.scenario):
        tables.append(f"{folder}/overlay_indicators.csv")
    return tables


def get_scenario_overlay_inputs(wildcards):
    """The base year's overlay files by kind: the scenario's overlays start from them."""
    return SHEET.overlay_files_of_year(wildcards.city, get_scenario_base_year(wildcards))


def get_scenario_overlay_polygons(wildcards):
    return city_scenarios(wildcards.city)[wildcards.scenario].overlay_files()


def get_scenario_changes_list(wildcards):
    """The scenario's changes as plain data (the overlay rule applies its overlay and population changes)."""
    return get_scenario(wildcards)["changes"]


def get_scenario_population_raster(wildcards):
    """The base year's population raster, unless the scenario sets the population itself."""
    scenario = city_scenarios(wildcards.city)[wildcards.scenario]
    if any("population" in change for change in scenario.changes):
        return []
    return SHEET.year_file(wildcards.city, "population_raster", scenario.base_year)


def get_city_scenarios(wildcards):
    """The city's scenarios as plain data (titles, base years and changes: the scorecard and report show them)."""
    return [scenario.as_params() for scenario in city_scenarios(wildcards.city).values()]


def get_scenario_comparisons(wildcards):
    return [
        f"results/{wildcards.city}/scenarios/{name}/scenario_comparison.csv" for name in city_scenarios(wildcards.city)
    ]


def get_scenario_changes(wildcards):
    """Every scenario's changes tables: land cover (changes.csv) and, with overlays, overlay_changes.csv."""
    return [
        f"results/{wildcards.city}/scenarios/{name}/{table}"
        for name in city_scenarios(wildcards.city)
        for table in ("changes.csv", "overlay_changes.csv")
        if table == "changes.csv" or scenario_has_overlays(wildcards.city, name)
    ]


def scenario_raster(city, name):
    """A scenario's land-cover raster: apply_scenario's, or, for a land-use city, the one its changed polygons are
    burnt into (rasterize_scenario_landcover_vector)."""
    file = "landcover_from_polygons.tif" if SHEET.uses_landuse_polygons(city) else "landcover.tif"
    return f"results/{city}/scenarios/{name}/{file}"


def get_scenario_raster(wildcards):
    return scenario_raster(wildcards.city, wildcards.scenario)


def get_scenario_rasters(wildcards):
    return [scenario_raster(wildcards.city, name) for name in city_scenarios(wildcards.city)]


def get_scenario_landuse_layers(wildcards):
    """The land-use layer (sheet landcover_vector) of each year a land-use city's scenario reads."""
    return [SHEET.year_file(wildcards.city, "landcover_vector", year)[0] for year in get_scenario_years(wildcards)]


def get_scenario_landuse_layer(wildcards):
    """A land-use city's scenario layer (apply_landuse_scenario), rasterized as a year's layer is."""
    return [f"results/{wildcards.city}/scenarios/{wildcards.scenario}/landuse.gpkg"]


def get_scenario_landuse_spec(wildcards):
    """How to read the scenario layer: the city's code field, UTF-8 GeoPackage text, its only layer."""
    return {"code_column": SHEET.landuse_spec(wildcards.city)["code_column"]}


def get_scenario_landuse_outputs(wildcards):
    """The scenario layer's exact class areas and polygon check (none for a raster city)."""
    if not SHEET.uses_landuse_polygons(wildcards.city):
        return []
    folder = f"results/{wildcards.city}/scenarios/{wildcards.scenario}"
    return [f"{folder}/landuse_class_areas.csv", f"{folder}/landuse_check.csv"]


def get_scenario_masks(wildcards):
    return [f"results/{wildcards.city}/scenarios/{name}/natural_areas.tif" for name in city_scenarios(wildcards.city)]


def get_scenario_overlay_layers(wildcards):
    """The overlays.gpkg of every scenario that has overlays (the report maps the regions its changes changed)."""
    return [
        f"results/{wildcards.city}/scenarios/{name}/overlays.gpkg"
        for name in city_scenarios(wildcards.city)
        if scenario_has_overlays(wildcards.city, name)
    ]


def city_scenario_files(file_name):
    """An input function: a file of each of the city's scenario folders (``natural_areas.qml``), in file order."""
    return lambda wildcards: [
        f"results/{wildcards.city}/scenarios/{name}/{file_name}" for name in city_scenarios(wildcards.city)
    ]


def get_qgis_scenarios(wildcards):
    """What the QGIS projects show of each scenario: name, titles, base year, legend and whether it has overlays
    (the scenario files themselves are inputs)."""
    return [
        {
            "name": name,
            "title": {"en": scenario.title or name, "zh": scenario.title_zh or name},
            "base_year": scenario.base_year,
            "legend": SHEET.legend(wildcards.city, scenario.base_year),
            "overlays": scenario_has_overlays(wildcards.city, name),
        }
        for name, scenario in city_scenarios(wildcards.city).items()
    ]


def get_final_outputs():
    scenarios = [
        f"results/{city}/scenarios/{name}/{output}"
        for city in SHEET.cities
        for name in city_scenarios(city)
        for output in ("scenario_comparison.csv", "changes.csv")
    ]
    return SHEET.final_outputs(languages=report_languages()) + scenarios


def get_latest_groups(wildcards):
    """The latest land-cover year's connectivity groups: I2's advice (natural area to add, and where) reads them."""
    return SHEET.per_year(wildcards.city, "results/{city}/{year}/connectivity_groups.gpkg")[-1:]


def get_city_year_tables(wildcards):
    """The year's land-cover table and, with overlays, its overlay table: the district sums are checked against
    them."""
    tables = [f"results/{wildcards.city}/{wildcards.year}/landcover_indicators.csv"]
    if SHEET.has_overlays(wildcards.city):
        tables.append(f"results/{wildcards.city}/{wildcards.year}/overlay_indicators.csv")
    return tables


def get_previous_districts(wildcards):
    """The previous land-cover year's districts.csv (none for the first year): change per district across years."""
    return SHEET.previous_district_table(wildcards.city, int(wildcards.year))
