"""QGIS package per city: a styled GeoPackage of every vector output, a style beside each GeoTIFF, the city's land
cover of each year and of each what-if scenario, and a project per report language (layer names, aliases and print
layouts in that language; the scenarios in groups of their own after the years).

Of the method it reads only method.neighbourhood (how the patches are drawn); boundary_spec is the sheet's three
boundary reading columns; display_crs is the project's CRS (auto = the city's UTM zone).
"""


rule write_landcover_map:
    input:
        landcover=get_landcover_raster,
        boundary=get_boundary,
        legend=get_legend,
    output:
        map="results/{city}/{year}/landcover.tif",
        style="results/{city}/{year}/landcover.qml",
    log:
        "results/{city}/logs/write_landcover_map_{year}.log",
    benchmark:
        "results/{city}/benchmarks/write_landcover_map_{year}.tsv"
    conda:
        "../envs/cbindex.yaml"
    threads: 1
    resources:
        mem_mb=1000,
    params:
        boundary_spec=get_boundary_spec,
    script:
        "../../scripts/write_landcover_map.py"


rule write_natural_areas_style:
    input:
        natural_mask="results/{city}/{year}/natural_areas.tif",
    output:
        style="results/{city}/{year}/natural_areas.qml",
    log:
        "results/{city}/logs/write_natural_areas_style_{year}.log",
    benchmark:
        "results/{city}/benchmarks/write_natural_areas_style_{year}.tsv"
    conda:
        "../envs/cbindex.yaml"
    threads: 1
    resources:
        mem_mb=200,
    script:
        "../../scripts/write_natural_areas_style.py"


rule write_scenario_landcover_map:
    input:
        landcover=get_scenario_raster,
        boundary=get_boundary,
        legend=get_scenario_legend,
    output:
        map="results/{city}/scenarios/{scenario}/landcover_map.tif",
        style="results/{city}/scenarios/{scenario}/landcover_map.qml",
    log:
        "results/{city}/logs/write_scenario_landcover_map_{scenario}.log",
    benchmark:
        "results/{city}/benchmarks/write_scenario_landcover_map_{scenario}.tsv"
    conda:
        "../envs/cbindex.yaml"
    threads: 1
    resources:
        mem_mb=1000,
    params:
        boundary_spec=get_boundary_spec,
    script:
        "../../scripts/write_landcover_map.py"


rule write_scenario_natural_areas_style:
    input:
        natural_mask="results/{city}/scenarios/{scenario}/natural_areas.tif",
    output:
        style="results/{city}/scenarios/{scenario}/natural_areas.qml",
    log:
        "results/{city}/logs/write_scenario_natural_areas_style_{scenario}.log",
    benchmark:
        "results/{city}/benchmarks/write_scenario_natural_areas_style_{scenario}.tsv"
    conda:
        "../envs/cbindex.yaml"
    threads: 1
    resources:
        mem_mb=200,
    script:
        "../../scripts/write_natural_areas_style.py"


rule write_qgis_project:
    input:
        boundary=get_boundary,
        natural_masks=city_year_files("results/{city}/{year}/natural_areas.tif"),
        mask_styles=city_year_files("results/{city}/{year}/natural_areas.qml"),
        groups=city_year_files("results/{city}/{year}/connectivity_groups.gpkg"),
        overlays=get_overlay_layers,
        districts=get_district_layers,
        landcover_maps=city_year_files("results/{city}/{year}/landcover.tif"),
        landcover_styles=city_year_files("results/{city}/{year}/landcover.qml"),
        legends=get_legend_files,
        scenario_masks=get_scenario_masks,
        scenario_mask_styles=city_scenario_files("natural_areas.qml"),
        scenario_groups=city_scenario_files("connectivity_groups.gpkg"),
        scenario_overlays=get_scenario_overlay_layers,
        scenario_maps=city_scenario_files("landcover_map.tif"),
        scenario_map_styles=city_scenario_files("landcover_map.qml"),
    output:
        layers="results/{city}/{city}_layers.gpkg",
        projects=qgis_projects(),
    log:
        "results/{city}/logs/write_qgis_project.log",
    benchmark:
        "results/{city}/benchmarks/write_qgis_project.tsv"
    conda:
        "../envs/cbindex.yaml"
    threads: 1
    resources:
        mem_mb=3000,
    params:
        years=get_city_years,
        names=get_city_names,
        languages=report_languages(),
        legends=get_year_legends,
        boundary_spec=get_boundary_spec,
        neighbourhood=config["method"]["neighbourhood"],
        display_crs=config["display_crs"],
        coverage_layers=coverage_layer_settings(),
        scenarios=get_qgis_scenarios,
    script:
        "../../scripts/write_qgis_project.py"
