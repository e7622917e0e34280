"""Every indicator the workflow computes or scores, where it is computed, its unit, formula and number per edition.

Start here. One row per indicator id as the workflow's tables hold it: a row a stage writes
(``results/{city}/{year}/*_indicators.csv``) or an id a city gives in its figures file. Columns (:data:`COLUMNS`):

- ``id``: the row name (a computed value) or figures-file id (a city-supplied one). The stages name their rows
  by the 2014 numbers; si-2021 scores some rows under another number (its I8 is the row ``I9``) and its figures
  file uses its own numbers, so one id may have two rows here, one per meaning (``I7`` is city-chosen group 1 in
  si-2014 and habitat restoration in si-2021).
- ``si-2014``, ``si-2021``, ``cn-ubi``: the indicator's number in each edition (``config/scoring/<edition>.yaml``),
  None where the edition does not score it. A row that is None everywhere is a supporting row: an area, count or
  share written beside the indicators (status ``supporting`` in ``indicators.csv``). cn-ubi numbers its red-line
  indicator 24 under the id ``redline_coverage``; every other edition id is ``I<number>``.
- ``unit``: as in the rule set (a supporting row: as the stage writes it).
- ``source``: ``spatial`` (land cover, boundary and overlay polygons), ``records`` (derived from the city's
  species data when the city sheet names them, otherwise read from its figures file) or ``city`` (only from the
  figures file), as the rule sets' ``source``.
- ``computed_by``: the dotted path of the function that computes the value (whose docstring gives the formula);
  for city-supplied indicators the figures reader.
- ``formula``: one line; the method document ``docs/method.md`` has the definitions and conventions.

Ids with ``{change}`` stand for each net-change indicator of config ``species_lists.change_indicators`` (I4–I8),
``{invasive}`` for ``species_lists.invasive_indicator`` (I10), ``{group}`` for a taxonomic group of the lists,
``{layer}`` for a coverage layer of config ``coverage_layers`` (the red line's rows are listed by name),
``{category}`` for a category of China's protected-area system (cbindex/geo/protected_area_categories.py).
In ``indicators.csv`` a row scored by an edition carries that edition's id; a row an edition does not score but
whose name is one of its ids is renamed ``stage_<id>`` (si-2021: ``stage_I2``, the mesh size in ha).

The walk from a rule to the code, e.g. for I9: ``workflow/rules/overlays.smk`` → ``scripts/
compute_overlay_indicators.py`` → ``cbindex.overlays.stage.compute_overlay_indicators`` → the ``computed_by``
below. ``tests/unit/test_indicators.py`` checks this table against the rule sets and the code.

This module imports nothing: it is plain data, readable without installing anything.
"""

EDITIONS = ("si-2014", "si-2021", "cn-ubi")
COLUMNS = ("id", *EDITIONS, "unit", "source", "computed_by", "formula")

AREA_SHARES = "cbindex.landcover.area_shares.landcover_values"
LANDCOVER_TABLE = "cbindex.landcover.stage.write_landcover_table"
LANDUSE_AREAS = "cbindex.landcover.landuse_polygons.polygon_area_values"
LANDUSE_STAGE = "cbindex.landcover.stage.rasterize_landcover_vector"
PROTECTED = "cbindex.overlays.protected_areas.protected_values"
DISTRICT_AREAS = "cbindex.landcover.district_areas.district_landcover_values"
DISTRICT_ROWS = "cbindex.overlays.district_indicators.district_rows"
REDLINE = "cbindex.overlays.coverage_shares.coverage_values"
PROTECTED_CATEGORIES = "cbindex.overlays.protected_areas.category_values"
PARKS = "cbindex.overlays.parks.parks_values"
BIRDS = "cbindex.species.stage.occurrence_values"
BIRD_COUNT = "cbindex.species.birds_in_built_up.count_native_birds"
RECORD_COUNTS = "cbindex.species.birds_in_built_up.summary_counts"
AXES = "cbindex.species.birds_in_built_up.check_axes"
SPECIES_LISTS = "cbindex.species.species_change.species_list_values"
FIGURES = "cbindex.scoring.figures.read_city_figures"

