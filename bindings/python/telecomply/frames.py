"""pandas views of verdicts and of a case store's durations, for analysts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, Mapping, Union

from .errors import Error

if TYPE_CHECKING:  # pandas is optional: only its types are needed here
    import pandas

    from ._core import Verdict

__all__ = ["verdicts_to_frame", "findings_to_frame", "visits_to_frame", "durations_to_frame",
           "sla_breaches_to_frame", "waiting_to_frame"]


def _pandas() -> Any:
    try:
        import pandas as pd
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("telecomply's DataFrames need pandas: pip install 'telecomply[pandas]'") from e
    return pd


def verdicts_to_frame(
    verdicts: Iterable[Union[Verdict, Error]], *, lang: str = "en"
) -> pandas.DataFrame:
    """One row per application: what ``Engine.check_many`` returns, errors included.

    Columns: ``application, region, as_of, decision, ruleset, ruleset_version, blocking,
    warnings, info, unknowns, codes`` (the finding codes, ``;``-separated, blocking first),
    ``obligations`` and ``error``. ``as_of`` is a datetime64 column; ``decision`` is
    categorical. An application that could not be checked (a :class:`telecomply.Error` in
    place of its verdict) keeps its row: ``error`` holds the error's message and the verdict's
    columns are missing (``decision`` NaN); ``error`` is None on the other rows.
    """
    pd = _pandas()
    rows: list[dict[str, Any]] = []
    for v in verdicts:
        if isinstance(v, Error):
            rows.append({"error": str(v)})
            continue
        findings = v.findings
        rows.append(
            {
                "application": v.application,
                "region": v.region,
                "as_of": v.as_of,
                "decision": v.decision,
                "ruleset": v.ruleset["id"],
                "ruleset_version": v.ruleset["version"],
                "blocking": sum(f.severity == "blocking" for f in findings),
                "warnings": sum(f.severity == "warning" for f in findings),
                "info": sum(f.severity == "info" for f in findings),
                "unknowns": len(v.unknowns),
                "codes": ";".join(f.code for f in findings),
                "obligations": ";".join(o.code for o in v.obligations),
                "error": None,
            }
        )
    columns = ["application", "region", "as_of", "decision", "ruleset", "ruleset_version",
               "blocking", "warnings", "info", "unknowns", "codes", "obligations", "error"]
    frame: pandas.DataFrame = pd.DataFrame(rows, columns=columns)
    frame["as_of"] = pd.to_datetime(frame["as_of"])
    frame["decision"] = pd.Categorical(frame["decision"],
                                       categories=["eligible", "ineligible", "needs_evidence"])
    return frame


def findings_to_frame(
    verdicts: Iterable[Union[Verdict, Error]], *, lang: str = "en"
) -> pandas.DataFrame:
    """One row per finding: ``application, region, as_of, decision, code, subject, severity,
    rule, message, remedy`` (message and remedy in ``lang``: "zh" or "en"). Errors in place of
    verdicts (``Engine.check_many``) have no findings: they add no row."""
    pd = _pandas()
    rows = []
    for v in verdicts:
        if isinstance(v, Error):
            continue
        for f in v.findings:
            rows.append(
                {
                    "application": v.application,
                    "region": v.region,
                    "as_of": v.as_of,
                    "decision": v.decision,
                    "code": f.code,
                    "subject": f.subject,
                    "severity": f.severity,
                    "rule": f.rule,
                    "message": f.message.get(lang, ""),
                    "remedy": f.remedy.get(lang, ""),
                }
            )
    columns = ["application", "region", "as_of", "decision", "code", "subject", "severity",
               "rule", "message", "remedy"]
    frame: pandas.DataFrame = pd.DataFrame(rows, columns=columns)
    frame["as_of"] = pd.to_datetime(frame["as_of"])
    frame["severity"] = pd.Categorical(frame["severity"], categories=["blocking", "warning", "info"])
    return frame


# ---- a case store's durations (CaseStore.time_in_state(), durations(), sla_breaches(); the
# rows are those of CaseStore.durations_report())

_VISIT_COLUMNS = ["case_id", "region", "state", "entered_on", "left_on", "working_days", "open",
                  "entered_by", "left_by", "provisional"]


def visits_to_frame(visits: Iterable[Mapping[str, Any]]) -> pandas.DataFrame:
    """One row per visit of a case to a state (``durations_report()["visits"]``): ``case_id,
    region, state, entered_on, left_on, working_days, open, entered_by, left_by, provisional``.
    ``entered_on`` and ``left_on`` are datetime64 (``left_on`` NaT while open); ``working_days``
    is a nullable integer (<NA> when the calendar does not cover the days); ``provisional`` is
    True when the count crossed a provisional calendar year."""
    pd = _pandas()
    rows = [
        {
            "case_id": v["case_id"],
            "region": v["region"],
            "state": v["state"],
            "entered_on": v["entered_on"],
            "left_on": v["left_on"],
            "working_days": v["working_days"],
            "open": v["open"],
            "entered_by": v["entered_by"],
            "left_by": v["left_by"],
            "provisional": bool(v["provisional_years"]),
        }
        for v in visits
    ]
    frame: pandas.DataFrame = pd.DataFrame(rows, columns=_VISIT_COLUMNS)
    frame["entered_on"] = pd.to_datetime(frame["entered_on"])
    frame["left_on"] = pd.to_datetime(frame["left_on"])
    frame["working_days"] = frame["working_days"].astype("Int64")
    frame["open"] = frame["open"].astype(bool)
    frame["provisional"] = frame["provisional"].astype(bool)
    return frame


def durations_to_frame(states: Iterable[Mapping[str, Any]]) -> pandas.DataFrame:
    """One row per region and state (``durations_report()["states"]``): ``region, state,
    visits, open, counted, median, p90, max``; median, p90 and max (working days of the closed
    visits, percentiles by linear interpolation as numpy's default) are NaN when no visit was
    closed."""
    pd = _pandas()
    columns = ["region", "state", "visits", "open", "counted", "median", "p90", "max"]
    frame: pandas.DataFrame = pd.DataFrame([{c: s[c] for c in columns} for s in states],
                                           columns=columns)
    for c in ("median", "p90", "max"):
        frame[c] = frame[c].astype("float64")
    return frame


def sla_breaches_to_frame(timers: Iterable[Mapping[str, Any]]) -> pandas.DataFrame:
    """One row per region and timer counted in working days (``durations_report()["timers"]``):
    ``region, timer, kind, raises, breached, on_time, running`` (numbers of cases)."""
    pd = _pandas()
    columns = ["region", "timer", "kind", "raises", "breached", "on_time", "running"]
    frame: pandas.DataFrame = pd.DataFrame([{c: t[c] for c in columns} for t in timers],
                                           columns=columns)
    return frame


def waiting_to_frame(waiting: Iterable[Mapping[str, Any]]) -> pandas.DataFrame:
    """One row per open case (``durations_report()["waiting"]``), longest wait first: ``case_id,
    region, state, since`` (datetime64) and ``working_days`` waited so far."""
    pd = _pandas()
    columns = ["case_id", "region", "state", "since", "working_days"]
    frame: pandas.DataFrame = pd.DataFrame([{c: w[c] for c in columns} for w in waiting],
                                           columns=columns)
    frame["since"] = pd.to_datetime(frame["since"])
    frame["working_days"] = frame["working_days"].astype("Int64")
    return frame
