#!/usr/bin/env python3
"""Writes the seed corpora and dictionaries of the fuzz targets from the repository's own inputs.

    python3 tests/fuzz/make_corpus.py        # rewrites tests/fuzz/corpus/<target>/seed-* and *.dict

Seeds are named seed-*; inputs a campaign found a bug with are named regression-* and are
kept (never rewritten or removed here). Everything is derived from files in the repository:
the example applications and ruleset test fixtures, the shipped rulesets (and the CEL
expressions of their rules, of docs/expressions.md and of the evaluator's tests), calendars and
workflows, and the event sequences of the approval workflow as docs/policy.md section 5
describes them. Deterministic: running it again changes
nothing unless the inputs did.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FUZZ = ROOT / "tests" / "fuzz"
RULESETS = ROOT / "rulesets"
MAX_SEEDS = 48  # a few dozen per target: enough to reach every part, small enough to read


def dumps(j) -> str:
    return json.dumps(j, ensure_ascii=False, indent=1) + "\n"


def spread(items: list, n: int = MAX_SEEDS) -> list:
    """At most n items, evenly spread over the list (which is sorted by size)."""
    if len(items) <= n:
        return items
    return [items[i * (len(items) - 1) // (n - 1)] for i in range(n)]


def write_corpus(target: str, seeds: dict[str, str]) -> None:
    folder = FUZZ / "corpus" / target
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("seed-*"):
        old.unlink()
    for name, text in seeds.items():
        (folder / f"seed-{name}").write_text(text, encoding="utf-8")


def dict_entry(token: str) -> str:
    """A token as libFuzzer's dictionary format spells it: printable ASCII, else \\xNN."""
    out = []
    for byte in token.encode("utf-8"):
        c = chr(byte)
        out.append("\\" + c if c in '"\\' else c if 32 <= byte < 127 else f"\\x{byte:02X}")
    return '"' + "".join(out) + '"'


def write_dict(target: str, tokens: set[str]) -> None:
    lines = ["# libFuzzer dictionary, written by make_corpus.py from the seeds"]
    for t in sorted(tokens):
        if 0 < len(t.encode()) <= 40:
            lines.append(dict_entry(t))
    (FUZZ / f"{target}.dict").write_text("\n".join(lines) + "\n", encoding="utf-8")


def json_tokens(j, out: set[str]) -> None:
    """Object keys and short strings of a JSON document, quoted as they appear in JSON."""
    if isinstance(j, dict):
        for k, v in j.items():
            out.add(f'"{k}"')
            json_tokens(v, out)
    elif isinstance(j, list):
        for v in j:
            json_tokens(v, out)
    elif isinstance(j, str) and len(j) <= 24 and "\\" not in j and '"' not in j:
        out.add(f'"{j}"')


def ruleset_files() -> list[Path]:
    skip = {"calendars", "schema", "tests", "workflow"}
    return sorted(p for p in RULESETS.glob("*/*.json") if p.parent.name not in skip)


def load(p: Path):
    return json.loads(p.read_text(encoding="utf-8"))


# ---- CEL: every expression of the shipped rulesets


def cel_expressions() -> list[str]:
    found: set[str] = set()
    for f in ruleset_files():
        j = load(f)
        for r in j.get("rules", []):
            for key in ("when", "require", "each", "subject"):
                if isinstance(r.get(key), str):
                    found.add(r[key])
        for v in j.get("variables", []):
            if isinstance(v.get("expression"), str):
                found.add(v["expression"])
    return sorted(found, key=lambda s: (len(s), s))


def documented_expressions() -> list[str]:
    """The expressions of docs/expressions.md (code spans that call something) and those the
    evaluator's tests evaluate (show("...") in tests/cpp/test_cel_eval.cpp): every standard and
    domain function, macros, literals of every kind."""
    found: set[str] = set()
    doc = (ROOT / "docs" / "expressions.md").read_text(encoding="utf-8")
    found.update(s for s in re.findall(r"`([^`\n]+)`", doc) if "(" in s)
    tests = (ROOT / "tests" / "cpp" / "test_cel_eval.cpp").read_text(encoding="utf-8")
    for m in re.finditer(r'show\("((?:[^"\\]|\\.)*)"\)', tests):
        found.add(m.group(1).encode("utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8"))
    return sorted(found, key=lambda s: (len(s), s))


def cel_corpora() -> None:
    exprs = spread(cel_expressions(), 24) + spread(documented_expressions(), 36)
    seeds = {f"{i:02d}.cel": e for i, e in enumerate(exprs)}
    tokens: set[str] = {"&&", "||", "==", "!=", "<=", ">=", " in ", "?", ":", "[", "]", "{", "}",
                        "(", ")", ".", ",", "!", "-", "+", "*", "/", "%", "true", "false", "null",
                        "b'", "r'", "'''", '"""', "u", "0x", "1e9", "\\u", "\\x"}
    for e in cel_expressions() + documented_expressions():
        tokens.update(re.findall(r"[A-Za-z_][A-Za-z_0-9]*", e))
        tokens.update(re.findall(r"'[^'\\]{0,20}'", e))
    for target in ("cel_parse", "cel_eval"):
        write_corpus(target, seeds)
        write_dict(target, tokens)


