"""CaseStore.registry() and CaseStore.import_complaints(): the registry of whitelisted numbers
and complaints from Python (docs/workflow.md, "The registry of whitelisted numbers" and
"Complaints"), and the worked example of those sections, run as written."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

import telecomply
from conftest import ROOT, load

GD = "GD-2026-0412"
NUMBER = "13866751415"  # the first number of gd-retail-eligible
CST = dt.timezone(dt.timedelta(hours=8))


def whitelisted_store(path: Path, approve_at: str = "2026-03-18") -> telecomply.CaseStore:
    store = telecomply.CaseStore(path)
    store.new(load("gd-retail-eligible.json"), at="2026-03-16")
    store.event(GD, "submit", at="2026-03-16")
    store.event(GD, "accept", at="2026-03-17")
    store.event(GD, "approve", at=approve_at)
    return store


def entry(registry: list, number: str, case: str = GD) -> dict:
    return next(e for e in registry if e["number"] == number and e["case"] == case)


def test_registry_intervals(tmp_path):
    store = whitelisted_store(tmp_path / "cases.db", "2026-03-18T14:30:00+08:00")
    store.event(GD, "compliance_check_failed", at=dt.datetime(2026, 4, 2, 10, 15, tzinfo=CST))
    store.event(GD, "reinstate", at=dt.date(2026, 4, 10))
    reg = store.registry()
    assert len(reg) == 11
    assert [e["number"] for e in reg] == sorted(e["number"] for e in reg)
    assert entry(reg, NUMBER) == {
        "number": NUMBER,
        "region": "CN-GD",
        "case": GD,
        "whitelisted": [
            ["2026-03-18T14:30:00+08:00", "2026-04-02T10:15:00+08:00"],
            ["2026-04-10T00:00:00+08:00", None],
        ],
    }
    assert entry(reg, "075722381234")["whitelisted"][1][1] is None  # the landline, canonical
    typed: list[telecomply.RegistryEntry] = reg
    assert typed[0]["case"] == GD


def test_registry_is_the_cli_output(tmp_path):
    store = whitelisted_store(tmp_path / "cases.db")
    run = subprocess.run([sys.executable, "-m", "telecomply", "case", "registry", "--store", store.path],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    lines = [json.loads(x) for x in run.stdout.splitlines()]
    assert lines == store.registry()
    assert list(json.loads(run.stdout.splitlines()[0])) == ["number", "region", "case", "whitelisted"]


def test_registry_of_a_store_that_does_not_replay(tmp_path):
    store = whitelisted_store(tmp_path / "cases.db")
    db = sqlite3_connect(store.path)
    db.executescript("DROP TRIGGER events_no_update; UPDATE events SET at = 'someday' WHERE seq = 2;")
    db.close()
    with pytest.raises(telecomply.IntegrityError, match="case GD-2026-0412: its history does not replay"):
        store.registry()


def sqlite3_connect(path: str):
    import sqlite3

    return sqlite3.connect(path)


def test_import_complaints_from_dicts(tmp_path):
    store = whitelisted_store(tmp_path / "cases.db")
    records = [
        {"number": "+86 138 6675 1415", "received_at": "2026-04-01T10:00:00+08:00", "source": "12321"},
        {"number": "13985106886", "received_at": dt.datetime(2026, 4, 2, 9, 0, tzinfo=CST)},
        {"number": "13800138000", "received_at": dt.date(2026, 4, 2)},
        {"number": "12345", "received_at": "2026-04-02"},
        {"received_at": "2026-04-02"},
        {"number": NUMBER, "received_at": dt.datetime(2026, 4, 3, 9, 0)},  # naive: no offset
        "not a record",
    ]
    report: telecomply.ComplaintReport = store.import_complaints(records, actor="analyst")
    assert [(a["case"], a["seq"], a["state"]) for a in report["applied"]] == [(GD, 5, "whitelisted"), (GD, 6, "whitelisted")]
    assert report["applied"][0]["number"] == NUMBER and report["applied"][0]["source"] == "12321"
    assert report["applied"][0]["json_path"] == "$[0]" and report["applied"][0]["line"] == 0
    assert report["applied"][1]["received_at"] == "2026-04-02T09:00:00+08:00"
    assert report["unmatched"][0]["reason"] == (
        "no case whitelisted 13800138000 at 2026-04-02 (no case in the store holds this number)")
    assert report["refused"] == [] and report["duplicates"] == []
    assert [(e["json_path"], e["line"]) for e in report["errors"]] == [
        ("$[3].number", 0), ("$[4].number", 0), ("$[5].received_at", 0), ("$[6]", 0)]
    assert "'12345' is not a valid phone number" in report["errors"][0]["message"]
    history = store.history(GD)
    assert history[4]["payload"] == {"number": NUMBER, "source": "12321"}
    assert history[4]["actor"] == "analyst"

    again = store.import_complaints(records[:3])
    assert again["applied"] == [] and [d["seq"] for d in again["duplicates"]] == [5, 6]
    assert len(store.history(GD)) == 6


def test_import_complaints_from_files_and_the_threshold(tmp_path):
    store = whitelisted_store(tmp_path / "cases.db")
    csv = tmp_path / "complaints.csv"
    csv.write_text("number,received_at,source\n" + "".join(
        f"{NUMBER},2026-04-0{d}T09:00:00+08:00,\"hotline, {d}\"\n" for d in range(1, 7)), encoding="utf-8")
    report = store.import_complaints(csv)
    assert [a["state"] for a in report["applied"]] == ["whitelisted"] * 4 + ["suspended"]
    assert [a["line"] for a in report["applied"]] == [2, 3, 4, 5, 6]
    assert report["unmatched"][0]["reason"].endswith("(GD-2026-0412 was suspended then)")
    assert store.show(GD)["state"] == "suspended"
    # the same records as JSON Lines, by path: already recorded
    jsonl = tmp_path / "complaints.jsonl"
    jsonl.write_text("".join(json.dumps({"number": NUMBER, "received_at": f"2026-04-0{d}T09:00:00+08:00"}) + "\n"
                             for d in range(1, 6)), encoding="utf-8")
    assert len(store.import_complaints(str(jsonl))["duplicates"]) == 5
    # a complaint dated before the case's last event: refused
    late = store.import_complaints([{"number": "13985106886", "received_at": "2026-04-04"}])
    assert "before the case's last event" in late["refused"][0]["reason"]
    with pytest.raises(telecomply.InputError, match="header must name the columns"):
        (tmp_path / "bad.csv").write_text("phone,date\n", encoding="utf-8")
        store.import_complaints(tmp_path / "bad.csv")
    with pytest.raises(telecomply.InputError):
        store.import_complaints(tmp_path / "missing.csv")
    with pytest.raises(telecomply.InputError, match="list of objects"):
        store.import_complaints({"number": NUMBER})  # type: ignore[arg-type]


# ---- the worked example of docs/workflow.md, run as written

WORKFLOW_MD = ROOT / "docs" / "workflow.md"


def example_section(title: str) -> str:
    text = WORKFLOW_MD.read_text(encoding="utf-8")
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end != -1 else len(text)]


def sessions(section: str):
    """The commands of a section's worked example, in order: each line of a ```sh block (its
    output not shown: None), and each `$ command` of a ```console block with the lines shown
    under it."""
    example = section[section.index("Worked example"):]
    for kind, block in re.findall(r"```(sh|console)\n(.*?)```", example, re.S):
        if kind == "sh":
            for line in block.splitlines():
                if line.strip():
                    yield line, None
            continue
        command, output = None, []
        for line in block.splitlines():
            if line.startswith("$ "):
                if command is not None:
                    yield command, output
                command, output = line[2:], []
            else:
                output.append(line)
        if command is not None:
            yield command, output


@pytest.mark.parametrize("title", ["The registry of whitelisted numbers", "Complaints"])
def test_the_worked_example_runs_as_written(tmp_path, title):
    section = example_section(title)
    files = re.findall(r"`([\w.-]+)`:\n\n```\w*\n(.*?)```", section, re.S)
    for name, text in files:
        (tmp_path / name).write_text(text, encoding="utf-8")
    # the package under test, wherever it is (a build tree named relative to the cwd included)
    package = str(Path(telecomply.__file__).resolve().parent.parent)
    env = dict(os.environ, TELECOMPLY_NOW="2026-12-31T12:00:00+08:00",
               PYTHONPATH=os.pathsep.join([package, os.environ.get("PYTHONPATH", "")]))
    ran = 0
    # the complaints' example runs on the store the registry's example builds
    commands = list(sessions(example_section("The registry of whitelisted numbers")))
    if title == "Complaints":
        commands = [(c, None) for c, _ in commands] + list(sessions(section))
    for command, expected in commands:
        argv = shlex.split(command, comments=True)
        assert argv[0] == "telecomply", command
        argv = [a.replace("examples/", str(ROOT / "examples") + "/") for a in argv[1:]]
        run = subprocess.run([sys.executable, "-m", "telecomply", *argv], capture_output=True,
                             text=True, cwd=tmp_path, env=env)
        assert run.returncode in (0, 1, 2) and run.stdout, command + "\n" + run.stderr
        if expected is None:
            continue
        ran += 1
        shown = [line for line in expected if line and line != "..."]
        got = run.stdout.splitlines()
        if "..." in expected:  # an excerpt: the lines shown, in order
            it = iter(got)
            assert all(any(line == g for g in it) for line in shown), command + "\n" + run.stdout
        else:
            assert got == shown, command + "\n" + run.stdout
    assert ran >= 1
