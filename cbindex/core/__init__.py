"""Level 0: the contracts every stage shares. Imports nothing from the other wings.

Modules
-------
errors           CBIInputError (bad input: one sentence naming the file or key and the fix) and CBIDefectError
atomic_write     write outputs atomically: a failed run never leaves a half-written file
geopackage       write GeoPackages reproducibly (same layers, same bytes) and atomically
rule_runtime     run library code from a Snakemake rule script: log to the rule's log, clean user errors
provenance       SHA-256 checksums of the input files and versions of the software behind a result
indicator_table  IndicatorValue (one computed figure, unit, method) and the indicator table every stage writes
units            unit conversions and the percent formula, defined once
method           LandcoverMethod: the method settings of the land-cover indicators (config ``method``), and the
                 keys each stage reads
output_names     names of the layers one rule writes and another reads
coverage_layers  the control lines of config coverage_layers (red line, ecological control line, ...): ids, names
messages         the message catalogue: every user-facing string in English and Chinese (``catalogue/*.yaml``,
                 package data), looked up by ``message(key, language, **fields)``; how to add one
glossary         the glossary of index terms in English and Chinese: docs/glossary.yaml rendered into
                 docs/glossary.md (``python -m cbindex.core.glossary``)
config_files     read the YAML config files and check them against their schemas (``schemas/``: legend, rule set,
                 figures; shipped as package data)
city_sheet       CitySheet: what a city's row means to the workflow (years, files per year, optional inputs, band
                 count, outputs), and the parsers of its cells
publication      never a lost result: snapshot each city's results when a run starts, restore those of a city whose
                 run failed (the Snakefile's onstart/onsuccess/onerror handlers)
resume           the runner of `make run`: resume after a kill (unlock only when no Snakemake works here, remove
                 temporary files left in results/, --rerun-incomplete)
"""
