"""Scoring stage (workflow/rules/scoring.smk): rule sets, bands, points, the scorecard, next band, city figures."""
