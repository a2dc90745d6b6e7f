"""pandas views of verdicts, for analysts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, Union

from .errors import Error

if TYPE_CHECKING:  # pandas is optional: only its types are needed here
    import pandas

    from ._core import Verdict

__all__ = ["verdicts_to_frame", "findings_to_frame"]


def _pandas() -> Any:
    try:
        import pandas as pd
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("verdicts_to_frame needs pandas: pip install 'telecomply[pandas]'") from e
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
