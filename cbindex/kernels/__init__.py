"""The compiled fast path (numba): run labels, union-find, strip groups, gap joins, code areas, gap offsets; each
tested against its reference.
"""
