"""Benchmark scripts that print figures: `python bench/national.py`, `python bench/extent.py`."""
