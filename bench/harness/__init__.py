"""What the bench scripts share: where the corpus and the results are, how a figure is stored and
read off a process, and how a `planalign serve` under load is started and stopped.

A package in a subfolder, not a script beside the others: `make bench` runs every bench/*.py file,
and this is not a benchmark. The scripts are run as files (`python bench/check.py`), which puts
bench/ on sys.path, so they import it as ``harness`` (``from harness.figures import save``).
"""
