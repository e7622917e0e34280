"""QGIS package per city: a styled GeoPackage of every vector output, a style beside each GeoTIFF, a project.

Of the method it reads only method.neighbourhood (how the patches are drawn); boundary_spec is the sheet's three
boundary reading columns; display_crs is the project's CRS (auto = the city's UTM zone).
"""


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


rule write_qgis_project:
    input:
        boundary=get_boundary,
        natural_masks=city_year_files("results/{city}/{year}/natural_areas.tif"),
        mask_styles=city_year_files("results/{city}/{year}/natural_areas.qml"),
        groups=city_year_files("results/{city}/{year}/connectivity_groups.gpkg"),
        overlays=get_overlay_layers,
        districts=get_district_layers,
    output:
        layers="results/{city}/{city}_layers.gpkg",
        project="results/{city}/{city}.qgs",
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
        title=get_project_title,
        boundary_spec=get_boundary_spec,
        neighbourhood=config["method"]["neighbourhood"],
        display_crs=config["display_crs"],
        coverage_layers=coverage_layer_settings(),
    script:
        "../../scripts/write_qgis_project.py"
