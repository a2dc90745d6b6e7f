"""The expression language: a subset of Google's Common Expression Language (CEL).

>>> from telecomply import cel
>>> cel.evaluate("x.size() > 2", {"x": [1, 2, 3]})
True
"""

from __future__ import annotations

import os
from typing import Any, Mapping, Optional, Union

from . import _core

__all__ = ["evaluate", "Type"]


class Type:
    """A CEL type value, e.g. the result of ``type(1)`` (``Type("int")``)."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Type) and other.name == self.name

    def __hash__(self) -> int:
        return hash(("cel.Type", self.name))

    def __repr__(self) -> str:
        return f"Type({self.name!r})"


def evaluate(
    expr: str,
    bindings: Optional[Mapping[str, Any]] = None,
    *,
    checked: bool = False,
    rulesets: Optional[Union[str, os.PathLike[str]]] = None,
) -> Any:
    """Compiles and evaluates ``expr`` once with ``bindings`` as its variables.

    Values map to Python as: int, float, str, bytes, bool, None, list, dict; timestamps as
    timezone-aware ``datetime.datetime`` (UTC), durations as ``datetime.timedelta``, dates as
    ``datetime.date``, times of day as ``datetime.time``.

    With ``checked=False`` (the default, CEL's unchecked evaluation) an unknown name or
    function is an evaluation error that ``||``/``&&`` may absorb; with ``checked=True`` it is
    a :class:`~telecomply.CompileError`, as when rulesets are loaded.

    The working-day functions (``add_working_days``, ``working_days_between``,
    ``is_working_day``) count on the calendars of ``rulesets`` (default: the shipped rulesets):

    >>> evaluate("add_working_days(date('2026-12-28'), 5, 'CN')")
    datetime.date(2027, 1, 5)

    Raises :class:`~telecomply.ParseError` / :class:`~telecomply.CompileError` for bad
    expressions, :class:`~telecomply.EvaluationError` when the result is an error value and
    :class:`~telecomply.LimitError` when a bound is reached.
    """
    return _core.cel_evaluate(
        expr, dict(bindings) if bindings is not None else None, checked,
        str(rulesets) if rulesets is not None else None)
