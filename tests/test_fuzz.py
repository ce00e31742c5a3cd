"""tests/test_fuzz.py: the libFuzzer targets build and run clean (make fuzz's smoke version).

Each target of tools/fuzz runs a few hundred inputs from its seeded corpus,
under AddressSanitizer and UBSan, and must end with no finding.  The long
runs are `make fuzz` (FUZZ_TIME seconds per target); what they cover and their
figures are in docs/fuzzing.md.
"""
import shutil
import subprocess
import sys

import pytest

import harness
from harness import ROOT, scaled

TARGETS = list(harness.tool_module("fuzz").TARGETS)


@pytest.mark.skipif(not (shutil.which("clang") or shutil.which("clang-14")),
                    reason="no clang (tools/install-deps installs it)")
@pytest.mark.parametrize("target", TARGETS)
def test_target_runs_clean(built, target):
    p = subprocess.run([sys.executable, str(ROOT / "tools/fuzz"), "--runs", "300", target],
                       cwd=ROOT, capture_output=True, text=True, timeout=scaled(300))
    assert p.returncode == 0, p.stdout + p.stderr
    row = [l for l in p.stdout.splitlines() if l.startswith("| %s |" % target)]
    # libFuzzer first replays the whole corpus, then runs 300 new inputs.
    assert row and int(row[0].split("|")[2]) >= 300, p.stdout