NET_CHANGE = "species (net change)"
NOT_RETRIEVED = "unit not retrieved"

# fmt: off
INDICATORS = (
    # id, si-2014, si-2021, cn-ubi, unit, source, computed_by,
    #     formula
    # ------------------------------------------------------------ land cover (workflow/rules/landcover.smk)
    ("I1", 1, 1, 1, "%", "spatial", AREA_SHARES,
        "natural area ÷ city area × 100; city area = every cell with data, water included (Part A.3, A.4)"),
    ("I2", 2, None, 2, "ha", "spatial", AREA_SHARES,
        "effective mesh size Σ A_Gi² ÷ A_total, groups = natural patches < 100 m apart, A_total = natural area"),
    ("I2_coherence", None, 2, None, "%", "spatial", AREA_SHARES,
        "coherence Σ A_Gi² ÷ (Σ A_Gi)² × 100 = effective mesh size ÷ natural area × 100 (2021 form of I2)"),
    ("I11", 11, 10, 11, "%", "spatial", AREA_SHARES,
        "permeable area ÷ terrestrial area × 100; terrestrial = city area − legend category water"),
    ("I12", 12, 11, 12, "%", "spatial", AREA_SHARES,
        "tree-canopy area ÷ terrestrial area × 100"),
    ("city_area", None, None, None, "ha", "spatial", AREA_SHARES,
        "Σ weight · cell ground area over the cells with data inside the boundary"),
    ("nodata_area", None, None, None, "ha", "spatial", AREA_SHARES,
        "ground area of the cells without data inside the boundary (left out of every indicator)"),
    ("terrestrial_area", None, None, None, "ha", "spatial", AREA_SHARES,
        "city area − area of legend category water"),
    ("natural_area", None, None, None, "ha", "spatial", AREA_SHARES,
        "area of the natural classes (legend, or the city sheet's natural_codes)"),
    ("natural_patches", None, None, None, "count", "spatial", AREA_SHARES,
        "8- (or 4-) connected patches of natural cells"),
    ("natural_groups", None, None, None, "count", "spatial", AREA_SHARES,
        "groups of patches less than the gap distance apart edge to edge, not across barriers (I2's groups)"),
    # ------------------------------------------------------------ per district (results/{city}/{year}/districts.csv)
    ("group_pieces", None, None, None, "count", "spatial", DISTRICT_AREAS,
        "pieces of the city's I2 groups inside the district (each group cut at the district edge is one piece)"),
    ("permeable_area", None, None, None, "ha", "spatial", DISTRICT_AREAS,
        "district area of the legend category permeable (I11's numerator)"),
    ("tree_canopy_area", None, None, None, "ha", "spatial", DISTRICT_AREAS,
        "district area of the legend category tree_canopy (I12's numerator)"),
    ("outside_city_area", None, None, None, "ha", "spatial", DISTRICT_ROWS,
        "the district polygon's area outside the city boundary (not counted), equal-area projection"),
    ("district_gap_area", None, None, None, "ha", "spatial", DISTRICT_ROWS,
        "city area in no district polygon (its cells are the '(no district)' row), equal-area projection"),
    ("district_overlap_area", None, None, None, "ha", "spatial", DISTRICT_ROWS,
        "area shared by two districts, summed over pairs (a shared cell counts in the first district only)"),
    ("district_outside_area", None, None, None, "ha", "spatial", DISTRICT_ROWS,
        "district area outside the city boundary, all districts together"),
    ("boundary_area", None, None, None, "ha", "spatial", LANDCOVER_TABLE,
        "area of the boundary polygon in an equal-area CRS (checks that the raster covers the city)"),
    ("boundary_features", None, None, None, "count", "spatial", LANDCOVER_TABLE,
        "features of the boundary file dissolved into the city (more than one: the filter matched several)"),
    ("boundary_features_area", None, None, None, "ha", "spatial", LANDCOVER_TABLE,
        "the dissolved boundary features' own equal-area areas summed"),
    ("covered_share", None, None, None, "%", "spatial", LANDCOVER_TABLE,
        "cells with data ÷ boundary area × 100"),
    ("uncovered_area", None, None, None, "ha", "spatial", LANDCOVER_TABLE,
        "max(0, boundary area − cells with data − cells without data)"),
    ("natural_area_grid", None, None, None, "ha", "spatial", LANDUSE_AREAS,
        "land-use polygons only: natural area of the rasterized grid, I2's A_total (I1 uses the exact polygon area)"),
    ("city_area_grid", None, None, None, "ha", "spatial", LANDUSE_AREAS,
        "land-use polygons only: city area of the rasterized grid, I2's A_total with mesh_denominator landscape"),
    ("landuse_polygons", None, None, None, "count", "spatial", LANDUSE_STAGE,
        "land-use polygons read from the survey layer (GB/T 21010 codes)"),
    ("landuse_repaired", None, None, None, "count", "spatial", LANDUSE_STAGE,
        "invalid land-use polygons repaired with make_valid"),
    ("landuse_overlap_area", None, None, None, "ha", "spatial", LANDUSE_STAGE,
        "area where land-use polygons overlapped an earlier one, removed from the later (never counted twice)"),
    # ------------------------------------------------------------ overlays (workflow/rules/overlays.smk)
    ("I9", 9, 8, 9, "%", "spatial", PROTECTED,
        "natural area under the dissolved protected-area polygons ÷ city area × 100 (Part B §2.3)"),
    ("protected_area", None, None, None, "ha", "spatial", PROTECTED,
        "city area under protected areas, any land cover"),
    ("protected_natural_area", None, None, None, "ha", "spatial", PROTECTED,
        "natural area under protected areas (I9's numerator)"),
    ("protected_area_{category}", None, None, None, "ha", "spatial", PROTECTED_CATEGORIES,
        "city area under one category of China's protected-area system (overlaps given to the first category)"),
    ("protected_natural_area_{category}", None, None, None, "ha", "spatial", PROTECTED_CATEGORIES,
        "natural area under one category of China's protected-area system; the categories add up to I9's numerator"),
    ("redline_coverage", None, None, 24, "%", "spatial", REDLINE,
        "city area inside the ecological protection red line (any land cover) ÷ city area × 100"),
    ("redline_natural_share", None, None, None, "%", "spatial", REDLINE,
        "natural area inside the red line ÷ red-line area in the city × 100"),
    ("redline_area", None, None, None, "ha", "spatial", REDLINE,
        "city area inside the red line, any land cover"),
    ("redline_natural_area", None, None, None, "ha", "spatial", REDLINE,
        "natural area inside the red line"),
    ("{layer}_coverage", None, None, None, "%", "spatial", REDLINE,
        "city area inside coverage layer {layer} of config coverage_layers (any land cover) ÷ city area × 100"),
    ("{layer}_natural_share", None, None, None, "%", "spatial", REDLINE,
        "natural area inside coverage layer {layer} ÷ its area in the city × 100"),
    ("{layer}_area", None, None, None, "ha", "spatial", REDLINE,
        "city area inside coverage layer {layer}, any land cover"),
    ("{layer}_natural_area", None, None, None, "ha", "spatial", REDLINE,
        "natural area inside coverage layer {layer}"),
    ("I13", 13, 12, 13, "ha per 1000 persons", "spatial", PARKS,
        "natural area under parks ∪ protected areas (dissolved together) [ha] ÷ (population ÷ 1000)"),
    ("park_natural_area", None, None, None, "ha", "spatial", PARKS,
        "natural area under parks alone"),
    ("parks_and_protected_natural_area", None, None, None, "ha", "spatial", PARKS,
        "natural area under parks and protected areas dissolved together (I13's numerator)"),
    ("population", None, None, None, "persons", "spatial", PARKS,
        "the city sheet's population, or a population raster summed under the boundary (exact fractions)"),
    # ------------------------------------------------------------ species (workflow/rules/species.smk)
    ("I3", 3, None, 3, "species", "records", BIRDS,
        "native bird species with a record in the city on a built-up, non-natural cell (Part B §2.1)"),
    ("I3_built_up_share", None, 3, None, "%", "records", BIRDS,
        "I3 ÷ native bird species recorded anywhere in the city × 100 (2021 form of I3)"),
    ("I3_bird_species_in_city", None, None, None, "species", "records", BIRD_COUNT,
        "native bird species with a record anywhere in the city (I3_built_up_share's denominator)"),
    ("I3_non_native_species_excluded", None, None, None, "species", "records", BIRD_COUNT,
        "bird species on built-up cells left out of I3 because they are on the non-native list"),
    ("occurrences_axes_swapped", None, None, None, "flag", "records", AXES,
        "1 when the latitude and longitude columns were read swapped"),
    ("occurrences_read", None, None, None, "records", "records", RECORD_COUNTS,
        "records in the occurrence file"),
    ("occurrences_not_birds", None, None, None, "records", "records", RECORD_COUNTS,
        "records not used: of another class than birds"),
    ("occurrences_outside_years", None, None, None, "records", "records", RECORD_COUNTS,
        "records not used: outside the year window, or without a year"),
    ("occurrences_skipped_missing", None, None, None, "records", "records", RECORD_COUNTS,
        "records not used: empty latitude or longitude"),
    ("occurrences_skipped_unparseable", None, None, None, "records", "records", RECORD_COUNTS,
        "records not used: latitude or longitude not a number"),
    ("occurrences_outside_city", None, None, None, "records", "records", RECORD_COUNTS,
        "records not used: outside the city boundary"),
    ("occurrences_on_nodata", None, None, None, "records", "records", RECORD_COUNTS,
        "records not used: on a cell without land-cover data"),
    ("occurrences_skipped_no_species", None, None, None, "records", "records", RECORD_COUNTS,
        "records not used: bird records without a species name"),
    ("bird_records_in_city", None, None, None, "records", "records", RECORD_COUNTS,
        "bird records used: in the city, on land cover, with a species name"),
    ("bird_records_in_built_up", None, None, None, "records", "records", RECORD_COUNTS,
        "bird records used on built-up cells"),
    ("I4", 4, None, 4, NET_CHANGE, "records", SPECIES_LISTS,
        "vascular plants: native species gained − lost, baseline → current survey = |C \\ B| − |B \\ C| (Part B §3)"),
    ("I5", 5, None, 5, NET_CHANGE, "records", SPECIES_LISTS,
        "birds: native species gained − lost, baseline → current survey"),
    ("I6", 6, None, 6, NET_CHANGE, "records", SPECIES_LISTS,
        "butterflies: native species gained − lost, baseline → current survey"),
    ("I7", 7, None, 7, NET_CHANGE, "records", SPECIES_LISTS,
        "city-chosen taxonomic group 1: native species gained − lost, baseline → current survey"),
    ("I8", 8, None, 8, NET_CHANGE, "records", SPECIES_LISTS,
        "city-chosen taxonomic group 2: native species gained − lost, baseline → current survey"),
    ("I4", None, 4, None, "species (change)", "records", SPECIES_LISTS,
        "native vascular plant species: the 2014 net change from the lists (2021 rule on losses not retrieved)"),
    ("I5", None, 5, None, "species (change)", "records", SPECIES_LISTS,
        "native bird species: the 2014 net change from the lists (2021 rule on losses not retrieved)"),
    ("I10", 10, 9, 10, "%", "records", SPECIES_LISTS,
        "invasive ÷ (native + invasive) × 100 over every group of the current list (same-taxon rule, Part B §3)"),
    ("{change}_native_species_baseline", None, None, None, "species", "records", SPECIES_LISTS,
        "native species of the indicator's groups in the baseline survey (B)"),
    ("{change}_native_species_current", None, None, None, "species", "records", SPECIES_LISTS,
        "native species of the indicator's groups in the current survey (C)"),
    ("{change}_species_gained", None, None, None, "species", "records", SPECIES_LISTS,
        "|C \\ B|: native species new, re-introduced or rediscovered"),
    ("{change}_species_lost", None, None, None, "species", "records", SPECIES_LISTS,
        "|B \\ C|: native baseline species gone"),
    ("{invasive}_invasive_species", None, None, None, "species", "records", SPECIES_LISTS,
        "invasive species of the current list"),
    ("{invasive}_native_species", None, None, None, "species", "records", SPECIES_LISTS,
        "native species of the current list"),
    ("{invasive}_introduced_species_not_counted", None, None, None, "species", "records", SPECIES_LISTS,
        "introduced species that are not invasive: in neither term of the share"),
    ("{invasive}_share:{group}", None, None, None, "%", "records", SPECIES_LISTS,
        "invasive ÷ (native + invasive) × 100 within one taxonomic group"),
    ("species_list_duplicates_removed", None, None, None, "rows", "records", SPECIES_LISTS,
        "identical rows of the species-list file dropped"),
    # ------------------------------------------------------------ city figures, si-2014 and cn-ubi (governance, ...)
    ("I14", 14, None, 14, "visits per child per year", "city", FIGURES,
        "formal education visits per child below 16 years to parks with natural areas per year"),
    ("I15", 15, None, 15, "%", "city", FIGURES,
        "biodiversity-related administration spending ÷ total city budget × 100"),
    ("I16", 16, None, 16, "projects", "city", FIGURES,
        "biodiversity projects implemented by the city per year"),
    ("I17", 17, None, 17, "category", "city", FIGURES,
        "Local Biodiversity Strategy and Action Plan: level of alignment with the NBSAP and CBD initiatives"),
    ("I18", 18, None, 18, "functions", "city", FIGURES,
        "essential biodiversity-related functions of the city"),
    ("I19", 19, None, 19, "agencies", "city", FIGURES,
        "city or local government agencies in inter-agency co-operation on biodiversity"),
    ("I20", 20, None, 20, "category", "city", FIGURES,
        "stage of a formal or informal public consultation process on biodiversity"),
    ("I21", 21, None, 21, "organisations", "city", FIGURES,
        "agencies, companies, NGOs, academic and international organisations partnering in biodiversity work"),
    ("I22", 22, None, 22, "category", "city", FIGURES,
        "biodiversity or nature awareness in the school curriculum (levels not found)"),
    ("I23", 23, None, 23, "events", "city", FIGURES,
        "outreach or public awareness events on biodiversity per year"),
    # ------------------------------------------------------------ city figures, si-2021 (its own numbers)
    ("I6", None, 6, None, "species (change)", "city", FIGURES,
        "change in native arthropod species since the previous survey"),
    ("I7", None, 7, None, "%", "city", FIGURES,
        "habitat restoration: area of habitat restored ÷ area of original habitat that is degraded × 100"),
    ("I13", None, 13, None, "%", "city", FIGURES,
        "proximity to parks: population within 400 m of a park or green space ÷ total population × 100"),
    *((f"I{number}", None, number, None, NOT_RETRIEVED, "city", FIGURES,
        "not retrieved from the 2021 handbook: the city defines name, unit and bands in its scoring_overrides")
      for number in range(14, 29)),
)
# fmt: on
"""The table: one tuple per row, values in the order of :data:`COLUMNS`."""


def rows() -> list[dict]:
    """The table as one dict per row, keyed by :data:`COLUMNS`."""
    return [dict(zip(COLUMNS, row, strict=True)) for row in INDICATORS]
