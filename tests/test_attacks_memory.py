"""docs/attacks.md's `## Memory` table and the hostile guests' cases agree.

Every case of pvguest/tests/hostile (its cases[] list: the number is the
position, the title is printed as "case N: <title>") and of
pvguest/tests/grant-hostile (its `case N:` switch) has exactly one row,
with the same title for hostile's, and every row names a case that
exists.  No hypervisor is booted here; tests/test_paging.py and
tests/test_grants.py boot the cases.
"""

import re

from attacks_doc import assert_rows_match
from harness import ROOT

DOC = ROOT / "docs" / "attacks.md"
HOSTILE = ROOT / "pvguest" / "tests" / "hostile" / "main.c"
GRANT_HOSTILE = ROOT / "pvguest" / "tests" / "grant-hostile" / "main.c"


def rows():
    """(guest, case number) -> title, from the table under ## Memory."""
    text = DOC.read_text()
    section = text.split("\n## Memory\n", 1)[1].split("\n## ", 1)[0]
    table = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[1].isdigit():
            key = (cells[0], int(cells[1]))
            assert key not in table, "two rows for %s case %d" % key
            assert all(cells[2:]), "%s case %d: an empty column" % key
            table[key] = cells[2]
    return table


def hostile_titles():
    """The titles of hostile's cases[], in order: case N is the Nth."""
    src = HOSTILE.read_text()
    body = src.split("} cases[] = {", 1)[1].split("\n};", 1)[0]
    return re.findall(r'^\s*\{ "((?:[^"\\]|\\.)*)", case_\w+ \},$', body, re.M)


def test_every_hostile_case_has_its_row_with_its_title_and_every_row_a_case():
    titles = hostile_titles()
    assert len(titles) >= 50
    table = {n: t for (g, n), t in rows().items() if g == "hostile"}
    assert_rows_match("hostile", titles, table)


def test_every_grant_hostile_case_has_a_row_and_every_row_a_case():
    cases = {int(n) for n in re.findall(r"^\s*case (\d+): case_\w+\(", GRANT_HOSTILE.read_text(), re.M)}
    table = {n for (g, n) in rows() if g == "grant-hostile"}
    assert cases, "no cases found in grant-hostile"
    assert cases - table == set(), "grant-hostile cases without a row: %s" % sorted(cases - table)
    assert table - cases == set(), "rows naming no grant-hostile case: %s" % sorted(table - cases)


def test_the_table_has_only_known_guests_and_the_cpu_section_is_kept():
    guests = {g for g, _ in rows()}
    assert guests <= {"hostile", "grant-hostile"}, guests
    assert "\n## CPU state and events\n" in DOC.read_text()
