"""Charts of screening results, for analysts (matplotlib; docs/screening.md, "Plotting")."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Mapping

if TYPE_CHECKING:  # matplotlib is optional: only its types are needed here
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["plot_findings"]

#: the label of calls whose caller no registry entry knows (summary region "")
NOT_LISTED = "(not listed)"


def _summary(screening: Any) -> Mapping[str, Any]:
    summary = getattr(screening, "summary", screening)
    if not isinstance(summary, Mapping) or "by_day" not in summary:
        raise TypeError("plot_findings needs a telecomply.Screening (or its summary dict, with 'by_day'), "
                        f"not {type(screening).__name__}")
    return summary


def _day(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def plot_findings(screening: Any, ax: Axes | None = None, *, code: str | None = None) -> Figure:
    """Findings per day and region, as stacked bars (one colour per region), from
    ``screening.summary["by_day"]`` (a :class:`telecomply.Screening`, or its ``summary``).

    Without ``ax``: a new figure with one panel per finding code found (all panels share the days
    of the screening, from the first day with a finding to the last, days without one included).
    With ``ax``: one panel drawn on it, for ``code``, or for every code together when ``code`` is
    None (then a call with two findings counts twice: the bars count findings, not calls). A
    ``code`` without ``ax`` draws that code alone on a new figure. Calls of callers the registry
    never listed are the region "(not listed)".

    Returns the figure (``fig.savefig("findings.png")``). Draws on a figure of its own, never
    on pyplot's current one, so it works with any backend, Agg included. Needs matplotlib
    (``pip install 'telecomply[plot]'``)."""
    try:
        from matplotlib.figure import Figure
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("plot_findings needs matplotlib: pip install 'telecomply[plot]'") from e

    by_day = list(_summary(screening)["by_day"])
    # (code, day, region) -> calls
    cells: dict[tuple[str, dt.date, str], int] = {}
    for item in by_day:
        key = (str(item["code"]), _day(item["date"]), str(item.get("region") or "") or NOT_LISTED)
        cells[key] = cells.get(key, 0) + int(item["calls"])
    codes = sorted({c for c, _, _ in cells})
    if code is not None:
        from .errors import UsageError
        from .screening import CALL_FINDING_CODES

        if code not in CALL_FINDING_CODES:
            # a misspelt code would draw an empty chart, as if nothing had been found
            raise UsageError(f"plot_findings: {code!r} is not a finding code of call screening "
                             f"({', '.join(CALL_FINDING_CODES)})")
        codes = [code]
    regions = sorted({r for _, _, r in cells}, key=lambda r: (r == NOT_LISTED, r))
    days: list[dt.date] = []
    if cells:
        first, last = min(d for _, d, _ in cells), max(d for _, d, _ in cells)
        days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]

    if ax is not None:
        owner: Any = ax.figure
        while not isinstance(owner, Figure):  # a SubFigure: the figure it is part of
            owner = owner.figure
        fig = owner
        panels = [(ax, codes if code is None else [code])]
    else:
        n = max(1, len(codes))
        fig = Figure(figsize=(max(7.0, 0.6 * len(days) + 4), 2.4 * n + 1.0), layout="constrained")
        axes = fig.subplots(n, 1, sharex=True, squeeze=False)[:, 0]
        panels = [(a, [c]) for a, c in zip(axes, codes)] or [(axes[0], [])]

    colours = _colours(regions)
    x = list(range(len(days)))
    labels = [d.strftime("%m-%d\n%a") for d in days]
    drawn: dict[str, Any] = {}  # region -> a bar of its colour, for the legend
    for panel, panel_codes in panels:
        bottom = [0] * len(days)
        for region in regions:
            heights = [sum(cells.get((c, d, region), 0) for c in panel_codes) for d in days]
            if not any(heights):
                continue
            drawn[region] = panel.bar(x, heights, bottom=bottom, color=colours[region], label=region, width=0.8)
            bottom = [b + h for b, h in zip(bottom, heights)]
        title = panel_codes[0] if len(panel_codes) == 1 else "all findings"
        panel.set_title(title, fontsize=10, loc="left")
        panel.set_ylabel("calls" if len(panel_codes) == 1 else "findings")
        panel.set_xticks(x, labels, fontsize=8)
        if not any(bottom):
            panel.text(0.5, 0.5, "no findings", transform=panel.transAxes, ha="center", va="center",
                       color="0.5")
    if days:
        panels[-1][0].set_xlabel(f"local date (China Standard Time), {days[0].year}"
                                 + (f"-{days[-1].year}" if days[-1].year != days[0].year else ""))
    order = [r for r in regions if r in drawn]
    if ax is None:
        fig.suptitle("Call-record findings per day and region")
        if order:
            fig.legend([drawn[r] for r in order], order, loc="outside right upper", fontsize=8, frameon=False)
    elif order:  # inside the panel (the figure is the caller's), above the bars: headroom for it
        ax.set_ylim(top=ax.get_ylim()[1] * (1.1 + 0.08 * ((len(order) - 1) // 5 + 1)))
        ax.legend([drawn[r] for r in order], order, loc="upper left", ncols=min(5, len(order)), fontsize=8,
                  frameon=False)
    return fig


def _colours(regions: list[str]) -> dict[str, Any]:
    from matplotlib import colormaps

    palette = colormaps["tab10"]
    out: dict[str, Any] = {}
    for i, region in enumerate(regions):
        out[region] = "0.6" if region == NOT_LISTED else palette(i % 10)
    return out
