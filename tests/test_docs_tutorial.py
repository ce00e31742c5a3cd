"""docs/tutorial-add-a-hypercall.md, followed literally on a scratch copy.

The tutorial's steps are its fenced code blocks whose first line carries a
marker after the language:

  ```diff file=PATH      a patch of PATH, applied with `git apply`
  ```c file=PATH         a new file PATH with exactly this content
  ```sh run              shell commands, run at the top of the tree

Blocks without a marker are only for reading. The steps are applied in
order to a copy of the tree (without build/, so the build really starts
from nothing), and then the shell steps build it and run the test the
tutorial adds. If the code moves on and the tutorial does not, a patch
stops applying, the build breaks or the new test fails, and this file
says which step. The first test only applies the steps and builds
nothing, so it reports a stale step quickly.
"""

import re
import shutil
import subprocess

import pytest

from harness import ROOT, scaled

TUTORIAL = ROOT / "docs" / "tutorial-add-a-hypercall.md"
FENCE = re.compile(r"^```(\w*)[ \t]*(.*?)\n(.*?)^```[ \t]*$", re.M | re.S)


def steps():
    """[(number, kind, argument, body)]: kind is "patch", "file" or "run"."""
    out = []
    for m in FENCE.finditer(TUTORIAL.read_text()):
        lang, attrs, body = m.groups()
        words = dict(w.split("=", 1) if "=" in w else (w, "") for w in attrs.split())
        line = TUTORIAL.read_text().count("\n", 0, m.start()) + 1
        if "file" in words:
            out.append((line, "patch" if lang == "diff" else "file", words["file"], body))
        elif "run" in words:
            out.append((line, "run", "", body))
    return out


def scratch_copy(dest):
    shutil.copytree(str(ROOT), str(dest), symlinks=True,
                    ignore=shutil.ignore_patterns("build", ".git", "__pycache__",
                                                  ".pytest_cache"))
    return dest


def apply_step(tree, line, kind, path, body):
    where = "%s:%d (%s %s)" % (TUTORIAL.name, line, kind, path)
    target = tree / path
    if kind == "patch":
        patch = tree / ".tutorial-step.diff"
        patch.write_text(body)
        p = subprocess.run(["git", "apply", "--verbose", str(patch)], cwd=str(tree),
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           universal_newlines=True)
        patch.unlink()
        assert p.returncode == 0, "%s no longer applies:\n%s" % (where, p.stdout)
        assert re.search(r"^diff --git a/%s b/%s$" % (re.escape(path), re.escape(path)),
                         body, re.M), "%s: the patch must change %s only" % (where, path)
    else:
        assert not target.exists(), "%s: the tutorial creates %s, which already exists" % (where, path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(body)


def test_the_tutorial_has_its_steps_in_order():
    kinds = [(kind, path) for _, kind, path, _ in steps()]
    assert kinds[:2] == [("patch", "hypercalls/public/xen.h"),
                         ("patch", "hypercalls/hypercalls.tbl")], \
        "the number is defined in xen.h before the table names it"
    assert ("file", "hypercalls/tutorial.c") in kinds
    assert any(k == "file" and p.startswith("pvguest/tests/") for k, p in kinds)
    assert any(k == "file" and p.startswith("tests/test_") for k, p in kinds)
    assert kinds[-1][0] == "run"


def test_the_tutorials_changes_apply_to_todays_tree(tmp_path):
    tree = scratch_copy(tmp_path / "tree")
    for line, kind, path, body in steps():
        if kind != "run":
            apply_step(tree, line, kind, path, body)


def test_following_the_tutorial_builds_and_its_new_test_passes(tmp_path):
    tree = scratch_copy(tmp_path / "tree")
    for line, kind, path, body in steps():
        if kind != "run":
            apply_step(tree, line, kind, path, body)
            continue
        p = subprocess.run(["bash", "-e", "-c", body], cwd=str(tree),
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, universal_newlines=True,
                           timeout=scaled(900))
        tail = "\n".join(p.stdout.splitlines()[-60:])
        assert p.returncode == 0, "%s:%d: the shell step failed (status %d):\n%s" % (
            TUTORIAL.name, line, p.returncode, tail)
    # The generator really ran on the new table line, and the test really ran.
    assert "| 55 | tutorial_sum | implemented |" in (tree / "docs" / "hypercalls.md").read_text()
    assert re.search(r"^1 passed", p.stdout, re.M), p.stdout[-2000:]
