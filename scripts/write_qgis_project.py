"""Rule write_qgis_project: map snakemake's input/params/output onto the library call."""

from cbindex.core.rule_runtime import run_logged
from cbindex.geo.boundary import BoundarySpec
from cbindex.qgis.stage import LandcoverMap, YearOutputs, scenario_outputs, write_qgis_project

if __name__ == "__main__":
    smk = snakemake  # noqa: F821 - injected by Snakemake
    years = list(smk.params.years)
    overlays = list(smk.input.overlays) or [None] * len(years)
    districts = list(smk.input.districts) or [None] * len(years)
    outputs = zip(years, smk.input.natural_masks, smk.input.groups, overlays, districts, strict=True)
    run_logged(
        smk.log[0],
        write_qgis_project,
        city=smk.wildcards.city,
        names=smk.params.names,
        boundary=BoundarySpec(smk.input.boundary, **smk.params.boundary_spec),
        neighbourhood=smk.params.neighbourhood,
        display_crs=smk.params.display_crs,
        coverage_layers=[dict(layer) for layer in smk.params.coverage_layers],
        years=[
            YearOutputs(year=year, natural_mask=mask, groups=groups, overlays=overlay, districts=district)
            for year, mask, groups, overlay, district in outputs
        ],
        landcover=[
            LandcoverMap(year=year, raster=raster, legend=smk.params.legends[year])
            for year, raster in zip(years, smk.input.landcover_maps, strict=True)
        ],
        scenarios=scenario_outputs(
            smk.params.scenarios,
            masks=smk.input.scenario_masks,
            groups=smk.input.scenario_groups,
            maps=smk.input.scenario_maps,
            overlays=smk.input.scenario_overlays,
        ),
        layers_gpkg=smk.output.layers,
        projects=dict(zip(smk.params.languages, smk.output.projects, strict=True)),
    )
