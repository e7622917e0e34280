"""Level 3, scoring stage (workflow/rules/scoring.smk): every indicator of an edition scored into a scorecard.

Modules
-------
stage        the rule's entry point: combine the stage tables and the city's figures, score, write
rules        rule sets as data: bands, levels, indicator rules, components, the edition
rule_sets    load a rule set (config/scoring/*.yaml, with ``extends``) and check its bands cover the range once
points       score one value by its bands: points, band, status (missing is not assessed, never 0)
overrides    a city's local changes to its rule set (version +city)
scorecard    points per indicator with band and source, totals per component, bilingual notes
headline     the score as it may be quoted, with its coverage ("15 of 16 assessed points · 4 of 23 ...")
workbook     scorecard.xlsx: the scorecard laid out like the SI scoring sheet, one sheet per language
next_band    distance to the next band, in the indicator's unit and in hectares
connectivity_advice  I2's next band as natural area to add, and where (closed forms on the groups' areas)
csv_rows     a hand-filled CSV file of the city (figures, targets) read as rows, one-sentence errors
link_advice  I2's candidate links in the scorecard: I2 and points after each, the link that reaches the next band
figures      the figures a city supplies for the indicators not derived (source city or records), templates
coverage     each year's raster coverage in the scorecard, and which years' indicators are held
coverage_layers  the control lines and zones the city gives, their coverage and natural share per year
consistency  internal consistency of the computed values (district sums = city totals too), checked before scoring
targets_file the targets a city sets per indicator (value or points, year, baseline), checked; templates
target_progress  linear trajectory from baseline to target, on track or not, change per year still needed
target_summary   the scorecard's targets section and targets.csv, grouped by framework target
frameworks   framework mappings (KMGBF, a city's NBSAP): which framework targets each indicator informs
district_scores  the points each district would score under the city's rule set, and its change across years
scenario_comparison  a scenario scored beside its base year: values, points and their change per indicator
scenario_summary  the scorecard's scenarios: titles, changes made, comparison rows and points totals, both languages
"""
