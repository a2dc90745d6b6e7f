"""telecomply.plot_findings: findings per day and region from a screening's summary."""

from __future__ import annotations

import datetime as dt

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

import telecomply  # noqa: E402

BY_DAY = [
    {"date": "2026-03-16", "region": "CN-GD", "code": "OUTSIDE_CALLING_WINDOW", "calls": 4},
    {"date": "2026-03-16", "region": "CN-BJ", "code": "OUTSIDE_CALLING_WINDOW", "calls": 1},
    {"date": "2026-03-18", "region": "CN-GD", "code": "DAILY_CALL_CAP_EXCEEDED", "calls": 12},
    {"date": "2026-03-18", "region": "", "code": "CALLER_NOT_WHITELISTED", "calls": 3},
    {"date": "2026-03-18", "region": "CN-BJ", "code": "OUTSIDE_CALLING_WINDOW", "calls": 2},
]


def bar_totals(ax) -> dict[str, float]:
    """The height of each day's stack: x tick label (of the bottom panel, panels share their
    days) -> sum of its bars."""
    labels = [t.get_text() for t in ax.figure.axes[-1].get_xticklabels()]
    totals = [0.0] * len(labels)
    for patch in ax.patches:
        totals[round(patch.get_x() + patch.get_width() / 2)] += patch.get_height()
    return dict(zip(labels, totals))


def test_one_panel_per_code_stacked_by_region_over_every_day():
    fig = telecomply.plot_findings({"by_day": BY_DAY})
    titles = [ax.get_title(loc="left") for ax in fig.axes]
    assert titles == ["CALLER_NOT_WHITELISTED", "DAILY_CALL_CAP_EXCEEDED", "OUTSIDE_CALLING_WINDOW"]
    window = fig.axes[2]
    # three days: the one without findings (03-17) is drawn empty
    assert bar_totals(window) == {"03-16\nMon": 5.0, "03-17\nTue": 0.0, "03-18\nWed": 2.0}
    assert bar_totals(fig.axes[0]) == {"03-16\nMon": 0.0, "03-17\nTue": 0.0, "03-18\nWed": 3.0}
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["CN-BJ", "CN-GD", "(not listed)"]
    assert fig.axes[-1].get_xlabel() == "local date (China Standard Time), 2026"


def test_on_an_axes_every_code_together_or_one():
    fig, ax = plt.subplots()
    assert telecomply.plot_findings({"by_day": BY_DAY}, ax=ax) is fig
    assert bar_totals(ax) == {"03-16\nMon": 5.0, "03-17\nTue": 0.0, "03-18\nWed": 17.0}
    assert ax.get_ylabel() == "findings"
    fig2, ax2 = plt.subplots()
    telecomply.plot_findings({"by_day": BY_DAY}, ax=ax2, code="DAILY_CALL_CAP_EXCEEDED")
    assert bar_totals(ax2)["03-18\nWed"] == 12.0 and ax2.get_ylabel() == "calls"
    plt.close("all")


def test_dates_as_dates_a_screening_and_no_findings(tmp_path):
    class Screening:  # what plot_findings reads of a telecomply.Screening
        summary = {"by_day": [dict(item, date=dt.date.fromisoformat(item["date"])) for item in BY_DAY]}

    fig = telecomply.plot_findings(Screening())
    assert len(fig.axes) == 3
    fig.savefig(tmp_path / "f.png")
    assert (tmp_path / "f.png").read_bytes()[:4] == b"\x89PNG"
    empty = telecomply.plot_findings({"by_day": []})
    assert [t.get_text() for t in empty.axes[0].texts] == ["no findings"]
    with pytest.raises(TypeError, match="telecomply.Screening"):
        telecomply.plot_findings([1, 2])


def test_a_code_that_is_none_is_refused_not_drawn_empty():
    with pytest.raises(telecomply.UsageError, match="'OUTSIDE_WINDOW' is not a finding code"):
        telecomply.plot_findings({"by_day": BY_DAY}, code="OUTSIDE_WINDOW")
