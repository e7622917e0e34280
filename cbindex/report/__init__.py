"""Report stage (workflow/rules/report.smk): the bilingual HTML city report, its maps, plots and fonts."""
