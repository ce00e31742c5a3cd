"""The tour, the glossary and the links between the docs stay true.

docs/tour.md names its stops as `path/file.c: function()`. Every such
stop must name a file that exists and defines that function: a C
function (or macro) defined at the start of a line, or an assembly label.
Every other path the tour puts in backticks must exist too (paths under
build/ are made by `make`, so they are skipped). Each numbered chapter must
end with exercises and hints. The glossary must define the words the
issue asked for, and every doc (README.md and docs/*.md) must link it.
Links from the three teaching pages to files and headings of the tree
must resolve, anchors included (GitHub's heading ids). No emulator and no
build: these tests read files only.
"""

import re

import pytest

from harness import ROOT

DOCS = ROOT / "docs"
TOUR = DOCS / "tour.md"
GLOSSARY = DOCS / "glossary.md"
TEACHING = [TOUR, GLOSSARY, DOCS / "tutorial-add-a-hypercall.md"]
STOP = re.compile(r"`([\w./-]+\.(?:c|h|S|py)): (\w+)\(\)`")
PATH = re.compile(r"`((?:arch|boot|hypervisor|hypercalls|pvguest|tests|tools|docs)/[\w./-]*)`")
LINK = re.compile(r"\]\(([^)\s]+)\)")


def stops(doc):
    return sorted(set(STOP.findall(doc.read_text())))


def defines(path, name):
    """Does the file define function, macro or label `name`?"""
    text = (ROOT / path).read_text(errors="replace")
    n = re.escape(name)
    if path.endswith(".S"):
        return re.search(r"^\s*%s:|^\.macro\s+%s\b" % (n, n), text, re.M) is not None
    if path.endswith(".py"):
        return re.search(r"^\s*def %s\(" % n, text, re.M) is not None
    return re.search(r"^(?!\s)(?!return\b)[\w \t*]*\b%s\s*\([^;]*$|^#\s*define\s+%s\(" % (n, n),
                     text, re.M) is not None


def test_the_tour_names_many_stops():
    assert len(stops(TOUR)) >= 60, "a stop per idea: the tour lost most of its stops"


@pytest.mark.parametrize("path,name", stops(TOUR) + stops(GLOSSARY),
                         ids=lambda v: str(v))
def test_every_stop_names_a_file_that_defines_that_function(path, name):
    assert (ROOT / path).is_file(), "%s does not exist (moved?)" % path
    assert defines(path, name), "%s defines no function %s()" % (path, name)


def test_the_checker_is_not_fooled_by_calls_or_prototypes():
    # hypercall_dispatch is called in multicall.c and defined (inline) in
    # hypercall.h; hypercall_name is declared there and defined in hypercall.c.
    assert not defines("hypercalls/multicall.c", "hypercall_dispatch")
    assert defines("hypervisor/hypercall.h", "hypercall_dispatch")
    assert defines("hypervisor/hypercall.c", "hypercall_name")
    assert not defines("hypervisor/hypercall.h", "hypercall_name")   # a prototype
    assert defines("arch/x86/entry.S", "entry_common")


def test_every_path_the_tour_mentions_exists():
    missing = [p for p in set(PATH.findall(TOUR.read_text()) + PATH.findall(GLOSSARY.read_text()))
               if not p.startswith("build/") and not (ROOT / p).exists()]
    assert not missing, "paths named in the tour that do not exist: %s" % sorted(missing)


def test_each_chapter_ends_with_exercises_and_hints():
    text = TOUR.read_text()
    chapters = re.split(r"^## (?=\d+\. )", text, flags=re.M)[1:]
    assert len(chapters) == 7, "boot, domain, hypercall, halt, paging, events, untrappable"
    for ch in chapters:
        title = ch.splitlines()[0]
        assert "### Exercises" in ch, "chapter %s has no exercises" % title
        assert "<summary>Hints</summary>" in ch, "chapter %s has no hints" % title
        assert len(STOP.findall(ch)) >= 4, "chapter %s names too few stops" % title


GLOSSARY_TERMS = ["mfn", "pfn", "gfn", "P2M", "M2P", "start_info", "shared_info",
                  "vcpu_info", "upcall", "bounce frame", "hypercall page",
                  "event channel", "VIRQ", "grant", "grant reference", "xenstore",
                  "split driver", "ring", "PGT types", "pinning", "hole", "ring 1",
                  "trap table", "failsafe callback", "UMIP", "CPUID faulting",
                  "continuation"]


@pytest.mark.parametrize("term", GLOSSARY_TERMS)
def test_the_glossary_defines(term):
    entries = re.findall(r"^\*\*(.+?)\.\*\*", GLOSSARY.read_text(), re.M)
    words = {w.strip().lower() for e in entries for w in re.split(r",|\(|\)", e)}
    assert term.lower() in words, "no glossary entry for %r (entries: %s)" % (term, entries)


def all_docs():
    return [ROOT / "README.md"] + sorted(DOCS.glob("*.md"))


@pytest.mark.parametrize("doc", all_docs(), ids=lambda p: p.name)
def test_every_doc_links_the_glossary(doc):
    if doc == GLOSSARY:
        return
    links = LINK.findall(doc.read_text())
    assert any(l.split("#")[0].endswith("glossary.md") for l in links), \
        "%s does not link docs/glossary.md" % doc.relative_to(ROOT)


def heading_ids(path):
    """GitHub's ids for a markdown file's headings."""
    ids, seen = set(), {}
    in_code = False
    for line in path.read_text().splitlines():
        if line.startswith("```"):
            in_code = not in_code
        m = None if in_code else re.match(r"^#{1,6} (.*)$", line)
        if m:
            slug = re.sub(r"[^\w\- ]", "", m.group(1).strip().lower()).replace(" ", "-")
            n = seen.get(slug, 0)
            seen[slug] = n + 1
            ids.add(slug if n == 0 else "%s-%d" % (slug, n))
    return ids


@pytest.mark.parametrize("doc", TEACHING, ids=lambda p: p.name)
def test_links_from_the_teaching_pages_resolve(doc):
    bad = []
    for link in LINK.findall(doc.read_text()):
        if re.match(r"[a-z]+:", link):
            continue                                   # http:, mailto:
        target, _, anchor = link.partition("#")
        path = (doc.parent / target).resolve() if target else doc
        if not path.exists() or ROOT not in path.parents:
            bad.append(link)
        elif anchor and path.suffix == ".md" and anchor not in heading_ids(path):
            bad.append(link)
    assert not bad, "%s: dangling links %s" % (doc.name, bad)
