"""tests/test_docs.py: the documentation cannot quietly go stale.

A reader follows links and trusts figures. So: every relative link in
README.md and docs/*.md names a file of this tree (never one outside it),
and every `#anchor` names a heading of the page it points into; every path
the text names in backquotes with a leading ../ stays in the tree; the
trusted-base table in README.md is exactly what `tools/tcb-count --markdown`
prints today; each per-domain option the builder parses is in the tables of
README.md and docs/domains.md; and every status tools/run can give is in
the exit-status tables of README.md and docs/conventions.md. No hypervisor
is booted here.
"""

import importlib.machinery
import importlib.util
import re
import subprocess
import sys

import pytest

from harness import ROOT, RUN

DOCS = [ROOT / "README.md"] + sorted((ROOT / "docs").glob("*.md"))
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def slug(heading):
    """GitHub's anchor for a heading: lower case, punctuation dropped,
    spaces to hyphens."""
    text = re.sub(r"[`*]", "", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path):
    text = re.sub(r"^```.*?^```", "", path.read_text(), flags=re.M | re.S)
    return {slug(h) for h in re.findall(r"^#+ (.+)$", text, re.M)}


def links(doc):
    text = re.sub(r"^```.*?^```", "", doc.read_text(), flags=re.M | re.S)
    return [m.group(1) for m in LINK.finditer(text)]


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_link_names_a_file_of_the_tree_and_an_anchor_of_it(doc):
    bad = []
    for target in links(doc):
        if re.match(r"[a-z]+:", target):        # http:, https:, mailto:
            continue
        path, _, anchor = target.partition("#")
        dest = (doc.parent / path).resolve() if path else doc
        if ROOT not in dest.parents and dest != ROOT:
            bad.append("%s: outside the repository" % target)
        elif not dest.exists():
            bad.append("%s: no such file" % target)
        elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
            bad.append("%s: no heading #%s in %s" % (target, anchor, dest.name))
    assert not bad, "%s has dangling links:\n  %s" % (doc.name, "\n  ".join(bad))


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_no_doc_names_a_file_outside_the_tree(doc):
    for path in re.findall(r"`(\.\./[^`\s]+)`", doc.read_text()):
        dest = (doc.parent / path).resolve()
        assert ROOT in dest.parents and dest.exists(), \
            "%s names %s, which is not a file of this tree" % (doc.name, path)


def test_the_readme_trusted_base_table_is_what_tcb_count_prints_today():
    p = subprocess.run([sys.executable, str(ROOT / "tools" / "tcb-count"), "--markdown"],
                       stdout=subprocess.PIPE, universal_newlines=True, check=True)
    table = p.stdout.strip()
    readme = (ROOT / "README.md").read_text()
    assert table in readme, ("README.md's trusted-base table is stale; "
                             "replace it with tools/tcb-count --markdown:\n" + table)
    total = re.search(r"\*\*ring-0 total\*\* \| \| \*\*(\d+)\*\*", table).group(1)
    # Any "ring-0 base of N lines" figure elsewhere must be today's too.
    for doc in DOCS:
        for n in re.findall(r"ring-0 (?:base|total)[^.|]*?\b(\d{4,5}) lines", doc.read_text()):
            assert n == total, "%s says the ring-0 base is %s lines; it is %s" % (doc.name, n, total)


def test_every_per_domain_option_is_documented():
    src = (ROOT / "hypervisor" / "domain" / "builder_opts.c").read_text()
    options = re.findall(r'^\s*\{ "(\w+)", (?:MIB|NAME|CHOICE|RANGE|FLAG),', src, re.M)
    assert "weight" in options and len(options) >= 7, options
    for doc in (ROOT / "README.md", ROOT / "docs" / "domains.md"):
        text = doc.read_text()
        missing = [o for o in options if "`dom.%s=" % o not in text]
        assert not missing, "%s does not document dom.%s" % (doc.name, ", dom.".join(missing))


def test_every_exit_status_of_tools_run_is_in_the_tables():
    loader = importlib.machinery.SourceFileLoader("tools_run", str(RUN))
    run = importlib.util.module_from_spec(importlib.util.spec_from_loader("tools_run", loader))
    loader.exec_module(run)
    for doc in (ROOT / "README.md", ROOT / "docs" / "conventions.md"):
        rows = dict(re.findall(r"^\| (\d+) \| (.+) \|$", doc.read_text(), re.M))
        missing = sorted(set(run.STATUSES) - set(int(n) for n in rows))
        assert not missing, "%s's exit-status table misses %s" % (doc.name, missing)
