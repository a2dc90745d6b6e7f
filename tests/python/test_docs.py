"""The repository stands alone (issue 11, fault 8): every reference in it resolves, and the
examples of docs/rulesets.md are run, so that they stay true."""

from __future__ import annotations

import glob
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

DOCS = ROOT / "docs"
TEXT_SUFFIXES = {".md", ".cpp", ".hpp", ".h", ".py", ".pyi", ".json", ".cmake", ".txt", ".sh", ".toml", ".in",
                 ".yml", ".yaml", ".cfg", ".jsonl"}
SKIP_DIRS = {".git", ".venv", "venv", "__pycache__", "node_modules", "_skbuild"}

# Written in pieces, so that this file does not name them itself.
MISSING_DOCUMENTS = ["POLICY" + ".md", "DESIGN" + ".md"]
PEERS = ["../" + "shared", "/work/" + "shared", "shared/" + "peers"]


def text_files():
    """The repository's text files: everything but version control, environments and build trees
    (a folder named build* or holding a CMakeCache.txt)."""
    for folder, dirs, files in os.walk(ROOT):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("build")
                         and not (here / d / "CMakeCache.txt").exists())
        for name in sorted(files):
            path = here / name
            if path.suffix in TEXT_SUFFIXES or path.parent.name == ".ci":
                yield path, path.relative_to(ROOT).as_posix()


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


def line_of(text: str, at: int) -> int:
    return text.count("\n", 0, at) + 1


def headings(md: Path) -> list[str]:
    out, fenced = [], False
    for line in read(md).splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and line.startswith("#"):
            out.append(line.lstrip("#").strip())
    return out


def slug(heading: str) -> str:
    """GitHub's anchor of a heading."""
    s = re.sub(r"[^\w\- ]", "", heading.lower().replace("`", ""))
    return s.replace(" ", "-")


def test_nothing_names_documents_the_repository_does_not_have():
    bad = []
    for path, rel in text_files():
        text = read(path)
        for name in MISSING_DOCUMENTS:
            for m in re.finditer(re.escape(name), text):
                bad.append(f"{rel}:{line_of(text, m.start())}: {name}")
        if rel.startswith("bench/"):
            continue  # the comparison scripts take the peers' folder as an argument
        for name in PEERS:
            for m in re.finditer(re.escape(name), text):
                bad.append(f"{rel}:{line_of(text, m.start())}: {name}")
    assert not bad, "\n".join(bad)


# docs/<name>.md, then (across a line break and a comment's markers) §N[.M] or "A heading"
DOC_REF = re.compile(r'docs/([\w.-]+\.md)(?:[\s/#*,]*(?:§(\d+(?:\.\d+)*)|"([^"]{1,100})"))?')
LINE_BREAK = re.compile(r"\s*\n\s*(?:///|//|#|\*)?\s*")
SECTION = re.compile(r"^§(\d+(?:\.\d+)*)\s")


def test_every_docs_reference_names_a_file_and_section_that_exist():
    bad, seen = [], 0
    for path, rel in text_files():
        text = read(path)
        for m in DOC_REF.finditer(text):
            seen += 1
            where = f"{rel}:{line_of(text, m.start())}: {m.group(0)!r}"
            target = DOCS / m.group(1)
            if not target.is_file():
                bad.append(f"{where}: no such file")
                continue
            heads = headings(target)
            if m.group(2):
                sections = {s.group(1) for h in heads if (s := SECTION.match(h))}
                if m.group(2) not in sections:
                    bad.append(f"{where}: {m.group(1)} has no §{m.group(2)} (it has {sorted(sections)})")
            elif m.group(3) and m.group(3)[0].isupper():
                title = LINE_BREAK.sub(" ", m.group(3))
                if not any(h.startswith(title) for h in heads):
                    bad.append(f"{where}: {m.group(1)} has no heading {title!r}")
    assert seen > 100  # the rulesets cite docs/policy.md in every rule
    assert not bad, "\n".join(bad)


