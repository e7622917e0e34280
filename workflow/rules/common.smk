"""City sheet, wildcard constraints and input functions shared by the rules."""

import os
import re

import pandas as pd

from cbindex.core.city_sheet import (
    landcover_path,
    parse_band_count,
    parse_codes,
    parse_years,
    resolve_config_file,
)

CITIES = pd.read_csv(config["cities"], dtype=str, keep_default_na=False, encoding="utf-8").set_index(
    "city_id", drop=False
)
validate(CITIES, "../schemas/cities.schema.yaml")


wildcard_constraints:
    city="|".join(CITIES.index),
    year=r"\d{4}",


def city_row(wildcards):
    return CITIES.loc[wildcards.city]


def city_field(column):
    """An input function returning one column of the city's sheet row."""

    def get_city_field(wildcards):
        return CITIES.loc[wildcards.city, column]

    return get_city_field


def city_years(city):
    return parse_years(CITIES.loc[city, "years"])


def get_landcover_raster(wildcards):
    return landcover_path(city_row(wildcards)["landcover"], int(wildcards.year))


def get_legend(wildcards):
    return resolve_config_file(city_row(wildcards)["legend"], folder=config["legends_dir"], kind="legend")


def get_rule_set(wildcards):
    return resolve_config_file(city_row(wildcards)["scoring"], folder=config["scoring_dir"], kind="scoring rule set")


def get_figures(wildcards):
    path = city_row(wildcards)["figures"]
    return [path] if path else []


def get_rule_set_bases(wildcards):
    """The rule sets the city's rule set extends (cn-ubi extends si-2014), so editing them re-scores."""
    from cbindex.scoring.rule_sets import rule_set_files

    return rule_set_files(get_rule_set(wildcards))[1:]


def get_scoring_overrides(wildcards):
    """The city's scoring-overrides YAML, when the sheet names one (column scoring_overrides)."""
    path = city_row(wildcards).get("scoring_overrides", "")
    return [path] if path else []


def get_indicator_tables(wildcards):
    """Every indicator table the scoring stage combines (columns city, year, indicator, value, unit, method).

    Stages that derive more indicators add their tables here; a table without a year (city-level figures)
    leaves the year empty.
    """
    years = city_years(wildcards.city)
    tables = expand("results/{city}/{year}/landcover_indicators.csv", city=wildcards.city, year=years)
    if city_has_overlays(wildcards.city):
        tables += expand("results/{city}/{year}/overlay_indicators.csv", city=wildcards.city, year=years)
    if city_has(wildcards.city, "occurrences"):
        tables += expand("results/{city}/{year}/species_indicators.csv", city=wildcards.city, year=years)
    if city_has(wildcards.city, "species_lists"):
        tables += [f"results/{wildcards.city}/species_list_indicators.csv"]
    return tables


def city_has(city, column):
    """Whether the city's sheet row fills a column (a sheet without the column means no)."""
    return bool(CITIES.loc[city].get(column, ""))


def city_file(column):
    """An input function: the city-level file a sheet column names, or none when the cell is empty."""

    def get_city_file(wildcards):
        path = city_row(wildcards).get(column, "")
        return [path] if path else []

    return get_city_file


def get_barriers(wildcards):
    """The city's barrier layer, when the sheet names one."""
    path = city_row(wildcards).get("barriers", "")
    return [path] if path else []


def get_method(wildcards):
    """The method keys of config plus the city's natural-class override (all passed through params)."""
    method = dict(config["method"])
    method["natural_codes_override"] = parse_codes(city_row(wildcards)["natural_codes"])
    return method


def city_landcover_bands(city):
    """How many row bands (separate jobs) the city's land cover is computed in: sheet column, else config."""
    return parse_band_count(CITIES.loc[city].get("landcover_bands", ""), default=config["landcover_bands"])


def cities_matching(cities):
    """A wildcard regex matching exactly these city ids (and nothing when the list is empty)."""
    return "|".join(re.escape(city) for city in cities) if cities else "(?!)"


BANDED_CITIES = [city for city in CITIES.index if city_landcover_bands(city) > 1]
ONE_JOB_CITIES = [city for city in CITIES.index if city not in BANDED_CITIES]


def get_landcover_bands(wildcards):
    return city_landcover_bands(wildcards.city)


def band_files(pattern):
    """An input function expanding a pattern with {band} over the city's bands (and its city and year)."""

    def get_band_files(wildcards):
        return expand(
            pattern, city=wildcards.city, year=wildcards.year, band=range(city_landcover_bands(wildcards.city))
        )

    return get_band_files


