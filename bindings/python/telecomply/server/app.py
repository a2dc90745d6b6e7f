"""The HTTP application: the JSON API under /v1, health, metrics and the OpenAPI document.

Errors are JSON ``{"error": {"code", "message", "json_path"?, "file"?}}`` with the library's
stable codes: a body that is not JSON 400, an application the schema refuses 422 (naming the
JSON path), a refused transition or a conflicting write 409, an unknown case or ruleset 404,
a missing or unknown token 401, a role too weak 403, a body over the limit 413.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import time
import uuid
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, AsyncIterator, Awaitable, Callable, Dict, List, Optional, Tuple, TypeVar

from fastapi import Depends, FastAPI, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client import generate_latest
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import _core
from .._paths import default_rulesets
from ..errors import Error, InputError
from ..screening import screen_calls
from .auth import LOCAL_ADMIN, Principal, Tokens
from .decision_log import DecisionLog, input_digest, verdict_entry
from .pages import add_pages
from .uploads import UploadTooLarge, save_screening_form

T = TypeVar("T")

# HTTP status by the library's error code (anything else: 500)
_STATUS = {
    "invalid_input": 422,
    "parse_error": 422,
    "compile_error": 422,
    "evaluation_error": 422,
    "limit_exceeded": 422,
    "not_found": 404,
    "transition_refused": 409,
    "conflict": 409,
    "usage_error": 400,
}


@dataclass
class Settings:
    """What a server serves. `store` is the case store's file (created when new); `rulesets`
    the rules folder (None: the shipped rules), `overlays` folders of ruleset versions layered
    over it (docs/rulesets.md, "Overlays"); `auth` a tokens file (None: no tokens, every
    request acts as the local admin, so the server must listen on loopback only);
    `decision_log` a JSON Lines file decisions are appended to (None: none); `max_body_bytes`
    bounds a request body; `now` fixes the store's clock (tests); `seal_key` is the Ed25519
    private key (PEM) POST /v1/seal signs with (None: sealing is off)."""

    store: "str | Path" = "cases.db"
    rulesets: Optional["str | Path"] = None
    overlays: Tuple["str | Path", ...] = ()
    auth: Optional["str | Path"] = None
    decision_log: Optional["str | Path"] = None
    max_body_bytes: int = 8 * 1024 * 1024
    max_batch: int = 10_000
    max_upload_bytes: int = 512 * 1024 * 1024
    now: Optional[str] = None
    seal_key: Optional["str | Path"] = None


class DuplicateKey(ValueError):
    """A key given twice in one object of a request body."""


def _no_duplicate_keys(pairs: List[Any]) -> Dict[str, Any]:
    # refused as the library refuses it in files: JSON readers would silently keep one
    out: Dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise DuplicateKey(f"the key {json.dumps(key, ensure_ascii=False)} appears twice in "
                               "its object (JSON readers would silently keep one of them)")
        out[key] = value
    return out


class HTTPProblem(Exception):
    """An error of the HTTP layer (not of the library), with its status and code."""

    def __init__(self, status: int, code: str, message: str, json_path: Optional[str] = None):
        super().__init__(message)
        self.status, self.code, self.json_path = status, code, json_path


_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
_SAFE = {"GET", "HEAD", "OPTIONS"}
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; " \
    "frame-ancestors 'none'"
_LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}


def _host_name(host: str) -> str:
    """The name of a Host header or of an Origin's authority, without the port."""
    if host.startswith("["):
        return host[: host.find("]") + 1]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _cross_site(request: Request, loopback_only: bool) -> Optional[str]:
    """Why a request is refused as cross-site, or None. A request that changes something must
    come from the server's own pages (its Origin, when the browser sends one, is the server's
    own host). Without tokens (loopback only) the Host must be a loopback name as well: a web
    page elsewhere that rebinds a DNS name to 127.0.0.1 reaches the server under that name."""
    host = request.headers.get("host", "")
    if loopback_only and _host_name(host) not in _LOOPBACK_HOSTS:
        return f"without --auth the server answers only to loopback names, not '{host}'"
    if request.method in _SAFE:
        return None
    origin = request.headers.get("origin")
    if origin is not None and origin != "null":
        authority = origin.split("://", 1)[-1]
        if authority != host:
            return f"a request from {origin} may not change anything here (cross-site)"
    elif origin == "null":
        return "a request from an opaque origin may not change anything here"
    return None


