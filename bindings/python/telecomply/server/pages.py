"""Web pages for case officers, in Chinese and English: the case queue, a case, checking an
application, screening call records. Plain server-rendered HTML (Jinja2, autoescaped), no
script and nothing fetched from elsewhere, so that they work offline. A browser signs in with
its token once (/login); the token is kept in an HttpOnly, SameSite=Strict cookie."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Optional, Tuple
from urllib.parse import quote, urlencode

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.concurrency import run_in_threadpool

from .. import _core
from ..errors import Error
from ..screening import screen_calls
from .auth import Principal
from .uploads import UploadTooLarge, is_file, save_screening_form

COOKIE = "telecomply_token"
ANONYMOUS = Principal("—", "viewer")  # shown on the pages that need no sign-in

TEXT: Dict[str, Dict[str, str]] = {
    "en": {
        "queue": "Case queue", "check": "Check an application", "screen": "Screen calls",
        "other_lang": "中文", "state": "State", "region": "Region", "any": "any",
        "due_before": "Due before", "overdue_only": "overdue only", "filter": "Filter",
        "case": "Case", "next_deadline": "Next deadline", "findings": "Findings",
        "overdue": "overdue", "provisional": "provisional (calendar not yet official)",
        "no_cases": "No cases match.", "ruleset": "Rules", "deadlines": "Deadlines",
        "remedy": "Remedy", "obligations": "Obligations", "requested": "Requested items",
        "complaints": "Complaints", "timeline": "Timeline", "append_event": "Append an event",
        "event": "Event", "note": "Note", "append": "Append", "paste": "Application (JSON)",
        "or_upload": "or upload a file", "decision": "Decision", "unknown": "Undecided",
        "calls_csv": "Call records (CSV)", "refusals": "Refusals (optional)",
        "findings_per_day": "Findings per day", "rows": "Rows", "flagged": "flagged",
        "bad_rows": "bad rows", "sign_in": "Sign in", "token": "Token",
        "appended": "Event appended.", "rejection_reasons": "Reasons for rejection",
        "number": "Number", "count": "Count", "dates": "Dates",
    },
    "zh": {
        "queue": "案件队列", "check": "检查申请", "screen": "话单筛查", "other_lang": "English",
        "state": "状态", "region": "地区", "any": "全部", "due_before": "截止日期早于",
        "overdue_only": "仅看逾期", "filter": "筛选", "case": "案件", "next_deadline": "最近期限",
        "findings": "问题", "overdue": "已逾期", "provisional": "暂定（日历尚未正式公布）",
        "no_cases": "没有符合条件的案件。", "ruleset": "规则", "deadlines": "期限",
        "remedy": "整改建议", "obligations": "义务", "requested": "要求补充的材料",
        "complaints": "投诉", "timeline": "时间线", "append_event": "添加事件", "event": "事件",
        "note": "备注", "append": "添加", "paste": "申请（JSON）", "or_upload": "或上传文件",
        "decision": "结论", "unknown": "待定", "calls_csv": "话单（CSV）",
        "refusals": "拒绝来电名单（可选）", "findings_per_day": "每日问题数", "rows": "行数",
        "flagged": "有问题", "bad_rows": "坏行", "sign_in": "登录", "token": "令牌",
        "appended": "事件已添加。", "rejection_reasons": "驳回理由", "number": "号码",
        "count": "次数", "dates": "日期",
    },
}

PALETTE = ["#e76f51", "#2a9d8f", "#e9c46a", "#264653", "#f4a261", "#8ab17d", "#b5838d"]

_templates = Environment(loader=PackageLoader("telecomply.server", "templates"),
                         autoescape=select_autoescape(["html"]))


def language(request: Request) -> str:
    lang = request.query_params.get("lang") or request.cookies.get("telecomply_lang") or ""
    if lang in TEXT:
        return lang
    accept = request.headers.get("accept-language", "")
    return "zh" if accept.lower().startswith("zh") else "en"


def deadlines_of(case: Dict[str, Any], today: str) -> List[Dict[str, Any]]:
    """A case's running deadlines, soonest first, each marked overdue when its day has
    passed."""
    out = []
    for name, d in (case.get("deadlines") or {}).items():
        if not isinstance(d, dict) or not d.get("due"):
            continue
        out.append({"name": name, "due": d["due"], "provisional": bool(d.get("provisional")),
                    "overdue": d["due"] < today})
    return sorted(out, key=lambda d: d["due"])


def findings_chart(by_day: List[Dict[str, Any]]) -> Dict[str, Any]:
    """Stacked bars of findings per day and code, as SVG geometry (no script)."""
    days = sorted({r["date"] for r in by_day})
    codes = sorted({r["code"] for r in by_day})
    colors = {c: PALETTE[i % len(PALETTE)] for i, c in enumerate(codes)}
    totals = {d: sum(r["calls"] for r in by_day if r["date"] == d) for d in days}
    top = max(totals.values(), default=1) or 1
    width, height, bar = max(320, 60 * len(days) + 40), 220, 36
    bars, labels = [], []
    for i, d in enumerate(days):
        x, y = 30 + i * 60, height - 30
        for c in codes:
            n = sum(r["calls"] for r in by_day if r["date"] == d and r["code"] == c)
            if not n:
                continue
            h = max(1, round((height - 60) * n / top))
            y -= h
            bars.append({"x": x, "y": y, "w": bar, "h": h, "color": colors[c],
                         "label": f"{d} {c}: {n}"})
        labels.append({"x": x, "y": height - 12, "text": d[5:]})
        labels.append({"x": x, "y": y - 4, "text": str(totals[d])})
    return {"width": width, "height": height, "bars": bars, "labels": labels, "colors": colors}


def add_pages(app: FastAPI, *, store: Any, engine: Any, settings: Any, rulesets: str,
              find: Callable[[str], Optional[Principal]], log_event: Callable[..., None],
              log_check: Callable[..., None]) -> None:
    """Registers the pages on `app`. `find` maps a token to its principal (None without
    tokens: every browser is the local admin)."""

    def render(request: Request, name: str, who: Principal, title: str, status: int = 200,
               **values: Any) -> HTMLResponse:
        lang = language(request)
        query = dict(request.query_params)
        query["lang"] = "en" if lang == "zh" else "zh"
        html = _templates.get_template(name).render(
            lang=lang, t=TEXT[lang], who=who, title=title,
            other_lang_query=urlencode(query), **values)
        response = HTMLResponse(html, status_code=status)
        response.set_cookie("telecomply_lang", lang, samesite="strict")
        return response

    def browser(request: Request, role: str = "viewer") -> Optional[Principal]:
        token = request.cookies.get(COOKIE, "")
        who = find(token)
        if who is None or not who.may(role):
            return None
        return who

    async def signed_in_form(request: Request) -> Tuple[Optional[Principal], Any]:
        """The principal of a browser posting a form, and the form (None, None: not signed
        in, to be sent to /login)."""
        who = browser(request)
        if who is None:
            return None, None
        return who, await request.form()

    def to_login(request: Request) -> Response:
        return RedirectResponse(f"/login?lang={language(request)}", status_code=303)

    def today() -> str:
        return store.now[:10]

    @app.get("/docs", include_in_schema=False)
    async def api_docs(request: Request) -> Response:
        """The API's operations from its OpenAPI document, rendered here (works offline)."""
        spec = app.openapi()
        operations = []
        for path, methods in spec.get("paths", {}).items():
            for method, op in methods.items():
                operations.append({"method": method.upper(), "path": path,
                                   "summary": op.get("summary", ""),
                                   "description": (op.get("description") or "").strip(),
                                   "parameters": op.get("parameters", [])})
        return render(request, "api_docs.html", ANONYMOUS, "API",
                      version=spec.get("info", {}).get("version", ""),
                      description=spec.get("info", {}).get("description", ""),
                      openapi=spec.get("openapi", ""), operations=operations)

    @app.get("/", include_in_schema=False)
    async def home(request: Request) -> Response:
        return RedirectResponse(f"/cases?lang={language(request)}", status_code=303)

    @app.get("/login", include_in_schema=False)
    async def login_page(request: Request) -> Response:
        return render(request, "login.html", ANONYMOUS, TEXT[language(request)]["sign_in"])

    @app.post("/login", include_in_schema=False)
    async def login(request: Request) -> Response:
        form = await request.form()
        token = str(form.get("token", ""))
        if find(token) is None:
            return render(request, "login.html", ANONYMOUS, "sign in", status=401,
                          message="unknown token", message_error=True)
        response = RedirectResponse(f"/cases?lang={language(request)}", status_code=303)
        response.set_cookie(COOKIE, token, httponly=True, samesite="strict")
        return response

    @app.get("/cases", include_in_schema=False)
    async def queue(request: Request, state: str = "", region: str = "", due_before: str = "",
                    overdue: bool = False) -> Response:
        who = browser(request)
        if who is None:
            return to_login(request)
        filters = {"state": state or None, "region": region.strip() or None,
                   "due_before": due_before or None, "overdue": overdue}
        try:
            cases = await run_in_threadpool(lambda: store.list(**filters))
            message = None
        except Error as e:
            cases, message = [], str(e)
        now = today()
        for c in cases:
            running = deadlines_of(c, now)
            c["next"] = running[0] if running else None
        try:
            states = _core.Workflow(region.strip() or "CN", rulesets).states
        except Error as e:  # an unknown region: the national states, and why
            states = _core.Workflow("CN", rulesets).states
            message = message or str(e)
        return render(request, "cases.html", who, TEXT[language(request)]["queue"],
                      cases=cases, filters=filters, states=states, message=message,
                      message_error=message is not None)

    @app.get("/cases/{case_id}", include_in_schema=False)
    async def case_page(request: Request, case_id: str, message: Optional[str] = None) -> Response:
        who = browser(request)
        if who is None:
            return to_login(request)
        try:
            case = await run_in_threadpool(lambda: store.show(case_id))
            history = await run_in_threadpool(lambda: store.history(case_id))
        except Error as e:
            return render(request, "base.html", who, case_id, status=404, message=str(e),
                          message_error=True)
        # the stored findings carry codes; their messages and remedies come from checking the
        # case's application again (with what the store knows), matched by code and subject
        try:
            full = await run_in_threadpool(lambda: store.case(case_id))
            again = await run_in_threadpool(
                lambda: store.check(full["application"], case_id=case_id).to_dict())
            words = {(f["code"], f.get("subject")): f for f in again.get("findings", [])}
            for f in case.get("findings", []):
                w = words.get((f.get("code"), f.get("subject"))) or next(
                    (x for (c, _), x in words.items() if c == f.get("code")), None)
                if w is not None:
                    f.setdefault("message", w.get("message"))
                    f.setdefault("remedy", w.get("remedy"))
        except Error:
            pass  # the codes alone, as stored
        workflow = _core.Workflow(case["region"], rulesets)
        events = [t["event"] for t in workflow.transitions
                  if case["state"] in t["from"] and t["event"] and not t.get("timer")]
        shown = TEXT[language(request)]["appended"] if message == "appended" else message
        return render(request, "case.html", who, case_id, case=case, history=history,
                      deadlines=deadlines_of(case, today()),
                      events=sorted(set(events)), may_act=who.may("officer"),
                      message=shown, message_error=message not in (None, "appended"))

    @app.post("/cases/{case_id}/events", include_in_schema=False)
    async def append_event(request: Request, case_id: str) -> Response:
        who = browser(request, "officer")
        if who is None:
            return to_login(request)
        form = await request.form()
        event = str(form.get("event", ""))
        note = str(form.get("note", "")).strip()
        data = {"note": note} if note else None
        try:
            summary = await run_in_threadpool(
                lambda: store.event(case_id, event, actor=who.name, data=data))
            log_event(request, who, case_id, event, summary, {"event": event, "data": data})
            result = "appended"
        except Error as e:
            log_event(request, who, case_id, event, None, {"event": event, "data": data},
                      refused=e)
            result = str(e)
        query = urlencode({"lang": language(request), "message": result})
        return RedirectResponse(f"/cases/{quote(case_id, safe='')}?{query}", status_code=303)

    def form_page(name: str) -> Callable[[Request], Awaitable[Response]]:
        """The empty form of a page (check, screen)."""

        async def page(request: Request) -> Response:
            who = browser(request)
            if who is None:
                return to_login(request)
            return render(request, f"{name}.html", who, TEXT[language(request)][name])

        return page

    app.add_api_route("/check", form_page("check"), methods=["GET"], include_in_schema=False)
    app.add_api_route("/screen", form_page("screen"), methods=["GET"], include_in_schema=False)

    @app.post("/check", include_in_schema=False)
    async def check_form(request: Request) -> Response:
        who, form = await signed_in_form(request)
        if who is None:
            return to_login(request)
        text = str(form.get("application", "") or "")
        upload = form.get("file")
        if is_file(upload):
            raw = await upload.read(settings.max_body_bytes + 1)
            if len(raw) > settings.max_body_bytes:
                return render(request, "check.html", who, "check", status=413,
                              message="the file is too large", message_error=True)
            text = raw.decode("utf-8", errors="replace")
        try:
            app_json = json.loads(text)
            verdict = await run_in_threadpool(lambda: engine.check(app_json).to_dict())
            log_check(request, who, app_json, verdict)
        except (ValueError, RecursionError) as e:
            return render(request, "check.html", who, "check", status=400, text=text,
                          message=f"not JSON: {e}", message_error=True)
        except Error as e:
            return render(request, "check.html", who, "check", status=422, text=text,
                          message=str(e), message_error=True)
        return render(request, "check.html", who, TEXT[language(request)]["check"],
                      text=text, verdict=verdict)


    @app.post("/screen", include_in_schema=False)
    async def screen_form(request: Request) -> Response:
        who, form = await signed_in_form(request)
        if who is None:
            return to_login(request)
        with tempfile.TemporaryDirectory(prefix="telecomply-screen-") as tmp:
            try:
                calls, refusals = await save_screening_form(form, Path(tmp),
                                                            settings.max_upload_bytes)
            except UploadTooLarge as e:
                return render(request, "screen.html", who, "screen", status=413, message=str(e),
                              message_error=True)
            if calls is None:
                return render(request, "screen.html", who, "screen", status=422,
                              message="choose a CSV file of call records", message_error=True)
            try:
                result = await run_in_threadpool(lambda: screen_calls(
                    str(calls), store=str(settings.store), refusals=refusals,
                    rulesets=rulesets))
            except Error as e:
                return render(request, "screen.html", who, "screen", status=422,
                              message=str(e), message_error=True)
        summary = result.summary
        return render(request, "screen.html", who, TEXT[language(request)]["screen"],
                      summary=summary, chart=findings_chart(summary.get("by_day", [])))
