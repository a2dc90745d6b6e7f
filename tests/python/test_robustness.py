"""Bad input never crashes: mutated applications give a verdict or a telecomply error."""

from __future__ import annotations

import copy
import json
import random
import subprocess
import sys

import telecomply

from conftest import EXAMPLES

ODD_VALUES = [None, True, 0, -1, 2**63, 1.5, float("inf"), "", "x" * 10_000, "2026-02-30", "24:00", "８",
              [], {}, [None], {"": None}, "\ud7ff", "13800138000" * 3]


def mutate(doc, rng):
    """Replaces, deletes or retypes one value somewhere in the document."""
    doc = copy.deepcopy(doc)
    node, parent, key = doc, None, None
    for _ in range(rng.randint(1, 6)):
        if isinstance(node, dict):
            children = list(node.items())
        elif isinstance(node, list):
            children = list(enumerate(node))
        else:
            break
        if not children:
            break
        k, child = rng.choice(children)
        parent, key = node, k
        if not isinstance(child, (dict, list)) or rng.random() < 0.3:
            break
        node = child
    if parent is None:
        return doc
    if isinstance(parent, dict) and rng.random() < 0.2:
        del parent[key]
    else:
        parent[key] = rng.choice(ODD_VALUES)
    return doc


def test_mutated_applications_never_crash(engine):
    rng = random.Random(20261128)
    apps = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(EXAMPLES.glob("*.json"))]
    outcomes = {"verdict": 0, "error": 0}
    for i in range(1500):
        doc = mutate(rng.choice(apps), rng)
        try:
            v = engine.check(doc)
            assert v.decision in ("eligible", "ineligible", "needs_evidence")
            outcomes["verdict"] += 1
        except telecomply.Error:
            outcomes["error"] += 1
    assert outcomes["verdict"] > 100 and outcomes["error"] > 100, outcomes


def test_mutated_bytes_through_the_command_line(tmp_path):
    rng = random.Random(7)
    lines = [json.dumps(json.loads(p.read_text(encoding="utf-8")), ensure_ascii=False)
             for p in sorted(EXAMPLES.glob("*.json"))]
    out = []
    for _ in range(2000):
        b = bytearray(rng.choice(lines).encode("utf-8"))
        for _ in range(rng.randint(1, 4)):
            pos = rng.randrange(len(b))
            op = rng.random()
            if op < 0.4:
                b[pos] = rng.randrange(256)
            elif op < 0.7:
                del b[pos:pos + rng.randint(1, 20)]
            else:
                b[pos:pos] = rng.choice([b"{", b"]", b'"', b"\\", b"\x00", b",", b"null"])
        out.append(bytes(b).replace(b"\n", b" "))
    batch = tmp_path / "fuzz.jsonl"
    batch.write_bytes(b"\n".join(out) + b"\n")
    r = subprocess.run([sys.executable, "-m", "telecomply", "check", "--format", "jsonl", str(batch)],
                       capture_output=True)
    assert r.returncode in (0, 1, 2), r.stderr[-2000:]
    # one line of output per input line, verdict or error, in order
    results = [json.loads(line) for line in r.stdout.decode("utf-8").splitlines()]
    assert len(results) == len(out)
    assert sum("error" in x for x in results) > 0