def _package_version() -> str:
    from importlib import metadata

    try:
        return metadata.version("telecomply")
    except metadata.PackageNotFoundError:  # the build tree
        return "0+build"


def _problem(status: int, code: str, message: str, **more: Any) -> JSONResponse:
    body: Dict[str, Any] = {"code": code, "message": message}
    body.update({k: v for k, v in more.items() if v is not None})
    return JSONResponse({"error": body}, status_code=status)


def create_app(settings: Settings) -> FastAPI:
    """The application for `settings`: opens the store and reads the rules and the tokens now,
    so that a bad file stops the server before it listens (InputError, NotFoundError)."""
    rulesets = str(settings.rulesets) if settings.rulesets is not None else default_rulesets()
    overlays = [str(o) for o in settings.overlays]
    engine = _core.Engine(rulesets, overlays=overlays)
    store = _core.CaseStore(str(settings.store), rulesets, settings.now, overlays=overlays)
    tokens = Tokens.load(settings.auth) if settings.auth is not None else None
    if settings.seal_key is not None and not os.access(settings.seal_key, os.R_OK):
        raise InputError(f"{settings.seal_key}: the seal key cannot be read")
    try:
        log = DecisionLog(settings.decision_log)
    except OSError as e:
        raise InputError(f"{settings.decision_log}: the decision log cannot be opened for "
                         f"appending: {e.strerror}") from None

    registry = CollectorRegistry()
    requests = Counter("telecomply_http_requests", "HTTP requests by route and status",
                       ["method", "route", "status"], registry=registry)
    latency = Histogram("telecomply_http_request_seconds", "HTTP request latency by route",
                        ["route"], registry=registry)
    decisions = Counter("telecomply_decisions", "Check decisions by outcome", ["decision"],
                        registry=registry)
    findings = Counter("telecomply_findings", "Findings of checks by code", ["code"],
                       registry=registry)
    events = Counter("telecomply_case_events", "Case events appended, by event", ["event"],
                     registry=registry)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        log.close()  # flushed line by line; fsynced when the server stops (SIGTERM)

    app = FastAPI(
        lifespan=lifespan,
        title="telecomply",
        version=_package_version(),
        description="Telemarketing-number whitelist compliance (电销卡白名单): checks, cases, "
        "screening.",
        # the docs page is rendered here (pages.py): Swagger UI would load from a CDN
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    # event names a metric label may take (any other is counted as "other")
    known_events = {t["event"] for t in _core.Workflow("CN", rulesets).transitions if t["event"]}

    # ------------------------------------------------------------------ plumbing
    @app.middleware("http")
    async def _measure(request: Request, call_next: Callable[[Request], Awaitable[Response]]):
        given = request.headers.get("x-request-id", "")
        # a client's request id is kept only when it is a plain token (it is logged)
        request.state.request_id = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        start = time.perf_counter()
        refused = _cross_site(request, tokens is None)
        if refused is not None:
            response: Response = _problem(403, "forbidden", refused)
        else:
            try:
                response = await call_next(request)
            except Exception as e:  # noqa: BLE001 - a bug: said as JSON, counted, not hidden
                response = _problem(500, "internal_error", f"{type(e).__name__}: {e}")
        route = request.scope.get("route")
        path = getattr(route, "path", "unmatched")
        method = request.method if request.method in _METHODS else "other"
        latency.labels(path).observe(time.perf_counter() - start)
        requests.labels(method, path, str(response.status_code)).inc()
        response.headers["X-Request-Id"] = request.state.request_id
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Content-Security-Policy"] = _CSP
        return response

    @app.exception_handler(RequestValidationError)
    async def _bad_request(request: Request, e: RequestValidationError) -> JSONResponse:
        first = e.errors()[0] if e.errors() else {}
        where = ".".join(str(x) for x in first.get("loc", ()))
        return _problem(422, "invalid_input", f"{where}: {first.get('msg', 'invalid')}",
                        json_path=where or None)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, e: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(e.status_code, "http_error")
        return _problem(e.status_code, code, str(e.detail))

    @app.exception_handler(Error)
    async def _library_error(request: Request, e: Error) -> JSONResponse:
        code = getattr(e, "code", "error")
        return _problem(_STATUS.get(code, 500), code, str(e),
                        json_path=getattr(e, "json_path", None) or None,
                        file=getattr(e, "file", None) or None)

    @app.exception_handler(HTTPProblem)
    async def _http_problem(request: Request, e: HTTPProblem) -> JSONResponse:
        return _problem(e.status, e.code, str(e), json_path=e.json_path)

    def principal(request: Request) -> Principal:
        if tokens is None:
            return LOCAL_ADMIN
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise HTTPProblem(401, "unauthorized", "send Authorization: Bearer <token>")
        who = tokens.find(token.strip())
        if who is None:
            raise HTTPProblem(401, "unauthorized", "unknown token")
        return who

    def role(needed: str) -> Callable[[Request], Principal]:
        def check(request: Request) -> Principal:
            who = principal(request)
            if not who.may(needed):
                raise HTTPProblem(403, "forbidden", f"{who.name} ({who.role}) may not do this: "
                                  f"it needs the {needed} role")
            return who
        return check

    async def body_json(request: Request) -> Any:
        """The request body as JSON, read at most max_body_bytes (413 beyond)."""
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > settings.max_body_bytes:
            raise HTTPProblem(413, "body_too_large",
                              f"the body is over {settings.max_body_bytes} bytes")
        chunks: List[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > settings.max_body_bytes:
                raise HTTPProblem(413, "body_too_large",
                                  f"the body is over {settings.max_body_bytes} bytes")
            chunks.append(chunk)
        raw = b"".join(chunks)
        try:
            return json.loads(raw, object_pairs_hook=_no_duplicate_keys)
        except RecursionError:
            raise HTTPProblem(400, "invalid_json", "the JSON body nests too deep") from None
        except DuplicateKey as e:
            raise HTTPProblem(422, "invalid_input", str(e)) from None
        except ValueError as e:
            raise HTTPProblem(400, "invalid_json", f"the body is not JSON: {e}") from None

    async def blocking(fn: Callable[[], T]) -> T:
        return await run_in_threadpool(fn)

    def object_at(data: Any, key: str, required: bool = True) -> Any:
        if not isinstance(data, dict):
            raise HTTPProblem(422, "invalid_input", "the body must be a JSON object", "$")
        if required and key not in data:
            raise HTTPProblem(422, "invalid_input", f"'{key}' is required", f"$.{key}")
        return data.get(key)

    def record_verdict(request: Request, who: Principal, app_json: Any, v: Dict[str, Any],
                       kind: str = "check") -> None:
        decisions.labels(v.get("decision", "")).inc()
        for f in v.get("findings", []):
            findings.labels(f.get("code", "")).inc()
        entry = {"kind": kind, "request_id": request.state.request_id, "actor": who.name,
                 "input_digest": input_digest(app_json)}
        entry.update(verdict_entry(v))
        log.write(entry)

    def record_event(request: Request, who: Principal, case_id: str, event: str,
                     summary: Optional[Dict[str, Any]], body: Any,
                     refused: Optional[Error] = None) -> None:
        """Logs an event's decision: the state it left the case in, or its refusal (the
        error's code and message: nothing was written)."""
        entry: Dict[str, Any] = {"kind": "event", "request_id": request.state.request_id,
                                 "actor": who.name, "input_digest": input_digest(body),
                                 "case_id": case_id, "event": event}
        if refused is not None:
            entry.update({"decision": "refused", "code": getattr(refused, "code", "error"),
                          "reason": str(refused), "findings": []})
        else:
            events.labels(event if event in known_events else "other").inc()
            entry.update({"decision": (summary or {}).get("state"),
                          "findings": [f.get("code") for f in (summary or {}).get("findings", [])]})
        log.write(entry)

    def error_json(e: Error, at: str) -> Dict[str, Any]:
        """A batch item's error, its JSON path within the request body."""
        out = {"code": getattr(e, "code", "error"), "message": str(e), "json_path": at}
        inner = getattr(e, "json_path", "") or ""
        if inner.startswith("$"):
            out["json_path"] = at + inner[1:]
        return {"error": out}

    # ------------------------------------------------------------------ routes
    @app.get("/healthz", summary="Liveness: the store opens and the rules are loaded")
    async def healthz() -> Dict[str, Any]:
        # no paths: the probe needs no token
        return {"ok": True, "version": app.version}

    @app.get("/metrics", summary="Prometheus metrics", response_class=Response)
    async def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    @app.get("/v1/rulesets", summary="The catalogue: ids, versions, effective dates, digests")
    async def list_rulesets(who: Principal = Depends(role("viewer"))) -> Dict[str, Any]:
        def read() -> List[Dict[str, Any]]:
            out = []
            # each version's own file (the base folder's or an overlay's) and the dates it is
            # in force, as the catalogue resolved them
            for info in engine.ruleset_versions():
                raw = Path(info["file"]).read_bytes()
                meta = json.loads(raw)
                out.append({"id": info["id"], "version": info["version"],
                            "effective_from": info["effective_from"],
                            "effective_to": info["effective_to"],
                            "extends": meta.get("extends"),
                            "file_digest": "sha256:" + hashlib.sha256(raw).hexdigest()})
            return out
        return {"rulesets": await blocking(read)}

    @app.post("/v1/check", summary="Check one application, or {\"applications\": [...]}")
    async def check(request: Request, who: Principal = Depends(role("viewer"))) -> Any:
        data = await body_json(request)
        if isinstance(data, dict) and set(data) == {"applications"}:
            apps = data["applications"]
            if not isinstance(apps, list):
                raise HTTPProblem(422, "invalid_input", "'applications' must be a list",
                                  "$.applications")
            if len(apps) > settings.max_batch:
                raise HTTPProblem(413, "batch_too_large",
                                  f"at most {settings.max_batch} applications a request")
            # an item is an object (a string is not read as JSON text here)
            objects = [a for a in apps if isinstance(a, dict)]
            checked = iter(await blocking(lambda: engine.check_many(objects, threads=1)))
            out: List[Any] = []
            for i, a in enumerate(apps):
                if not isinstance(a, dict):
                    out.append({"error": {"code": "invalid_input", "json_path":
                                          f"$.applications[{i}]",
                                          "message": "an application is a JSON object"}})
                    continue
                r = next(checked)
                if isinstance(r, Error):
                    out.append(error_json(r, f"$.applications[{i}]"))
                    continue
                v = r.to_dict()
                record_verdict(request, who, a, v)
                out.append(v)
            return {"verdicts": out}
        if not isinstance(data, dict):
            raise HTTPProblem(422, "invalid_input", "an application is a JSON object", "$")
        v = (await blocking(lambda: engine.check(data))).to_dict()
        record_verdict(request, who, data, v)
        return v

    @app.post("/v1/explain", summary="Check one application and say how each rule went")
    async def explain(request: Request, who: Principal = Depends(role("viewer"))) -> Any:
        data = await body_json(request)
        if not isinstance(data, dict):
            raise HTTPProblem(422, "invalid_input", "an application is a JSON object", "$")
        verdict = await blocking(lambda: engine.check(data, trace=True))
        v = verdict.to_dict()
        record_verdict(request, who, data, v, kind="explain")
        v["text"] = {"zh": verdict.to_text("zh"), "en": verdict.to_text("en")}
        return v

    @app.post("/v1/cases", status_code=201, summary="Open a case for an application")
    async def new_case(request: Request, who: Principal = Depends(role("officer"))) -> Any:
        data = await body_json(request)
        application = object_at(data, "application")
        at = object_at(data, "at", required=False)
        summary = await blocking(lambda: store.new(application, actor=who.name, at=at))
        log.write({"kind": "case", "request_id": request.state.request_id, "actor": who.name,
                   "input_digest": input_digest(application), "case_id": summary.get("id"),
                   "decision": summary.get("state"),
                   "findings": [f.get("code") for f in summary.get("findings", [])]})
        return summary

    @app.get("/v1/cases", summary="Cases, filtered by state, region, deadline")
    async def list_cases(state: Optional[str] = None, region: Optional[str] = None,
                         due_before: Optional[str] = None, overdue: bool = False,
                         who: Principal = Depends(role("viewer"))) -> Any:
        return {"cases": await blocking(lambda: store.list(
            state=state, region=region, due_before=due_before, overdue=overdue))}

    @app.get("/v1/cases/{case_id}", summary="One case")
    async def show_case(case_id: str, who: Principal = Depends(role("viewer"))) -> Any:
        return await blocking(lambda: store.show(case_id))

    @app.get("/v1/cases/{case_id}/history", summary="A case's events in order")
    async def case_history(case_id: str, who: Principal = Depends(role("viewer"))) -> Any:
        return {"events": await blocking(lambda: store.history(case_id))}

    @app.post("/v1/cases/{case_id}/events", summary="Append an event to a case")
    async def case_event(case_id: str, request: Request,
                         who: Principal = Depends(role("officer"))) -> Any:
        data = await body_json(request)
        event = object_at(data, "event")
        if not isinstance(event, str):
            raise HTTPProblem(422, "invalid_input", "'event' must be a string", "$.event")
        at = object_at(data, "at", required=False)
        if at is not None and not isinstance(at, str):
            raise HTTPProblem(422, "invalid_input", "'at' is a date or an RFC 3339 time", "$.at")
        extra = object_at(data, "data", required=False)
        expect = object_at(data, "expect_version", required=False)
        if expect is not None and (isinstance(expect, bool) or not isinstance(expect, int)
                                   or expect < 0):
            raise HTTPProblem(422, "invalid_input", "'expect_version' is a case version: a "
                              "whole number", "$.expect_version")
        if extra is not None and not isinstance(extra, dict):
            raise HTTPProblem(422, "invalid_input", "'data' must be an object", "$.data")
        if "actor" in data:
            raise HTTPProblem(422, "invalid_input",
                              "the actor is the token's name, not a field of the body", "$.actor")
        try:
            summary = await blocking(lambda: store.event(case_id, event, actor=who.name, at=at,
                                                         data=extra, expect_version=expect))
        except Error as e:
            record_event(request, who, case_id, event, None, data, refused=e)
            raise
        record_event(request, who, case_id, event, summary, data)
        return summary

    add_pages(app, store=store, engine=engine, settings=settings, rulesets=rulesets,
              find=lambda token: LOCAL_ADMIN if tokens is None else tokens.find(token),
              log_event=record_event, log_check=record_verdict)

    @app.post("/v1/calendars", summary="Import an official holiday arrangement (admin)")
    async def import_calendar(request: Request, dry_run: bool = False,
                              replace_official: bool = False,
                              who: Principal = Depends(role("admin"))) -> Any:
        """The body is a calendar file ({"name": "CN", "2027": {...}}, docs/calendars.md). When
        it is imported, the deadlines of open cases counted on the changed years are recounted
        (a recompute_deadlines event each, by the token's name)."""
        data = await body_json(request)
        with tempfile.TemporaryDirectory(prefix="telecomply-calendar-") as tmp:
            path = Path(tmp) / "calendar.json"
            path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
            report = await blocking(lambda: _core.import_calendar(
                str(path), rulesets, dry_run=dry_run, replace_official=replace_official))
        if not report.get("ok"):
            return JSONResponse(jsonable_encoder({"error": {
                "code": "invalid_input", "message": "the calendar was not imported",
                "problems": report.get("problems", [])}}), status_code=422)
        recomputed: List[Any] = []
        if not dry_run:
            recomputed = await blocking(lambda: store.recompute(actor=who.name))
            log.write({"kind": "calendar", "request_id": request.state.request_id,
                       "actor": who.name, "input_digest": input_digest(data),
                       "decision": "imported", "findings": [],
                       "cases": [r.get("case_id") or r.get("id") for r in recomputed]})
        return jsonable_encoder({"import": report, "recomputed": recomputed})

    @app.post("/v1/seal", summary="Seal the store: a signed checkpoint of every case (admin)")
    async def seal(request: Request, who: Principal = Depends(role("admin"))) -> Any:
        if settings.seal_key is None:
            raise HTTPProblem(409, "usage_error", "this server was started without --seal-key")
        document = await blocking(lambda: store.seal(str(settings.seal_key)))
        log.write({"kind": "seal", "request_id": request.state.request_id, "actor": who.name,
                   "input_digest": "", "decision": "sealed", "findings": [],
                   "root": document.get("root")})
        return document

    @app.post("/v1/screen", summary="Screen call records (CSV body, or a form upload)")
    async def screen(request: Request, limit: int = Query(10_000, ge=0),
                     who: Principal = Depends(role("viewer"))) -> Any:
        """Call records as the CSV body (Content-Type text/csv) or a multipart form with a
        `calls` file and an optional `refusals` file (CSV or JSON Lines), screened against
        the store's registry. Returns the summary and the rows with findings or errors (at
        most `limit`)."""
        with tempfile.TemporaryDirectory(prefix="telecomply-screen-") as tmp:
            calls = Path(tmp) / "calls.csv"
            refusals: Optional[Path] = None
            kind = request.headers.get("content-type", "")
            declared = request.headers.get("content-length")
            if declared is not None and declared.isdigit() and \
                    int(declared) > settings.max_upload_bytes:
                raise HTTPProblem(413, "body_too_large",
                                  f"the upload is over {settings.max_upload_bytes} bytes")
            if kind.startswith("multipart/form-data"):
                form = await request.form()
                try:
                    saved, refusals = await save_screening_form(form, Path(tmp),
                                                                settings.max_upload_bytes)
                except UploadTooLarge as e:
                    raise HTTPProblem(413, "body_too_large", str(e)) from None
                if saved is None:
                    raise HTTPProblem(422, "invalid_input", "the form needs a 'calls' file",
                                      "calls")
                calls = saved
            else:
                size = 0
                with open(calls, "wb") as out:
                    async for chunk in request.stream():
                        size += len(chunk)
                        if size > settings.max_upload_bytes:
                            raise HTTPProblem(413, "body_too_large", "the upload is over "
                                              f"{settings.max_upload_bytes} bytes")
                        out.write(chunk)
            result = await blocking(lambda: screen_calls(
                str(calls), store=str(settings.store), refusals=refusals, rulesets=rulesets))
            flagged = [r for r in result.rows.to_pylist() if r["codes"] or r["error"]]
            return {"summary": result.summary, "rows": flagged[:limit],
                    "truncated": len(flagged) > limit}

    return app
