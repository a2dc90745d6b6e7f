"""pandas views of verdicts, for analysts."""

from __future__ import annotations

from typing import Iterable, Sequence

__all__ = ["verdicts_to_frame", "findings_to_frame"]


def _pandas():
    try:
        import pandas as pd
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("verdicts_to_frame needs pandas: pip install 'telecomply[pandas]'") from e
    return pd


def verdicts_to_frame(verdicts: Iterable, *, lang: str = "en"):
    """One row per application.

    Columns: ``application, region, as_of, decision, ruleset, ruleset_version, blocking,
    warnings, info, unknowns, codes`` (the finding codes, ``;``-separated, blocking first) and
    ``obligations``. ``as_of`` is a datetime64 column; ``decision`` is categorical.
    """
    pd = _pandas()
    rows = []
    for v in verdicts:
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
            }
        )
    columns = ["application", "region", "as_of", "decision", "ruleset", "ruleset_version",
               "blocking", "warnings", "info", "unknowns", "codes", "obligations"]
    frame = pd.DataFrame(rows, columns=columns)
    frame["as_of"] = pd.to_datetime(frame["as_of"])
    frame["decision"] = pd.Categorical(frame["decision"],
                                       categories=["eligible", "ineligible", "needs_evidence"])
    return frame


def findings_to_frame(verdicts: Sequence | Iterable, *, lang: str = "en"):
    """One row per finding: ``application, region, as_of, decision, code, subject, severity,
    rule, message, remedy`` (message and remedy in ``lang``: "zh" or "en")."""
    pd = _pandas()
    rows = []
    for v in verdicts:
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
    frame = pd.DataFrame(rows, columns=columns)
    frame["as_of"] = pd.to_datetime(frame["as_of"])
    frame["severity"] = pd.Categorical(frame["severity"], categories=["blocking", "warning", "info"])
    return frame
