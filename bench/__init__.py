"""Benchmarks: each module has a `main()` that prints its figures (they never assert).

Run all with `python -m bench`, or one with `python -m bench.<module>`. Figures are also
written as JSON under bench/results/ (gitignored).
"""
