"""tests/test_bench.py: `make bench` works (the figures themselves are never judged here).

tools/bench --smoke boots the bench guest under QEMU -icount with few
repetitions.  Instruction counts are deterministic, but what they should
be is a question for docs/performance.md, not a pass/fail line, so this
only checks that every row was measured and that the table is complete.
"""
import subprocess
import sys

import harness
from harness import ROOT, scaled


def bench_module():
    return harness.tool_module("bench")


def test_every_row_is_measured(built):
    p = subprocess.run([sys.executable, str(ROOT / "tools/bench"), "--smoke"], cwd=ROOT,
                       capture_output=True, text=True, timeout=scaled(180))
    assert p.returncode == 0, p.stdout + p.stderr
    rows = [l for l in p.stdout.splitlines() if l.startswith("| ") and "---" not in l][1:]
    wanted = [what for _, what, _ in bench_module().all_rows(smoke=True)]
    assert [r.split(" | ")[0][2:] for r in rows][:len(wanted)] == wanted
    for r in rows[:len(wanted)]:
        count = float(r.split(" | ")[1])
        assert count > 0, r
    # The PV/native table, the memory rows (frames) and the boot rows (wall time) follow.
    for what, _, _ in bench_module().NATIVE_ROWS:
        assert any(l.startswith("| %s | " % what) for l in rows), what
    # The latency table: the victim's longest gap (us) beside each attack and the baseline's.
    attacks = bench_module().latency_rows(smoke=True)
    base = attacks[0][1]
    for _, what, _, _ in attacks[1:]:
        row = [l for l in rows if l.startswith("| %s | " % what)]
        assert len(row) == 1, what
        cells = row[0].split(" | ")
        assert int(cells[1]) > 0 and cells[2] == base and int(cells[3]) > 0, row
        assert cells[4].endswith("× |"), row
    assert any(l.startswith("| hypervisor frames per extra domain | ") for l in rows)
    assert any(l.startswith("| -kernel, one domain | ") and " ms | " in l for l in rows)


def test_performance_doc_has_a_table():
    text = (ROOT / "docs/performance.md").read_text()
    assert "<!-- bench -->" in text and "| null hypercall" in text.split("<!-- bench -->")[1]
    assert "| `console_io` write of " in text.split("<!-- bench -->")[1]
