"""telecomply.cel.evaluate: values, errors and limits."""

from __future__ import annotations

import datetime as dt

import pytest

import telecomply
from telecomply import cel


def test_values_round_trip():
    assert cel.evaluate("1 + 2 * 3") == 7
    assert cel.evaluate("x.a.b > 2 && y", {"x": {"a": {"b": 3}}, "y": True}) is True
    assert cel.evaluate("'héllo'.size()") == 5
    assert cel.evaluate("[1, 2.5, 'a', null, b'x']") == [1, 2.5, "a", None, b"x"]
    assert cel.evaluate("{'k': [1]}") == {"k": [1]}
    assert cel.evaluate("18446744073709551615u") == 18446744073709551615


def test_time_values():
    t = cel.evaluate("timestamp('2026-03-02T10:00:00+08:00')")
    assert t == dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.timezone.utc)
    assert cel.evaluate("duration('1h30m')") == dt.timedelta(hours=1, minutes=30)
    assert cel.evaluate("t + d", {"t": t, "d": dt.timedelta(days=1)}) == t + dt.timedelta(days=1)
    assert cel.evaluate("date('2026-03-02').add_days(30)") == dt.date(2026, 4, 1)
    assert cel.evaluate("d > date('2026-01-01')", {"d": dt.date(2026, 3, 2)}) is True
    assert cel.evaluate("time_of_day('09:30')") == dt.time(9, 30)
    assert cel.evaluate("timestamp('2026-03-02T00:30:00Z').getHours('Asia/Shanghai')") == 8


def test_domain_functions():
    assert cel.evaluate("uscc_valid('91110000600037341L')") is True
    assert cel.evaluate("uscc_valid('91110000600037341M')") is False
    assert cel.evaluate("phone_kind('13800138000')") == "mobile"
    assert cel.evaluate("phone_kind('4008108888')") == "service"
    assert cel.evaluate("phone_kind('17012345678')") == "mvno"
    assert cel.evaluate("['a', 'b', 'a'].duplicates()") == ["a"]


def test_parse_error_names_line_and_column():
    with pytest.raises(telecomply.ParseError) as info:
        cel.evaluate("1 +\n (2 * ")
    err = info.value
    assert isinstance(err, telecomply.ExpressionError)
    assert isinstance(err, telecomply.Error)
    assert err.code == "parse_error"
    assert err.line == 2
    assert "expected" in str(err)


def test_evaluation_errors_are_exceptions_with_reasons():
    with pytest.raises(telecomply.EvaluationError) as info:
        cel.evaluate("1 / 0")
    assert info.value.reason == "division_by_zero"
    with pytest.raises(telecomply.EvaluationError) as info:
        cel.evaluate("app.materials.plan", {"app": {"materials": {}}})
    assert info.value.reason == "no_such_field"
    assert info.value.paths == ["app.materials.plan"]
    # CEL's commutative logic absorbs errors
    assert cel.evaluate("1 / 0 == 1 || true") is True


def test_durations_past_the_range_are_errors_whatever_their_size():
    # the fuzzing campaign's first finding: the parser's own arithmetic overflowed
    for text in ["100000000000000000000000000h", "-" + "9" * 60 + "ms", "2562048h", "1e"]:
        with pytest.raises(telecomply.EvaluationError) as info:
            cel.evaluate(f"duration('{text}')")
        assert info.value.reason == "invalid_argument"
    assert cel.evaluate("duration('2562047h')") == dt.timedelta(hours=2562047)


def test_checked_mode_rejects_unknown_names():
    assert cel.evaluate("x || true") is True  # unchecked: a runtime error, absorbed
    with pytest.raises(telecomply.CompileError):
        cel.evaluate("x || true", checked=True)


def test_limits():
    with pytest.raises(telecomply.LimitError):
        cel.evaluate("(" * 5000 + "1" + ")" * 5000)
    with pytest.raises(telecomply.LimitError):
        cel.evaluate("l.map(a, l.map(b, l.map(c, a + b + c)))", {"l": list(range(200))})


def test_bad_bindings_are_input_errors():
    with pytest.raises(telecomply.InputError) as info:
        cel.evaluate("x", {"x": {"a": object()}})
    assert info.value.json_path == "x.a"
    with pytest.raises(telecomply.InputError):
        cel.evaluate("x", {"x": dt.datetime(2026, 1, 1)})  # naive datetime


def test_type_values():
    assert cel.evaluate("type(1)") == cel.Type("int")
    assert cel.evaluate("type(1) == int") is True


def test_extension_libraries():
    # cel-spec's strings extension: indices in code points, out of range is an error
    assert cel.evaluate("'申请号码'.charAt(2)") == "号"
    assert cel.evaluate("'a,b,,c'.split(',', 3)") == ["a", "b", ",c"]
    assert cel.evaluate("['x', 'y'].join('-')") == "x-y"
    assert cel.evaluate("'%s: %.2f%%'.format(['rate', 12.3456])") == "rate: 12.35%"
    assert cel.evaluate("strings.quote(s)", {"s": 'say "hi"'}) == '"say \\"hi\\""'
    with pytest.raises(telecomply.EvaluationError) as info:
        cel.evaluate("'abc'.substring(4)")
    assert info.value.reason == "index_out_of_range"
    # the math extension: numbers of mixed kinds, int overflow is an error
    assert cel.evaluate("math.greatest(1, 2.5, 3u)") == 3
    assert cel.evaluate("math.least(xs)", {"xs": [3, -1.5, 2]}) == -1.5
    assert cel.evaluate("math.bitShiftRight(-1024, 3)") == 2305843009213693824
    with pytest.raises(telecomply.EvaluationError) as info:
        cel.evaluate("math.abs(-9223372036854775808)")
    assert info.value.reason == "overflow"
    # cel.bind, in checked mode too (the functions are declared, as for rulesets' rules)
    assert cel.evaluate("cel.bind(n, x.size(), n * n)", {"x": "abc"}, checked=True) == 9
    with pytest.raises(telecomply.CompileError):
        cel.evaluate("math.sqrt(4.0)", checked=True)
