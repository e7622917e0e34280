"""Contracts every stage shares: errors, atomic writes, the rule runtime, provenance, indicator values and tables,
output names, method settings, config files and their schemas.
"""
