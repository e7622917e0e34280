"""Level 5, report stage (workflow/rules/report.smk): the bilingual, self-contained HTML city report.

Modules
-------
stage        the rule's entry point for one city and language: read every output, draw, write the page
content      what a report holds once read and drawn (ReportContent, ReportFigure)
html         the page: the plots, maps, change and provenance sections, the stylesheet
html_tables  HTML building blocks and the summary, components and scores tables
landcover_section  the land-cover section: product, accuracy, cell size, areas, class composition, noise
figures      the maps and plots (matplotlib), returned as PNG
scenarios_section  the scenarios section: changes, indicators before and after, maps of the cells changed
targets_section  the targets section: targets grouped by framework target, one chart per target
districts    the districts section: a choropleth per indicator and the districts ranked (latest year)
display_rasters  rasters read at display resolution and warped into the display CRS (nearest cell)
map_furniture    graticule in °E/°N, metric scale bar and north arrow of the maps
fonts        the CJK font (Noto Sans SC): registered for plots, subset and embedded in the page
text         the report's own wording in English and Chinese, number formatting
"""
