"""Rule write_city_report: map snakemake's input/params/output onto the library call."""

from cbindex.core.output_names import YearOutputs
from cbindex.core.rule_runtime import run_logged
from cbindex.geo.boundary import BoundarySpec
from cbindex.report.stage import write_city_report

if __name__ == "__main__":
    smk = snakemake  # noqa: F821 - injected by Snakemake
    years = list(smk.params.years)
    overlays = list(smk.input.overlays) or [None] * len(years)
    outputs = zip(years, smk.input.natural_masks, smk.input.groups, overlays, strict=True)
    run_logged(
        smk.log[0],
        write_city_report,
        city=smk.wildcards.city,
        language=smk.wildcards.lang,
        city_name=smk.params.city_names[smk.wildcards.lang],
        scorecard_json=smk.input.scorecard,
        indicators_csv=smk.input.indicators,
        rule_set_path=smk.input.rule_set,
        overrides_path=smk.input.overrides[0] if smk.input.overrides else None,
        legend_paths=dict(smk.params.year_legends),
        boundary=BoundarySpec(smk.input.boundary, **smk.params.boundary_spec),
        years=[
            YearOutputs(year=year, natural_mask=mask, groups=groups, overlays=overlay)
            for year, mask, groups, overlay in outputs
        ],
        transitions=list(smk.input.transitions),
        district_tables=list(smk.input.district_tables),
        district_layers=list(smk.input.district_layers),
        method=dict(smk.params.method),
        settings=dict(smk.params.settings),
        input_files=list(smk.input),
        report_html=smk.output.report,
        landcover=dict(zip(years, smk.input.landcover, strict=True)),
        display_crs=smk.params.display_crs,
        class_areas=list(smk.input.class_areas),
        scenario_rasters=list(smk.input.scenario_rasters),
        scenario_overlays=list(smk.input.scenario_overlays),
        scenario_masks=list(smk.input.scenario_masks),
    )
