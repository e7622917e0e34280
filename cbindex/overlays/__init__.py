"""Overlay stage (workflow/rules/overlays.smk): I9 protected areas, red-line coverage, I13 parks."""