QGIS_OVERLAY_COLUMNS = ("protected_areas", "redline", "parks")


def city_year_files(pattern):
    """An input function expanding a pattern with {city} and {year} over the city's years."""

    def get_city_year_files(wildcards):
        return expand(pattern, city=wildcards.city, year=city_years(wildcards.city))

    return get_city_year_files


def get_city_years(wildcards):
    return city_years(wildcards.city)


def city_has_overlays(city):
    """Whether the sheet gives the city an overlay layer (protected_areas, redline or parks).

    A sheet without these columns means no overlays.
    """
    row = CITIES.loc[city]
    return any(row.get(column, "") for column in QGIS_OVERLAY_COLUMNS)


def city_year_file(column):
    """An input function: the file a sheet column names ({year} filled in), or none when the cell is empty."""

    def get_city_year_file(wildcards):
        path = city_row(wildcards).get(column, "")
        return [landcover_path(path, int(wildcards.year))] if path else []

    return get_city_year_file


def get_overlay_sheet_layers(wildcards):
    """The layer of each overlay file (sheet columns <kind>_layer; empty = the file's only layer)."""
    row = city_row(wildcards)
    return {kind: row.get(f"{kind}_layer", "") for kind in QGIS_OVERLAY_COLUMNS}


def get_population(wildcards):
    """The city's population from the sheet (empty = none, or a population_raster instead)."""
    return city_row(wildcards).get("population", "")


def get_overlay_layers(wildcards):
    """The city's overlays.gpkg of every year, or none when the sheet gives it no overlay input."""
    if not city_has_overlays(wildcards.city):
        return []
    return city_year_files("results/{city}/{year}/overlays.gpkg")(wildcards)


def get_project_title(wildcards):
    row = city_row(wildcards)
    names = " ".join(name for name in (row.get("name", ""), row.get("name_zh", "")) if name)
    return f"{names or wildcards.city}: City Biodiversity Index layers"


def consecutive_year_pairs(city):
    """Each land-cover year with the next one: the pairs whose transitions are measured."""
    years = city_years(city)
    return list(zip(years[:-1], years[1:]))


def city_transition_tables(city):
    return [f"results/{city}/transitions_{year0}_{year1}.csv" for year0, year1 in consecutive_year_pairs(city)]


def get_transition_tables(wildcards):
    """The land-cover transition table of every pair of consecutive years of the city."""
    return city_transition_tables(wildcards.city)


def landcover_raster_of(year_wildcard):
    """An input function: the land-cover raster of the year a wildcard names (year0 or year1 of a transition)."""

    def get_landcover_raster_of(wildcards):
        return landcover_path(city_row(wildcards)["landcover"], int(wildcards[year_wildcard]))

    return get_landcover_raster_of


def get_city_source_files(wildcards):
    """Every data file the city's sheet row names (each year's, for {year} patterns) and the legend and rule
    sets it resolves to: the inputs a report lists with their checksums."""
    years = city_years(wildcards.city)
    named = [landcover_path(value, year) for value in city_row(wildcards) if value for year in years]
    files = [path for path in named if os.path.isfile(path)]
    files += [get_legend(wildcards), get_rule_set(wildcards), *get_rule_set_bases(wildcards)]
    return list(dict.fromkeys(files))


def get_city_names(wildcards):
    """The city's name per report language (the sheet's name and name_zh, falling back to the id)."""
    row = city_row(wildcards)
    english = row.get("name", "") or wildcards.city
    return {"en": english, "zh": row.get("name_zh", "") or english}


def report_languages():
    return config.get("report", {}).get("languages", ["en", "zh"])


def report_settings():
    """The configuration a report lists besides the method keys (every key but the report's own)."""
    return {key: value for key, value in config.items() if key not in ("report", "method")}


def get_final_outputs():
    outputs = []
    for city in CITIES.index:
        outputs += expand("results/{city}/report_{lang}.html", city=city, lang=report_languages())
        outputs += city_transition_tables(city)
        outputs += [f"results/{city}/indicators.csv", f"results/{city}/scorecard.json"]
        outputs += [f"results/{city}/{city}_layers.gpkg", f"results/{city}/{city}.qgs"]
        for year in city_years(city):
            outputs += [
                f"results/{city}/{year}/natural_areas.tif",
                f"results/{city}/{year}/connectivity_groups.gpkg",
                f"results/{city}/{year}/natural_areas.qml",
            ]
    return outputs
