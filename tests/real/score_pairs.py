#!/usr/bin/env python3
"""Score the check on every set of blind pair keys with the independent scorer, unchanged.

``tools/check_pairs.py`` (a byte-identical copy of the handed-over scorer) looks for texts in
``../texts`` and ``../../corpus``; keys written since name texts of the untuned split too. So
this builds a throwaway tree — ``texts/`` holding every real text, ``tools/`` the scorer — and
runs the scorer there once per key set, printing each set's figures separately:

    python tests/real/score_pairs.py .venv/bin/planalign [-v]
"""

from __future__ import annotations

import pathlib
import shutil
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
KEY_SETS = {"handed-over": HERE / "pairs", "blind (added)": HERE / "pairs_blind"}
TEXT_DIRS = [HERE / "texts", HERE / "untuned" / "texts"]
SEED = HERE.parent.parent / "examples" / "plans"  # the seed corpus, as ../../corpus


def run(planalign: str, keys: pathlib.Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """The scorer's own output for one key set, run in a tree where it finds every text."""
    with tempfile.TemporaryDirectory() as tmp:
        root = pathlib.Path(tmp) / "real"
        root.mkdir()
        (root / "texts").mkdir()
        for d in TEXT_DIRS:
            for p in d.glob("*.txt"):
                shutil.copyfile(p, root / "texts" / p.name)
        (root.parent / "corpus").mkdir()
        for p in SEED.glob("*.txt"):
            shutil.copyfile(p, root.parent / "corpus" / p.name)
        (root / "tools").mkdir()
        shutil.copyfile(HERE / "tools" / "check_pairs.py", root / "tools" / "check_pairs.py")
        return subprocess.run(
            [sys.executable, str(root / "tools" / "check_pairs.py"), planalign, str(keys), *extra],
            capture_output=True,
            text=True,
            timeout=1800,
        )


def main() -> int:
    planalign = sys.argv[1]
    extra = sys.argv[2:]
    worst = 0
    for name, keys in KEY_SETS.items():
        if not any(keys.glob("*.yaml")):
            continue
        print(f"== {name}: {keys.relative_to(HERE)}")
        r = run(planalign, keys, *extra)
        print(r.stdout, end="")
        if r.stderr.strip():
            print(r.stderr.strip()[-2000:], file=sys.stderr)
        worst = max(worst, r.returncode)
    return worst


if __name__ == "__main__":
    sys.exit(main())
