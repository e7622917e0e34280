"""Species indicators: I3 from bird occurrence records per land-cover year; I4–I8 and I10 from species lists.

I3's method holds only the natural classes (bare_is_natural, snow_is_natural, the sheet's natural_codes): a built-up
cell that counts as natural is not built-up. boundary_spec is the sheet's three boundary reading columns.
"""


rule compute_species_indicators:
    input:
        occurrences=city_year_file("occurrences"),
        non_native=city_year_file("non_native_species"),
        raster=get_landcover_raster,
        boundary=get_boundary,
        legend=get_legend,
    output:
        indicators="results/{city}/{year}/species_indicators.csv",
    log:
        "results/{city}/logs/compute_species_indicators_{year}.log",
    benchmark:
        "results/{city}/benchmarks/compute_species_indicators_{year}.tsv"
    conda:
        "../envs/cbindex.yaml"
    threads: 1
    resources:
        mem_mb=2000,
    params:
        boundary_spec=get_boundary_spec,
        method=get_species_method,
        occurrence_rules=config["occurrences"],
        block_rows=config["block_rows"],
        csv_encoding=config["csv_encoding"],
    script:
        "../../scripts/compute_species_indicators.py"


rule compute_species_list_indicators:
    input:
        species_lists=city_file("species_lists"),
    output:
        indicators="results/{city}/species_list_indicators.csv",
    log:
        "results/{city}/logs/compute_species_list_indicators.log",
    benchmark:
        "results/{city}/benchmarks/compute_species_list_indicators.tsv"
    conda:
        "../envs/cbindex.yaml"
    threads: 1
    resources:
        mem_mb=500,
    params:
        species_list_rules=config["species_lists"],
        csv_encoding=config["csv_encoding"],
    script:
        "../../scripts/compute_species_list_indicators.py"
