"""telecomply serve: the JSON API through an HTTP client (FastAPI's TestClient over httpx),
with the store's clock injected. Auth, errors by the library's codes, the decision log and
hostile bodies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the server extra: pip install 'telecomply[server]'")
pytest.importorskip("httpx", reason="FastAPI's TestClient needs httpx")

from fastapi.testclient import TestClient  # noqa: E402

from conftest import load  # noqa: E402
from telecomply.server import Settings, create_app  # noqa: E402
from telecomply.server.run import is_loopback, main  # noqa: E402

NOW = "2026-03-02T09:00:00+08:00"
VIEWER, OFFICER, ADMIN = "v" * 20, "o" * 20, "a" * 20


def client(tmp_path: Path, auth: bool = False, **more) -> TestClient:
    settings = Settings(store=tmp_path / "cases.db", now=NOW,
                        decision_log=tmp_path / "decisions.jsonl", **more)
    if auth:
        tokens = {VIEWER: {"name": "vera", "role": "viewer"},
                  OFFICER: {"name": "olga", "role": "officer"},
                  ADMIN: {"name": "ada", "role": "admin"}}
        (tmp_path / "auth.json").write_text(json.dumps({"tokens": tokens}))
        settings.auth = tmp_path / "auth.json"
    return TestClient(create_app(settings), base_url="http://127.0.0.1:8080")


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_health_catalogue_and_openapi(tmp_path):
    c = client(tmp_path)
    assert c.get("/healthz").json()["ok"] is True
    rulesets = c.get("/v1/rulesets").json()["rulesets"]
    cn = next(r for r in rulesets if r["id"] == "CN" and r["version"] == "2026.1")
    assert cn["effective_from"] and cn["file_digest"].startswith("sha256:")
    paths = c.get("/openapi.json").json()["paths"]
    assert {"/v1/check", "/v1/explain", "/v1/cases", "/v1/cases/{case_id}/events"} <= set(paths)
    assert c.get("/docs").status_code == 200


def test_check_one_and_a_batch_with_a_bad_item_in_place(tmp_path, engine):
    c = client(tmp_path)
    good, bad = load("gd-retail-eligible.json"), load("js-mvno-number-ineligible.json")
    r = c.post("/v1/check", json=good)
    assert r.status_code == 200 and r.headers["x-request-id"]
    assert r.json() == engine.check(good).to_dict()
    broken = dict(good, channel=7)
    r = c.post("/v1/check", json={"applications": [good, broken, bad]})
    verdicts = r.json()["verdicts"]
    assert verdicts[0]["decision"] == "eligible" and verdicts[2]["decision"] == "ineligible"
    assert verdicts[1]["error"]["code"] == "invalid_input"
    assert verdicts[1]["error"]["json_path"] == "$.applications[1].channel"


def test_errors_by_the_librarys_codes(tmp_path):
    c = client(tmp_path)
    r = c.post("/v1/check", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_json"
    r = c.post("/v1/check", json=[1, 2])
    assert r.status_code == 422 and r.json()["error"]["json_path"] == "$"
    r = c.post("/v1/check", json=dict(load("gd-retail-eligible.json"), channel=7))
    assert r.status_code == 422
    assert r.json()["error"] == {**r.json()["error"], "code": "invalid_input",
                                 "json_path": "$.channel"}
    assert c.get("/v1/cases/NOPE-1").status_code == 404
    assert c.get("/v1/cases/NOPE-1").json()["error"]["code"] == "not_found"


def test_explain_gives_the_trace_and_the_text(tmp_path):
    c = client(tmp_path)
    v = c.post("/v1/explain", json=load("gd-new-company-ineligible.json")).json()
    assert v["decision"] == "ineligible" and v["trace"]
    assert "COMPANY_TOO_NEW" in v["text"]["en"]


def test_cases_open_list_show_and_events(tmp_path):
    c = client(tmp_path, auth=True)
    r = c.post("/v1/cases", json={"application": load("gd-retail-eligible.json")},
               headers=bearer(OFFICER))
    assert r.status_code == 201
    case = r.json()
    assert case["state"] == "draft" and case["region"] == "CN-GD"
    listed = c.get("/v1/cases", params={"state": "draft", "region": "CN-GD"},
                   headers=bearer(VIEWER)).json()["cases"]
    assert [x["id"] for x in listed] == [case["id"]]
    assert c.get("/v1/cases", params={"state": "approved"}, headers=bearer(VIEWER)).json() == {
        "cases": []}
    # a refused transition: 409 with the library's code, nothing written
    r = c.post(f"/v1/cases/{case['id']}/events", json={"event": "approve"},
               headers=bearer(OFFICER))
    assert r.status_code == 409 and r.json()["error"]["code"] == "transition_refused"
    r = c.post(f"/v1/cases/{case['id']}/events", json={"event": "submit"},
               headers=bearer(OFFICER))
    assert r.status_code == 200 and r.json()["state"] != "draft"
    assert c.get(f"/v1/cases/{case['id']}", headers=bearer(VIEWER)).json()["state"] == r.json()[
        "state"]
    history = c.get(f"/v1/cases/{case['id']}/history", headers=bearer(VIEWER)).json()["events"]
    # the actor is the token's name, never a field the client sets
    assert [e["actor"] for e in history] == ["olga", "olga"]
    r = c.post(f"/v1/cases/{case['id']}/events", json={"event": "withdraw", "actor": "mallory"},
               headers=bearer(OFFICER))
    assert r.status_code == 422 and r.json()["error"]["json_path"] == "$.actor"
    r = c.post(f"/v1/cases/{case['id']}/events", json={"event": "withdraw", "expect_version": 1},
               headers=bearer(OFFICER))
    assert r.status_code == 409 and r.json()["error"]["code"] == "conflict"


def test_who_may_do_what(tmp_path):
    c = client(tmp_path, auth=True)
    app = {"application": load("gd-retail-eligible.json")}
    assert c.get("/v1/cases").status_code == 401
    assert c.get("/v1/cases", headers=bearer("x" * 20)).status_code == 401
    assert c.get("/v1/cases", headers={"Authorization": f"Basic {VIEWER}"}).status_code == 401
    assert c.get("/v1/cases", headers=bearer(VIEWER)).status_code == 200
    r = c.post("/v1/cases", json=app, headers=bearer(VIEWER))
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    assert c.post("/v1/cases", json=app, headers=bearer(ADMIN)).status_code == 201
    assert c.post("/v1/check", json=app["application"], headers=bearer(VIEWER)).status_code == 200
    # health and metrics need no token (probes and scrapers)
    assert c.get("/healthz").status_code == 200 and c.get("/metrics").status_code == 200


def test_bad_auth_files_stop_the_server_before_it_listens(tmp_path):
    import telecomply

    for text, where in [("{", "invalid JSON"), ('{"tokens": []}', "$"),
                        ('{"tokens": {"short": {"name": "a", "role": "viewer"}}}', "16"),
                        (json.dumps({"tokens": {"t" * 20: {"name": "a", "role": "root"}}}),
                         ".role")]:
        (tmp_path / "auth.json").write_text(text)
        with pytest.raises(telecomply.InputError, match=where.replace("$", r"\$")):
            create_app(Settings(store=tmp_path / "c.db", auth=tmp_path / "auth.json"))


def test_the_decision_log_masks_personal_data(tmp_path):
    c = client(tmp_path, auth=True)
    app = load("js-mvno-number-ineligible.json")
    c.post("/v1/check", json=app, headers=bearer(VIEWER))
    case = c.post("/v1/cases", json={"application": load("gd-retail-eligible.json")},
                  headers=bearer(OFFICER)).json()
    c.post(f"/v1/cases/{case['id']}/events", json={"event": "submit"}, headers=bearer(OFFICER))
    lines = [json.loads(x) for x in (tmp_path / "decisions.jsonl").read_text().splitlines()]
    assert [x["kind"] for x in lines] == ["check", "case", "event"]
    r = c.post(f"/v1/cases/{case['id']}/events", json={"event": "approve"}, headers=bearer(OFFICER))
    assert r.status_code == 409
    refused = json.loads((tmp_path / "decisions.jsonl").read_text().splitlines()[-1])
    assert refused["decision"] == "refused" and refused["code"] == "transition_refused"
    check = lines[0]
    assert check["actor"] == "vera" and check["decision"] == "ineligible"
    assert check["input_digest"].startswith("sha256:") and check["ruleset"]["digest"]
    assert check["findings"] and check["request_id"]
    text = (tmp_path / "decisions.jsonl").read_text()
    for n in app["numbers"]:  # numbers keep their first 3 digits only
        assert n["number"] not in text
    assert app["applicant"]["legal_representative"]["id_number"] not in text
    assert lines[2]["event"] == "submit" and lines[2]["case_id"] == case["id"]


def test_hostile_bodies_are_bounded(tmp_path):
    c = client(tmp_path, max_body_bytes=4096)
    r = c.post("/v1/check", content=b"[" * 5000, headers={"content-type": "application/json"})
    assert r.status_code == 413
    c = client(tmp_path)
    r = c.post("/v1/check", content=b"[" * 100000 + b"]" * 100000,
               headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_json"


def test_metrics_count_requests_decisions_and_findings(tmp_path):
    c = client(tmp_path)
    c.post("/v1/check", json=load("js-mvno-number-ineligible.json"))
    text = c.get("/metrics").text
    assert 'telecomply_decisions_total{decision="ineligible"} 1.0' in text
    assert "telecomply_findings_total{code=" in text
    assert 'telecomply_http_requests_total{method="POST",route="/v1/check",status="200"}' in text


def test_no_auth_means_loopback_only(capsys):
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("10.0.0.1")
    assert main(["--host", "0.0.0.0"]) == 2
    assert "needs --auth" in capsys.readouterr().err


def test_screen_call_records_against_the_stores_registry(tmp_path):
    calls = (Path(__file__).resolve().parents[2] / "examples" / "calls")
    c = client(tmp_path)
    csv = (calls / "calls.csv").read_bytes()
    r = c.post("/v1/screen", content=csv, headers={"content-type": "text/csv"})
    assert r.status_code == 200, r.text
    body = r.json()
    # an empty store registers no number: every caller is not whitelisted
    assert body["summary"]["rows"] == 4
    assert body["summary"]["by_code"].get("CALLER_NOT_WHITELISTED") == 4
    assert len(body["rows"]) == 4 and body["truncated"] is False
    r = c.post("/v1/screen", files={"calls": ("calls.csv", csv, "text/csv"),
                                    "refusals": ("refusals.csv",
                                                 (calls / "refusals.csv").read_bytes())},
               params={"limit": 1})
    assert r.status_code == 200 and len(r.json()["rows"]) == 1 and r.json()["truncated"]
    r = c.post("/v1/screen", content=b"who,when\n1,2\n", headers={"content-type": "text/csv"})
    assert r.status_code == 422 and "caller" in r.json()["error"]["message"]
    r = c.post("/v1/screen", files={"other": ("x.csv", b"a")})
    assert r.status_code == 422


def test_pages_queue_case_event_check_in_both_languages(tmp_path):
    c = client(tmp_path, auth=True)
    case = c.post("/v1/cases", json={"application": load("gd-retail-eligible.json")},
                  headers=bearer(OFFICER)).json()
    # a browser without the cookie is sent to sign in
    r = c.get("/cases", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert c.post("/login", data={"token": "nope"}).status_code == 401
    r = c.post("/login", data={"token": OFFICER}, follow_redirects=False)
    assert r.status_code == 303 and "telecomply_token" in r.headers["set-cookie"]
    assert "httponly" in r.headers["set-cookie"].lower()
    page = c.get("/cases?lang=en").text
    assert f'data-case="{case["id"]}"' in page and "Case queue" in page
    assert "案件队列" in c.get("/cases?lang=zh").text
    r = c.get("/cases?lang=en&region=CN-XX")  # an unknown region is said on the page
    assert r.status_code == 200 and 'class="error"' in r.text
    assert "<script" not in page and "http://" not in page and "https://" not in page
    page = c.get(f"/cases/{case['id']}?lang=en").text
    assert 'id="state">draft<' in page and "<option>submit</option>" in page
    r = c.post(f"/cases/{case['id']}/events?lang=en", data={"event": "submit", "note": "ok"})
    assert r.status_code == 200 and 'id="state">submitted<' in r.text and "Event appended." in r.text
    # requested items and complaint counts are on the case page
    c.post(f"/cases/{case['id']}/events?lang=en", data={"event": "accept"})
    r = c.post(f"/v1/cases/{case['id']}/events", headers=bearer(OFFICER), json={
        "event": "request_supplement", "data": {"items": ["materials.power_of_attorney"]}})
    assert r.status_code == 200, r.text
    page = c.get(f"/cases/{case['id']}?lang=zh").text
    assert 'id="requested"' in page and "materials.power_of_attorney" in page and "投诉" in page
    # a refused event (the supplement lacks what was requested) is said, nothing written
    r = c.post(f"/cases/{case['id']}/events?lang=en", data={"event": "supplement"})
    assert "still missing materials.power_of_attorney" in r.text
    # a refused event is said on the page, nothing written
    r = c.post(f"/cases/{case['id']}/events?lang=en", data={"event": "withdraw"})
    assert "refused" in r.text and 'id="state">supplement_requested<' in r.text
    # the check page: pasted JSON, its verdict and remedies; bad JSON said, not a crash
    r = c.post("/check?lang=en", data={"application": json.dumps(load("gd-new-company-ineligible.json"))})
    assert 'id="decision">Decision: ineligible' in r.text and "COMPANY_TOO_NEW" in r.text
    r = c.post("/check?lang=en", data={"application": "{oops"})
    assert r.status_code == 400 and "not JSON" in r.text
    # escaping: what a client wrote is shown as text
    r = c.post("/check?lang=en", data={"application": '{"id": "<script>x</script>"}'})
    assert "<script>x" not in r.text


def test_viewers_see_no_event_form_and_cannot_post_one(tmp_path):
    c = client(tmp_path, auth=True)
    case = c.post("/v1/cases", json={"application": load("gd-retail-eligible.json")},
                  headers=bearer(OFFICER)).json()
    c.post("/login", data={"token": VIEWER})
    assert 'id="append"' not in c.get(f"/cases/{case['id']}").text
    r = c.post(f"/cases/{case['id']}/events", data={"event": "submit"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert c.get(f"/v1/cases/{case['id']}", headers=bearer(VIEWER)).json()["state"] == "draft"


def test_screen_page_draws_findings_per_day(tmp_path):
    calls = Path(__file__).resolve().parents[2] / "examples" / "calls"
    c = client(tmp_path)
    r = c.post("/screen?lang=en", files={"calls": ("calls.csv", (calls / "calls.csv").read_bytes())})
    assert r.status_code == 200 and '<svg id="chart"' in r.text and "CALLER_NOT_WHITELISTED" in r.text
    (tmp_path / "small").mkdir()
    small = client(tmp_path / "small", max_upload_bytes=16)
    for url in ("/screen", "/v1/screen"):
        r = small.post(url, files={"calls": ("calls.csv", (calls / "calls.csv").read_bytes())})
        assert r.status_code == 413, url


def test_the_docs_page_works_offline(tmp_path):
    page = client(tmp_path).get("/docs").text
    assert "/v1/check" in page and "/v1/cases/{case_id}/events" in page
    assert "<script" not in page and "cdn" not in page.lower()


def test_admins_import_calendars_and_seal(tmp_path):
    import shutil

    import telecomply

    root = Path(__file__).resolve().parents[2]
    rulesets = tmp_path / "rulesets"
    shutil.copytree(root / "rulesets", rulesets)
    telecomply.generate_seal_key(tmp_path / "seal")
    c = client(tmp_path, auth=True, rulesets=rulesets, seal_key=tmp_path / "seal.pem")
    fixture = json.loads((root / "tests" / "data" / "calendars" /
                          "CN-2027-official-fixture.json").read_text(encoding="utf-8"))
    r = c.post("/v1/calendars", json=fixture, headers=bearer(OFFICER))
    assert r.status_code == 403
    r = c.post("/v1/calendars", params={"dry_run": "true"}, json=fixture, headers=bearer(ADMIN))
    assert r.status_code == 200 and r.json()["import"]["written"] is None
    r = c.post("/v1/calendars", json=fixture, headers=bearer(ADMIN))
    assert r.status_code == 200 and r.json()["import"]["written"].endswith("CN.json")
    r = c.post("/v1/calendars", json={"name": "CN", "2027": {"off": ["2027-01-01"]}},
               headers=bearer(ADMIN))
    assert r.status_code == 422 and r.json()["error"]["problems"][0]["json_path"] == "$.2027"
    c.post("/v1/cases", json={"application": load("gd-retail-eligible.json")},
           headers=bearer(OFFICER))
    assert c.post("/v1/seal", headers=bearer(OFFICER)).status_code == 403
    seal = c.post("/v1/seal", headers=bearer(ADMIN)).json()
    assert seal["format"] == "telecomply-seal/1" and seal["cases"]
    (tmp_path / "other").mkdir()
    without = client(tmp_path / "other", auth=True)
    assert without.post("/v1/seal", headers=bearer(ADMIN)).status_code == 409


def test_cross_site_requests_and_rebound_names_are_refused(tmp_path):
    """Without tokens any web page the officer opens could post to a loopback server: a
    request that changes something must come from the server's own origin, and the Host must
    be a loopback name (DNS rebinding)."""
    c = client(tmp_path)
    app = load("gd-retail-eligible.json")
    r = c.post("/v1/cases", json={"application": app}, headers={"Origin": "http://evil.example"})
    assert r.status_code == 403 and "cross-site" in r.json()["error"]["message"]
    r = c.post("/v1/check", json=app, headers={"Origin": "null"})
    assert r.status_code == 403
    assert c.get("/v1/cases", headers={"Host": "attacker.example"}).status_code == 403
    r = c.post("/v1/cases", json={"application": app},
               headers={"Origin": "http://127.0.0.1:8080"})
    assert r.status_code == 201  # the server's own pages
    assert c.get("/v1/cases").json()["cases"][0]["state"] == "draft"
    # pages refuse framing and fetch nothing from elsewhere
    page = c.get("/cases")
    assert page.headers["x-frame-options"] == "DENY"
    assert "default-src 'none'" in page.headers["content-security-policy"]


def test_bodies_and_parameters_of_the_wrong_shape_are_422_by_path(tmp_path):
    c = client(tmp_path)
    text = json.dumps(load("gd-retail-eligible.json"))
    twice = text.replace('"region": "CN-GD"', '"region": "CN-GD", "region": "CN-XX"', 1)
    assert twice != text
    r = c.post("/v1/check", content=twice, headers={"content-type": "application/json"})
    assert r.status_code == 422 and "appears twice" in r.json()["error"]["message"]
    case = c.post("/v1/cases", json={"application": load("gd-retail-eligible.json")}).json()
    for bad in ("2", 1.5, True, {}, -1):
        r = c.post(f"/v1/cases/{case['id']}/events", json={"event": "submit",
                                                           "expect_version": bad})
        assert r.status_code == 422 and r.json()["error"]["json_path"] == "$.expect_version"
    r = c.post("/v1/cases/X/events", json={"event": "submit", "at": 20260302})
    assert r.status_code == 422 and r.json()["error"]["json_path"] == "$.at"
    r = c.post("/v1/check", json={"applications": [load("gd-retail-eligible.json"), text, 7]})
    errors = [v["error"] for v in r.json()["verdicts"][1:]]
    assert [e["json_path"] for e in errors] == ["$.applications[1]", "$.applications[2]"]
    r = c.post("/v1/check", json={"applications": [dict(load("gd-retail-eligible.json"),
                                                        channel=7)]})
    assert r.json()["verdicts"][0]["error"]["json_path"] == "$.applications[0].channel"
    r = c.post("/v1/screen", params={"limit": -1}, content=b"caller\n",
               headers={"content-type": "text/csv"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_input"
    r = c.get("/v1/cases", params={"overdue": "maybe"})
    assert r.status_code == 422 and "error" in r.json()
    r = c.get("/no/such/page")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


def test_metrics_labels_stay_bounded(tmp_path):
    c = client(tmp_path)
    for method in ("XYZ1", "XYZ2", "X" * 300):
        c.request(method, "/nope")
    text = c.get("/metrics").text
    assert "XYZ1" not in text and "X" * 300 not in text and 'method="other"' in text


def test_the_log_masks_numbers_in_any_spelling_and_keeps_its_own_ids(tmp_path):
    c = client(tmp_path)
    app = load("js-mvno-number-ineligible.json")
    app["id"] = "2026-000123"
    app["numbers"][0]["number"] = "(+86)17051236789"
    r = c.post("/v1/check", json=app, headers={"X-Request-Id": "13800138000"})
    assert r.status_code == 200
    line = json.loads((tmp_path / "decisions.jsonl").read_text().splitlines()[-1])
    assert line["application"] == "2026-000123" and line["request_id"] == "13800138000"
    assert "17051236789" not in json.dumps(line) and "5123" not in json.dumps(line["subjects"])
    r = c.post("/v1/check", json=app, headers={"X-Request-Id": "bad id with spaces"})
    assert r.headers["x-request-id"] != "bad id with spaces"
    # the check page logs its checks too
    before = len((tmp_path / "decisions.jsonl").read_text().splitlines())
    c.post("/check", data={"application": json.dumps(app)})
    assert len((tmp_path / "decisions.jsonl").read_text().splitlines()) == before + 1


def test_bad_start_up_options_stop_before_listening(tmp_path, capsys):
    for bad in (["--port", "99999"], ["--limit-concurrency", "0"], ["--max-body", "-1"],
                ["--header-timeout", "0"]):
        with pytest.raises(SystemExit) as info:
            main(bad)
        assert info.value.code == 2, bad
    store = ["--store", str(tmp_path / "cases.db")]
    assert main(store + ["--decision-log", str(tmp_path)]) == 2
    assert "decision log cannot be opened" in capsys.readouterr().err
    assert main(store + ["--seal-key", str(tmp_path / "none.pem")]) == 2
    assert "seal key cannot be read" in capsys.readouterr().err


def test_overlays_serve_checks_cases_and_the_catalogue(tmp_path):
    # --overlay: the revision judges checks and cases; the catalogue names each version's own
    # file and the day the earlier version now ends
    overlay = Path(__file__).resolve().parents[2] / "examples" / "overlays" / "gd-2026.2"
    c = client(tmp_path, overlays=(overlay,))
    rulesets = c.get("/v1/rulesets").json()["rulesets"]
    gd = {r["version"]: r for r in rulesets if r["id"] == "CN-GD"}
    assert gd["2026.2"]["extends"] == "CN-GD@2026.1" and gd["2026.2"]["effective_to"] is None
    assert gd["2026.1"]["effective_to"] == "2026-06-30"
    app = load("gd-retail-eligible.json")
    app["submitted_on"] = "2026-07-06"
    app["materials"]["marketing_plan"]["daily_calls_per_number"] = 140
    v = c.post("/v1/check", json=app).json()
    assert v["ruleset"]["chain"] == ["CN@2026.1", "CN-GD@2026.1", "CN-GD@2026.2"]
    assert [f["code"] for f in v["findings"]] == ["DAILY_CALL_CAP_EXCEEDED"]