# ---- applications: the examples and the ruleset tests' fixtures


def application_corpus() -> None:
    seeds: dict[str, str] = {}
    tokens: set[str] = set()
    for p in sorted((ROOT / "examples" / "applications").glob("*.json")):
        seeds[f"example-{p.stem}.json"] = p.read_text(encoding="utf-8")
        json_tokens(load(p), tokens)
    for p in sorted((RULESETS / "tests" / "fixtures").glob("*.json")):
        seeds[f"fixture-{p.stem}.json"] = p.read_text(encoding="utf-8")
    # JSON Lines: the first lines of the batch example (check_stream reads them one by one)
    batch = (ROOT / "examples" / "applications" / "batch.jsonl").read_text(encoding="utf-8")
    seeds["batch-head.jsonl"] = "".join(batch.splitlines(keepends=True)[:3])
    json_tokens(load(RULESETS / "schema" / "application.schema.json"), tokens)
    write_corpus("application", seeds)
    write_dict("application", tokens)


# ---- rulesets: the regional files (the national ones sit beside the input)


def ruleset_corpus() -> None:
    # one file per shape (the parameters, overrides and rules it has): many regions differ from
    # the national rules in nothing, and one of those is enough
    by_shape: dict[str, Path] = {}
    for p in ruleset_files():
        if p.parent.name == "CN":
            continue
        j = load(p)
        shape = json.dumps([j.get("version"), sorted(j.get("parameters", {})), j.get("overrides", []),
                            [r.get("id") for r in j.get("rules", [])],
                            [v.get("name") for v in j.get("variables", [])]], sort_keys=True)
        by_shape.setdefault(shape, p)
    files = sorted(by_shape.values(), key=lambda p: (p.stat().st_size, str(p)))
    seeds = {f"{p.parent.name}-{p.stem}.json": p.read_text(encoding="utf-8") for p in spread(files, 30)}
    for p in sorted((ROOT / "tests" / "data" / "rulesets").glob("CN-*/*.json")):
        seeds[f"testdata-{p.parent.name}-{p.stem}.json"] = p.read_text(encoding="utf-8")
    tokens: set[str] = set()
    json_tokens(load(RULESETS / "schema" / "ruleset.schema.json"), tokens)
    for p in ruleset_files():
        json_tokens(load(p).get("parameters", {}), tokens)
    write_corpus("ruleset", seeds)
    write_dict("ruleset", tokens)


# ---- calendars: the shipped files, and each year of the national one as an import


def calendar_corpus() -> None:
    seeds: dict[str, str] = {}
    tokens: set[str] = {'"official"', '"provisional"', '"extends"', '"CN"'}
    for p in sorted((RULESETS / "calendars").glob("*.json")):
        seeds[f"{p.stem}.json"] = p.read_text(encoding="utf-8")
        json_tokens(load(p), tokens)
    national = load(RULESETS / "calendars" / "CN.json")
    for key, year in national.items():
        if re.fullmatch(r"\d{4}", key):
            seeds[f"CN-{key}.json"] = dumps({"name": "CN", key: year})
    for p in sorted((ROOT / "tests" / "data" / "calendars").glob("*.json")):
        seeds[f"testdata-{p.stem}.json"] = p.read_text(encoding="utf-8")
    write_corpus("calendar", dict(sorted(seeds.items())[:MAX_SEEDS]))
    write_dict("calendar", tokens)


# ---- workflows: the shipped definitions, and an overlay replacing each national transition


def workflow_corpus() -> None:
    seeds: dict[str, str] = {}
    tokens: set[str] = {'"replace"', '"remove"', '"extends"'}
    for p in sorted((RULESETS / "workflow").glob("*.json")):
        seeds[f"{p.stem}.json"] = p.read_text(encoding="utf-8")
        json_tokens(load(p), tokens)
    national = load(RULESETS / "workflow" / "CN.json")
    for t in national.get("transitions", [])[: MAX_SEEDS - len(seeds)]:
        overlay = {"id": "CN-FZ", "extends": "CN", "transitions": [dict(t, replace=True)]}
        seeds[f"overlay-{t['id']}.json"] = dumps(overlay)
    write_corpus("workflow", seeds)
    write_dict("workflow", tokens)


# ---- case events: the approval workflow's paths (docs/policy.md section 5) on the examples

ITEMS = {"items": ["tax_registration"]}
REASONS = {"reasons": ["DAILY_CALL_CAP_EXCEEDED"]}
TAX = {"patch": {"materials": {"tax_registration": {}}}}

