"""Synthetic county plans with known targets: `planalign synth --counties N --seed S OUT_DIR`.

Why: the corpus has five documents, too few to measure extraction or to benchmark a batch of
3,000 counties. `generate` writes realistic county plan texts from sentence shapes taken from
the corpus (tools/synth/templates.py), each labelled with the targets it states, so
extraction can be scored (rulesengine.evaluation) on as many plans as needed. Generated
files are test data: a small sample is committed under tests/fixtures/synth/, large sets are
not.
"""

from __future__ import annotations

from pathlib import Path

from tools.synth.generator import County, SynthPlan, SynthTarget, counties_for, generate
from tools.synth.writer import gold_yaml, meta_yaml, write

__all__ = [
    "County",
    "SynthPlan",
    "SynthTarget",
    "counties_for",
    "generate",
    "gold_yaml",
    "meta_yaml",
    "synth_command",
    "write",
]


def synth_command(counties: int, seed: int, out_dir: Path) -> int:
    """The CLI's `planalign synth`: writes `counties` plans into out_dir; returns how many."""
    return len(write(generate(counties, seed), out_dir))