MD_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def test_markdown_links_resolve():
    bad = []
    for path, rel in text_files():
        if path.suffix != ".md":
            continue
        text = read(path)
        for m in MD_LINK.finditer(text):
            link = m.group(1)
            if re.match(r"^[a-z]+:", link):
                continue  # https:, mailto:
            file, _, anchor = link.partition("#")
            target = (path.parent / file).resolve() if file else path
            where = f"{rel}:{line_of(text, m.start())}: {link}"
            if not target.exists():
                bad.append(f"{where}: no such file")
            elif anchor and target.suffix == ".md" and anchor not in {slug(h) for h in headings(target)}:
                bad.append(f"{where}: no such heading")
    assert not bad, "\n".join(bad)


# A path into the repository, in the documentation, the public headers, the README and the
# rulesets' strings: top-level folder, then a path (CN-XX and <name> stand for any name).
REPO_PATH = re.compile(r"(?<![\w/.-])((?:include|lib|cli|bindings|rulesets|tests|examples|scripts|docs|bench|cmake)"
                       r"/[\w./*<>-]*[\w*>])")


def resolves(p: str) -> bool:
    pattern = re.sub(r"<[^>]*>", "*", p.replace("CN-XX", "CN-??"))
    return bool(glob.glob(str(ROOT / pattern)) or glob.glob(str(ROOT / pattern) + ".*"))


def test_paths_in_the_documentation_exist():
    bad = []
    for path, rel in text_files():
        if not (rel.startswith(("docs/", "include/", "rulesets/")) or rel == "README.md"):
            continue
        text = read(path)
        for m in REPO_PATH.finditer(text):
            if not resolves(m.group(1)):
                bad.append(f"{rel}:{line_of(text, m.start())}: {m.group(1)}")
    assert not bad, "\n".join(bad)


def test_the_policy_states_every_code_and_parameter_the_rulesets_use():
    policy = read(DOCS / "policy.md")
    codes, params = set(), set()
    for f in sorted((ROOT / "rulesets").glob("CN*/*.json")):
        j = json.loads(read(f))
        params |= set(j.get("parameters", {}))
        for r in j.get("rules", []) + j.get("overrides", []):
            codes |= {r["code"]} if "code" in r else set()
            codes |= set(r.get("obligations", []))
    assert len(codes) > 25 and len(params) > 15
    assert sorted(c for c in codes if f"`{c}`" not in policy) == []
    assert sorted(p for p in params if f"`{p}`" not in policy) == []


# ---- docs/rulesets.md: its examples run, its tables say what the schema says


RULESETS_MD = DOCS / "rulesets.md"


def section(title: str) -> str:
    text = read(RULESETS_MD)
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end != -1 else len(text)]


def json_example(title: str):
    block = re.search(r"```json\n(.*?)```", section(title), re.S)
    assert block, f"docs/rulesets.md, {title!r}: no JSON example"
    return json.loads(block.group(1))


def table(title: str, first_key: str) -> dict[str, str]:
    """The table of `title`'s section whose first row is `first_key`: key -> required column."""
    rows, inside = {}, False
    for line in section(title).splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and cells[0] == f"`{first_key}`":
            inside = True
        if inside:
            if not line.startswith("|"):
                break
            for key in re.findall(r"`([^`]+)`", cells[0]):
                rows[key] = cells[1].strip("*")
    assert rows, f"docs/rulesets.md, {title!r}: no table of keys"
    return rows


def schema():
    return json.loads(read(ROOT / "rulesets" / "schema" / "ruleset.schema.json"))


def test_the_file_table_marks_the_keys_the_schema_requires():
    s = schema()
    rows = table("The file", "id")
    assert set(rows) == set(s["properties"])
    assert {k for k, v in rows.items() if v == "required"} == set(s["required"])


def test_the_rule_table_marks_the_keys_the_schema_requires():
    d = schema()["definitions"]
    check, obligation = d["check_rule"], d["obligation_rule"]
    rows = table("A rule", "id")
    assert set(rows) == set(check["properties"]) | set(obligation["properties"])
    assert {k for k, v in rows.items() if v in ("both", "check")} == set(check["required"])
    assert {k for k, v in rows.items() if v in ("both", "obligation")} == set(obligation["required"])


def cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "telecomply", *args], capture_output=True, text=True, cwd=cwd)


@pytest.fixture()
def scratch_rulesets(tmp_path):
    """A copy of the shipped rulesets without their test cases (the fixtures kept)."""
    dst = tmp_path / "rulesets"
    shutil.copytree(ROOT / "rulesets", dst)
    for f in (dst / "tests").glob("*.json"):
        f.unlink()
    return dst


def test_the_test_case_example_runs_and_passes(scratch_rulesets):
    example = json_example("Testing rulesets")
    cases = example["cases"]
    fixtures = {p.stem for p in (scratch_rulesets / "tests" / "fixtures").glob("*.json")}
    for case in cases:
        assert "fixture" in case or "application" in case, case["name"]
        assert case.get("fixture", "clean-gd-2026") in fixtures, case["name"]
        expect = case.get("expect", {})
        # a case that contradicts itself can never pass
        assert not ({f["code"] for f in expect.get("findings", [])} & {f["code"] for f in expect.get("absent", [])})
        assert not (expect.get("obligations") and expect.get("no_obligations")), case["name"]
        assert not (expect.get("unknowns") and expect.get("no_unknowns")), case["name"]
    # every key the table of expect lists is shown
    shown = set().union(*(c.get("expect", {}).keys() for c in cases))
    assert shown == set(table("Testing rulesets", "decision"))
    shown_case_keys = set().union(*(c.keys() for c in cases))
    assert shown_case_keys == set(table("Testing rulesets", "name"))

    (scratch_rulesets / "tests" / "example.json").write_text(json.dumps(example, ensure_ascii=False),
                                                             encoding="utf-8")
    r = cli("test", "--verbose", str(scratch_rulesets))
    assert r.returncode in (0, 1), r.stderr  # 1: codes the example does not cover
    for case in cases:
        assert f"PASS {case['name']}  (" in r.stdout, r.stdout
    assert f"{len(cases)} cases: {len(cases)} passed, 0 failed" in r.stdout, r.stdout


def test_the_rule_example_is_the_shipped_rule():
    rule = json_example("A rule")
    shipped = json.loads(read(ROOT / "rulesets" / "CN" / "2026.1.json"))
    assert rule == next(r for r in shipped["rules"] if r["id"] == rule["id"])


def test_the_file_example_is_a_working_ruleset(scratch_rulesets):
    """The example, put in place of the shipped file it shortens, lints clean and passes the
    shipped test cases."""
    example = json_example("The file")
    shipped_file = ROOT / "rulesets" / example["id"] / f"{example['version']}.json"
    shipped = json.loads(read(shipped_file))
    for key in ("id", "version", "effective_from", "effective_to", "extends", "title", "parameters"):
        assert example[key] == shipped[key], key
    for f in (ROOT / "rulesets" / "tests").glob("*.json"):
        shutil.copy(f, scratch_rulesets / "tests")
    (scratch_rulesets / example["id"] / f"{example['version']}.json").write_text(
        json.dumps(example, ensure_ascii=False), encoding="utf-8")
    r = cli("lint", str(scratch_rulesets))
    assert r.returncode == 0, r.stdout + r.stderr
    r = cli("test", str(scratch_rulesets))
    assert r.returncode == 0, r.stdout + r.stderr


def test_the_readme_names_every_command_and_its_exit_statuses():
    # "Exit statuses, every command": a command the README's list and table leave out is one a
    # reader of the README never learns of (`screen` was)
    shown = cli("--help").stdout
    commands = re.findall(r"^  (\w+) {2,}", shown.split("Subcommands:", 1)[1], re.M)
    assert "screen" in commands and "check" in commands
    readme = read(ROOT / "README.md")
    table_rows = [line for line in readme.splitlines() if line.startswith("| `")]
    for command in commands:
        assert re.search(rf"^telecomply {command}\b", readme, re.M), f"README's command list lacks {command}"
        assert any(re.search(rf"`{command}[` ]", row) for row in table_rows), \
            f"README's table of exit statuses lacks {command}"