# (name, events) on gd-retail-eligible: submitted Mon 2026-03-16
GD_PATHS = [
    ("submit", [("submit", "2026-03-16", {})]),
    ("withdraw", [("withdraw", "2026-03-16", {})]),
    ("approve", [("submit", "2026-03-16", {}), ("accept", "2026-03-17", {}),
                 ("approve", "2026-03-18", {})]),
    ("supplement", [("submit", "2026-03-16", {}), ("accept", "2026-03-17", {}),
                    ("request_supplement", "2026-03-18", ITEMS), ("supplement", "2026-03-20", TAX)]),
    ("supplement-missed", [("submit", "2026-03-16", {}), ("request_supplement", "2026-03-17", ITEMS),
                           ("tick", "2026-04-30", None)]),
    ("inspection", [("submit", "2026-03-16", {}), ("accept", "2026-03-17", {}),
                    ("schedule_inspection", "2026-03-18", {}),
                    ("inspection_passed", "2026-03-20", {}), ("approve", "2026-03-23", {})]),
    ("inspection-failed", [("submit", "2026-03-16", {}), ("accept", "2026-03-17", {}),
                           ("schedule_inspection", "2026-03-18", {}),
                           ("inspection_failed", "2026-03-20", REASONS)]),
    ("reject-rectify", [("submit", "2026-03-16", {}), ("accept", "2026-03-17", {}),
                        ("reject", "2026-03-18", REASONS), ("rectify", "2026-03-19", {}),
                        ("resubmit", "2026-03-20", {})]),
    ("barred", [("submit", "2026-03-16", {}), ("accept", "2026-03-17", {}),
                ("find_false_information", "2026-03-18", {})]),
    ("change", [("submit", "2026-03-16", {}), ("accept", "2026-03-17", {}),
                ("approve", "2026-03-18", {}),
                ("report_change", "2026-03-20", {"changed_on": "2026-03-19"}),
                ("change_accepted", "2026-03-23", {})]),
    ("complaints", [("submit", "2026-03-16", {}), ("accept", "2026-03-17", {}),
                    ("approve", "2026-03-18", {}),
                    ("complaint", "2026-03-20", {"number": "13866751415"}),
                    ("complaint", "2026-03-21", {"number": "13866751415"}),
                    ("compliance_check_failed", "2026-03-23", {}), ("revoke", "2026-03-24", {})]),
    ("renewal", [("submit", "2026-03-16", {}), ("accept", "2026-03-17", {}),
                 ("approve", "2026-03-18", {}), ("submit_renewal", "2027-03-01", {}),
                 ("tick", "2027-06-01", None)]),
    ("expired", [("submit", "2026-03-16", {}), ("accept", "2026-03-17", {}),
                 ("approve", "2026-03-18", {}), ("tick", "2027-03-19", None)]),
    ("review-missed", [("submit", "2026-03-16", {}), ("accept", "2026-03-17", {}),
                       ("tick", "2026-06-30", None)]),
]


def events_of(path) -> list:
    out = []
    for ev, at, data in path:
        if ev == "tick":
            out.append({"tick": at})
        else:
            out.append({"type": ev, "actor": "officer-7", "at": at, "data": data})
    return out


def case_events_corpus() -> None:
    seeds: dict[str, str] = {}
    tokens: set[str] = {'"tick"', '"type"', '"actor"', '"at"', '"data"', '"expect_version"',
                        '"events"', '"application"', '"patch"'}
    for name, path in GD_PATHS:
        seeds[f"gd-{name}.json"] = dumps(events_of(path))
        for ev, _, data in path:
            tokens.add(f'"{ev}"')
            if data:
                json_tokens(data, tokens)
    # other examples, each through submit and review (their own regions' rules and workflows)
    for p in sorted((ROOT / "examples" / "applications").glob("*.json")):
        app = load(p)
        day = app.get("submitted_on", "2026-03-16")
        doc = {"application": app, "events": [
            {"type": "submit", "at": day}, {"type": "accept", "at": day},
            {"type": "schedule_inspection", "at": day}, {"type": "inspection_passed", "at": day},
            {"type": "approve", "at": day}]}
        seeds[f"example-{p.stem}.json"] = dumps(doc)
    write_corpus("case_events", seeds)
    write_dict("case_events", tokens)


def main() -> None:
    cel_corpora()
    application_corpus()
    ruleset_corpus()
    calendar_corpus()
    workflow_corpus()
    case_events_corpus()
    for folder in sorted((FUZZ / "corpus").iterdir()):
        files = list(folder.iterdir())
        size = sum(f.stat().st_size for f in files)
        digest = hashlib.sha256(b"".join(f.read_bytes() for f in sorted(files))).hexdigest()[:12]
        print(f"{folder.name}: {len(files)} files, {size} bytes, {digest}")


if __name__ == "__main__":
    main()
