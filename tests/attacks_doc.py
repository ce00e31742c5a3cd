"""docs/attacks.md against the attack guests: one row per case, one case per row."""


def assert_rows_match(guest, titles, table):
    """titles: the guest's case titles in order (case N is the Nth);
    table: {case number: title} from its rows in docs/attacks.md."""
    missing = [n for n in range(1, len(titles) + 1) if n not in table]
    extra = [n for n in table if not 1 <= n <= len(titles)]
    wrong = [(n, table[n], titles[n - 1]) for n in table if n not in extra and table[n] != titles[n - 1]]
    assert not missing, "%s cases without a row in docs/attacks.md: %s" % (guest, missing)
    assert not extra, "rows of docs/attacks.md naming no %s case: %s" % (guest, extra)
    assert not wrong, "rows whose title is not the case's (row, guest): %s" % wrong
