#!/usr/bin/env python3
"""The check path beside other engines, on one corpus, in one run: the figures and their ratios.

    python bench/compare_peers.py PEERS_DIR [--n 20000] [--seed 7] [--build build] [--repeat 3]

PEERS_DIR holds the comparison kit the project is measured against (a corpus generator
``gen_apps.py``, hand-written C++ over nlohmann/json ``handcoded.cpp``, hand-written Python
``rules_ref.py``); it is not part of this repository. The script

1. generates the corpus (``gen_apps.py N SEED``) into a cache folder;
2. builds and runs ``handcoded.cpp`` (g++ -O2, parse + 20 rules, one thread);
3. runs ``bench_check`` (each phase of the pipeline on one thread, the full shipped chain);
4. times ``telecomply check CORPUS --format jsonl`` end to end, full validation, the full
   shipped chain, default threads and ``--threads 1`` (best of ``--repeat``);
5. in this process: ``Engine.check_many`` over the corpus as dicts (validated and not) and as
   JSON text lines, beside ``rules_ref.failures`` over the same dicts;

and prints one JSON line with every figure and the ratios (telecomply over the peer). Run it
with the project's Python (the telecomply package importable, e.g. ``PYTHONPATH=build/python``).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def sig(x: float) -> float:
    """Three significant digits."""
    return float(f"{x:.3g}")


def best_of(repeat, fn):
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("peers", type=Path, help="the comparison kit's folder (gen_apps.py, handcoded.cpp, rules_ref.py)")
    ap.add_argument("--n", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--build", type=Path, default=ROOT / "build")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    for f in ("gen_apps.py", "handcoded.cpp", "rules_ref.py"):
        if not (args.peers / f).is_file():
            print(f"compare_peers: {args.peers / f}: no such file (PEERS_DIR must hold {f})", file=sys.stderr)
            return 2
    cli = args.build / "cli" / "telecomply"
    bench_check = args.build / "bench" / "bench_check"
    for exe in (cli, bench_check):
        if not exe.is_file():
            print(f"compare_peers: {exe}: not built (build the project into {args.build})", file=sys.stderr)
            return 2

    work = Path(os.environ.get("TELECOMPLY_BENCH_WORK", Path(tempfile.gettempdir()) / "telecomply-bench"))
    work.mkdir(parents=True, exist_ok=True)
    corpus = work / f"apps-{args.n}-{args.seed}.jsonl"
    if not corpus.is_file() or corpus.stat().st_size == 0:
        with open(corpus, "w", encoding="utf-8") as out:
            subprocess.run([sys.executable, str(args.peers / "gen_apps.py"), str(args.n), str(args.seed)],
                           stdout=out, check=True)
    n = sum(1 for line in open(corpus, encoding="utf-8") if line.strip())

    # the hand-written C++ peer
    handcoded = work / "handcoded"
    if not handcoded.is_file() or handcoded.stat().st_mtime < (args.peers / "handcoded.cpp").stat().st_mtime:
        subprocess.run(["g++", "-O2", "-std=c++17", str(args.peers / "handcoded.cpp"), "-o", str(handcoded)], check=True)
    hc_runs = [json.loads(subprocess.run([str(handcoded), str(corpus)], capture_output=True, text=True,
                                         check=True).stdout) for _ in range(args.repeat)]
    hc = max(hc_runs, key=lambda r: r["apps_per_s_parse_plus_eval"])

    # telecomply, phase by phase (best of the runs, phase by phase)
    phases = [json.loads(subprocess.run([str(bench_check), str(corpus)], capture_output=True, text=True,
                                        check=True).stdout) for _ in range(args.repeat)]
    phase = {k: max(p[k] for p in phases) for k in ("parse_per_s", "validate_per_s", "evaluate_per_s",
                                                   "output_per_s", "end_to_end_per_s")}
    phase["evaluate_us"] = min(p["evaluate_us"] for p in phases)

    # telecomply check, end to end
    def run_check(*extra):
        with open(os.devnull, "wb") as sink:
            r = subprocess.run([str(cli), "check", str(corpus), "--format", "jsonl", *extra], stdout=sink)
        if r.returncode not in (0, 1):
            raise SystemExit(f"compare_peers: telecomply check exited {r.returncode}")

    cli_all = n / best_of(args.repeat, run_check)
    cli_one = n / best_of(args.repeat, lambda: run_check("--threads", "1"))

    # Python, in this process
    import telecomply

    spec = importlib.util.spec_from_file_location("rules_ref", args.peers / "rules_ref.py")
    rules_ref = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(rules_ref)
    lines = [line for line in open(corpus, encoding="utf-8").read().splitlines() if line.strip()]
    dicts = [json.loads(line) for line in lines]
    engine = telecomply.Engine()
    engine.check_many(dicts[:2000])  # compile the rulesets first
    py = {
        "hand_written_loop": n / best_of(args.repeat, lambda: [rules_ref.failures(a) for a in dicts]),
        "check_many_dicts_validated": n / best_of(args.repeat, lambda: engine.check_many(dicts)),
        "check_many_dicts_unvalidated": n / best_of(args.repeat, lambda: engine.check_many(dicts, validate=False)),
        "check_many_json_lines": n / best_of(args.repeat, lambda: engine.check_many(lines)),
    }

    hc_rate = hc["apps_per_s_parse_plus_eval"]
    out = {
        "bench": "compare_peers",
        "applications": n,
        "corpus_bytes": corpus.stat().st_size,
        "cpus": os.cpu_count(),
        "handcoded_cpp": {"apps_per_s_parse_plus_eval": hc_rate, "apps_per_s_eval": hc["apps_per_s_eval"]},
        "telecomply_phases_one_thread": {k: round(v, 2) if k == "evaluate_us" else round(v) for k, v in phase.items()},
        "telecomply_check_jsonl": {"apps_per_s_default_threads": round(cli_all), "apps_per_s_one_thread": round(cli_one)},
        "python_apps_per_s": {k: round(v) for k, v in py.items()},
        "ratios": {
            "check_jsonl_vs_handcoded_cpp": sig(cli_all / hc_rate),
            "check_jsonl_one_thread_vs_handcoded_cpp": sig(cli_one / hc_rate),
            "check_many_validated_vs_hand_written_python": sig(py["check_many_dicts_validated"] / py["hand_written_loop"]),
            "check_many_json_lines_vs_hand_written_python": sig(py["check_many_json_lines"] / py["hand_written_loop"]),
        },
    }
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
