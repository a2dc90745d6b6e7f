"""bench/compare_peers.py runs end to end on a stand-in comparison kit (the real one is not part
of the repository), and reports every figure and ratio."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def build_dir() -> Path | None:
    # the tests run from the build folder in CI (scripts/test.sh), from the repository by hand
    for d in (Path.cwd(), ROOT / "build"):
        if (d / "cli" / "telecomply").is_file() and (d / "bench" / "bench_check").is_file():
            return d
    return None


def stand_in_kit(folder: Path) -> Path:
    folder.mkdir()
    (folder / "gen_apps.py").write_text(textwrap.dedent(f"""
        import json, sys
        from pathlib import Path
        apps = [json.loads(p.read_text(encoding="utf-8"))
                for p in sorted(Path({str(ROOT / "examples" / "applications")!r}).glob("*.json"))]
        for i in range(int(sys.argv[1])):
            a = dict(apps[i % len(apps)], id=f"APP-{{i}}")
            print(json.dumps(a, ensure_ascii=False))
    """), encoding="utf-8")
    (folder / "handcoded.cpp").write_text(textwrap.dedent("""
        #include <fstream>
        #include <iostream>
        #include <string>
        int main(int, char** argv) {
            std::ifstream in(argv[1]);
            long n = 0;
            for (std::string l; std::getline(in, l);) n += !l.empty();
            std::cout << "{\\"apps\\":" << n << ",\\"apps_per_s_eval\\":1000000,"
                      << "\\"apps_per_s_parse_plus_eval\\":100000}" << std::endl;
        }
    """), encoding="utf-8")
    (folder / "rules_ref.py").write_text("def failures(a):\n    return [] if a.get('id') else ['R00']\n",
                                         encoding="utf-8")
    return folder


def test_the_comparison_runs_and_reports_every_ratio(tmp_path, monkeypatch):
    build = build_dir()
    if build is None:
        pytest.skip("the command line and bench_check are not built here")
    kit = stand_in_kit(tmp_path / "kit")
    monkeypatch.setenv("TELECOMPLY_BENCH_WORK", str(tmp_path / "work"))
    run = subprocess.run([sys.executable, str(ROOT / "bench" / "compare_peers.py"), str(kit), "--n", "40",
                          "--repeat", "1", "--build", str(build)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    figures = json.loads(run.stdout.splitlines()[-1])
    assert figures["applications"] == 40
    assert figures["handcoded_cpp"]["apps_per_s_parse_plus_eval"] == 100000
    assert set(figures["ratios"]) == {"check_jsonl_vs_handcoded_cpp", "check_jsonl_one_thread_vs_handcoded_cpp",
                                      "check_many_validated_vs_hand_written_python",
                                      "check_many_json_lines_vs_hand_written_python"}
    assert all(v > 0 for v in figures["ratios"].values())
    assert figures["telecomply_phases_one_thread"]["evaluate_us"] > 0


def test_a_kit_missing_a_file_is_refused_by_name(tmp_path):
    run = subprocess.run([sys.executable, str(ROOT / "bench" / "compare_peers.py"), str(tmp_path)],
                         capture_output=True, text=True)
    assert run.returncode == 2
    assert "gen_apps.py: no such file" in run.stderr
