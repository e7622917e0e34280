"""City sheet, wildcard constraints and input functions shared by the rules."""

import pandas as pd

from cbindex.city_sheet import (
    landcover_path,
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


def get_indicator_tables(wildcards):
    """Every indicator table the scoring stage combines (columns city, year, indicator, value, unit, method).

    Stages that derive more indicators add their tables here; a table without a year (city-level figures)
    leaves the year empty.
    """
    years = city_years(wildcards.city)
    return expand("results/{city}/{year}/landcover_indicators.csv", city=wildcards.city, year=years)


def get_barriers(wildcards):
    """The city's barrier layer, when the sheet names one."""
    path = city_row(wildcards).get("barriers", "")
    return [path] if path else []


def get_method(wildcards):
    """The method keys of config plus the city's natural-class override (all passed through params)."""
    method = dict(config["method"])
    method["natural_codes_override"] = parse_codes(city_row(wildcards)["natural_codes"])
    return method


def get_final_outputs():
    outputs = []
    for city in CITIES.index:
        outputs += [f"results/{city}/indicators.csv", f"results/{city}/scorecard.json"]
        for year in city_years(city):
            outputs += [
                f"results/{city}/{year}/natural_areas.tif",
                f"results/{city}/{year}/connectivity_groups.gpkg",
            ]
    return outputs
