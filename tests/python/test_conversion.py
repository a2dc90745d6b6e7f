"""Applications given as Python objects: what each kind of value becomes, what is refused and
how, in Engine.check and Engine.check_many alike. Dicts of plain data take a fast walk; any
other value (or any problem) takes the general conversion; both must give the same verdicts,
messages and JSON paths."""

from __future__ import annotations

import collections
import copy
import enum
import json
import sys

import pytest

import telecomply

DAILY = ("materials", "marketing_plan", "daily_calls_per_number")
VIOLATIONS = ("applicant", "history", "violations_24m")
LEGAL_REP = ("submitter", "is_legal_representative")


def with_value(app, path, value):
    out = copy.deepcopy(app)
    cur = out
    for key in path[:-1]:
        cur = cur[key]
    cur[path[-1]] = value
    return out


def message(e):
    """An InputError's message without the file and the JSON path before it."""
    text = str(e).split(": ", 1)[1]
    return text[len(e.json_path) + 2:] if text.startswith(e.json_path + ": ") else text


def outcome(engine, app):
    """check() and check_many() agree; the outcome as comparable data."""
    try:
        single = ("verdict", engine.check(app).to_json())
    except telecomply.InputError as e:
        single = ("error", message(e), e.json_path)
    [many] = engine.check_many([app], threads=1)
    if isinstance(many, telecomply.Error):
        assert many.file == "apps[0]"
        assert single == ("error", message(many), many.json_path)
    else:
        assert single == ("verdict", many.to_json())
    return single


def codes(result):
    assert result[0] == "verdict", result
    return [f["code"] for f in json.loads(result[1])["findings"]]


class IntSub(int):
    pass


class FloatSub(float):
    pass


class StrSub(str):
    pass


class Level(enum.IntEnum):
    TWO = 2


def test_numbers_bools_and_their_subclasses(engine, eligible_app):
    def run(path, value):
        return outcome(engine, with_value(eligible_app, path, value))

    not_type = "Value type not permitted by 'type' constraint."
    # bool is not an integer, an integer is not a bool
    assert run(VIOLATIONS, True) == ("error", not_type, "$.applicant.history.violations_24m")
    assert run(LEGAL_REP, 1) == ("error", not_type, "$.submitter.is_legal_representative")
    assert codes(run(LEGAL_REP, True)) == []
    # an integral float is an integer (draft-07), any other float is not
    assert codes(run(VIOLATIONS, 150.0)) == ["VIOLATION_HISTORY"]
    assert run(VIOLATIONS, 2.5) == ("error", not_type, "$.applicant.history.violations_24m")
    assert run(DAILY, 150.0) == run(DAILY, 150)
    # subclasses of int and float count by value
    assert codes(run(VIOLATIONS, IntSub(7))) == ["VIOLATION_HISTORY"]
    assert codes(run(VIOLATIONS, Level.TWO)) == []
    assert run(VIOLATIONS, FloatSub(2.5))[0] == "error"
    assert codes(run(VIOLATIONS, FloatSub(7.0))) == ["VIOLATION_HISTORY"]


def test_integers_at_and_beyond_64_bits(engine, eligible_app):
    def run(value):
        return outcome(engine, with_value(eligible_app, DAILY, value))

    path = "$.materials.marketing_plan.daily_calls_per_number"
    assert codes(run(2**63 - 1)) == ["DAILY_CALL_CAP_EXCEEDED"]
    assert run(2**63) == (
        "error", "9223372036854775808 is an integer beyond the range telecomply judges "
        "(-2^63 to 2^63-1)", path)
    assert run(2**64 - 1)[0] == "error"
    assert run(2**64) == ("error", "integer out of the 64-bit range", path)
    assert run(-(2**63) - 1) == ("error", "integer out of the 64-bit range", path)


@pytest.mark.parametrize("value, shown", [(float("nan"), "nan"), (float("inf"), "inf"),
                                          (float("-inf"), "-inf")])
def test_nan_and_infinities_are_refused_by_path(engine, eligible_app, value, shown):
    path = "$.materials.marketing_plan.daily_calls_per_number"
    assert outcome(engine, with_value(eligible_app, DAILY, value)) == (
        "error", f"{shown} is not a JSON number (a missing value, as pandas gives one? "
        "leave the key out)", path)
    deep = with_value(eligible_app, ("extra",), {"a.b": [{"c": (1, value)}]})
    assert outcome(engine, deep)[2] == "$.extra.a.b[0].c[1]"


def test_keys_must_be_str(engine, eligible_app):
    for key, name in [(1, "int"), (None, "NoneType"), ((1, 2), "tuple"), (True, "bool"),
                      (1.5, "float")]:
        app = with_value(eligible_app, ("extra",), {"ok": 1, key: "x"})
        assert outcome(engine, app) == (
            "error", f"a key of type {name} (JSON keys are strings)", "$.extra")
    root = dict(eligible_app)
    root[7] = 1
    assert outcome(engine, root) == ("error", "a key of type int (JSON keys are strings)", "$")


def test_strings_of_every_width(engine, eligible_app):
    """ASCII, Latin-1, the BMP (CJK) and astral characters, as values and keys, and str
    subclasses: the same as the JSON text of the application."""
    for text in ["APP-1", "APP-é", "APP-ÿ\x00", "申请-客户回访", "APP-😀-\U0010ffff", "߿ࠀ\uffff",
                 StrSub("APP-sub-é")]:
        app = with_value(eligible_app, ("id",), text)
        app["extra"] = {text: text, StrSub("k-é"): [text]}
        assert outcome(engine, app) == outcome(engine, json.dumps(app, ensure_ascii=False))
        assert engine.check(app).application == str(text)


def test_lone_surrogates_are_refused_by_path(engine, eligible_app):
    app = with_value(eligible_app, ("extra",), {"a": ["ok", "x\ud800"]})
    assert outcome(engine, app) == (
        "error", "string is not valid Unicode (lone surrogate?)", "$.extra.a[1]")
    app = with_value(eligible_app, ("extra",), {"\udfff": 1})
    assert outcome(engine, app) == ("error", "key is not valid Unicode", "$.extra")
    # as JSON text, a str that has no UTF-8 form is bad input too: its item's error, by name,
    # and the rest of the batch runs
    text = json.dumps(eligible_app)[:-1] + ', "x": "\ud800"}'
    good = json.dumps(eligible_app)
    out = engine.check_many([good, text, good], threads=1)
    assert isinstance(out[1], telecomply.InputError)
    assert out[1].file == "apps[1]" and out[1].json_path == "$"
    assert "not valid Unicode" in str(out[1]) and "surrogates not allowed" in str(out[1])
    assert out[0].to_json() == out[2].to_json() == engine.check(eligible_app).to_json()
    with pytest.raises(telecomply.InputError, match="not valid Unicode"):
        engine.check(text)


def test_json_text_as_str_bytes_and_bytearray(engine, eligible_app):
    """check() and check_many() take the same kinds of JSON text."""
    text = json.dumps(eligible_app, ensure_ascii=False)
    expected = engine.check(eligible_app).to_json()
    for given in (text, text.encode(), bytearray(text.encode()), StrSub(text)):
        assert engine.check(given).to_json() == expected
        [v] = engine.check_many([given], threads=1)
        assert v.to_json() == expected, type(given)


def test_messages_keep_the_nul_bytes_they_quote(engine, eligible_app):
    """A message quoting input with a NUL byte is whole in Python (C strings end at a NUL)."""
    app = copy.deepcopy(eligible_app)
    app["numbers"][0]["purpose\x00x"] = "y"
    with pytest.raises(telecomply.InputError) as info:
        engine.check(app)
    assert "purpose\x00x" in str(info.value)
    [v] = engine.check_many([json.dumps(app)], threads=1)
    assert "purpose\\u0000x" in str(v) or "purpose\x00x" in str(v)


def test_json_text_of_a_stream_is_released_once_checked(engine, eligible_app):
    """check_many over a generator of JSON lines holds each line only until its chunk is
    checked, not until the batch ends (memory stays flat on streams)."""
    yielded = []
    held_at_the_end = []

    def lines():
        for i in range(400):
            line = json.dumps(dict(eligible_app, id=f"APP-{i}"))
            yielded.append(line)
            yield line
        # the list and getrefcount's argument: nothing else holds the first lines
        held_at_the_end.extend(sys.getrefcount(yielded[k]) - 2 for k in range(64))

    out = engine.check_many(lines(), threads=1)
    assert len(out) == 400 and all(not isinstance(v, telecomply.Error) for v in out)
    assert held_at_the_end == [0] * 64


def nest(levels, kind):
    x = 1
    for _ in range(levels):
        x = [x] if kind == "list" else {"k": x}
    return x


@pytest.mark.parametrize("kind", ["list", "dict"])
def test_nesting_limit(engine, eligible_app, kind):
    """The root is level 1: a value under it may nest 1023 more levels, not 1024."""
    assert outcome(engine, with_value(eligible_app, ("extra",), nest(1023, kind)))[0] == "verdict"
    result = outcome(engine, with_value(eligible_app, ("extra",), nest(1024, kind)))
    assert result[:2] == ("error", "nested deeper than 1024 levels")
    assert result[2] == "$.extra" + ("[0]" if kind == "list" else ".k") * 1023


def test_containers_other_than_dict_and_list(engine, eligible_app):
    class ListSub(list):
        pass

    class DictSub(dict):
        pass

    class Mapping(collections.abc.Mapping):
        def __init__(self, d):
            self.d = d

        def __getitem__(self, k):
            return self.d[k]

        def __iter__(self):
            return iter(self.d)

        def __len__(self):
            return len(self.d)

    plain = outcome(engine, eligible_app)
    numbers = eligible_app["numbers"]
    for wrap in (tuple, ListSub):
        assert outcome(engine, with_value(eligible_app, ("numbers",), wrap(numbers))) == plain
    for wrap in (DictSub, collections.OrderedDict, collections.UserDict, Mapping):
        assert outcome(engine, wrap(eligible_app)) == plain
        materials = wrap(eligible_app["materials"])
        assert outcome(engine, with_value(eligible_app, ("materials",), materials)) == plain
    for value, name in [({1}, "set"), (collections.UserList([1]), "UserList"), (1j, "complex"),
                        (bytearray(b"x"), "bytearray")]:
        assert outcome(engine, with_value(eligible_app, ("extra",), value)) == (
            "error", f"unsupported Python type '{name}'", "$.extra")
    assert outcome(engine, with_value(eligible_app, ("extra",), b"x")) == (
        "error", "a bytes is not JSON data", "$.extra")


def test_numpy_and_pandas_scalars(engine, eligible_app):
    np = pytest.importorskip("numpy")

    def run(value):
        return outcome(engine, with_value(eligible_app, DAILY, value))

    path = "$.materials.marketing_plan.daily_calls_per_number"
    assert run(np.float64(150.0)) == run(150)  # a float subclass
    assert run(np.int64(150)) == ("error", "unsupported Python type 'int64'", path)
    nan = run(np.float64("nan"))
    assert nan[0] == "error" and "is not a JSON number" in nan[1] and nan[2] == path
    pd = pytest.importorskip("pandas")
    assert run(pd.NA) == ("error", "unsupported Python type 'NAType'", path)


def test_the_callers_data_is_left_as_given(engine, eligible_app):
    app = with_value(eligible_app, DAILY, 150.0)
    app["id"] = "申请-é"
    before = copy.deepcopy(app)
    engine.check_many([app, app], threads=2)
    engine.check(app)
    assert app == before
    assert isinstance(app["materials"]["marketing_plan"]["daily_calls_per_number"], float)


@pytest.mark.parametrize("threads", [1, 2, 0])
def test_check_many_names_every_item_in_long_batches(engine, example_apps, threads):
    """Errors keep their place and their name apps[i] wherever they fall in a long batch, for
    a list and for an iterator of unknown length."""
    apps = [copy.deepcopy(example_apps[i % len(example_apps)]) for i in range(300)]
    bad = {0: dict(apps[0], channel="fax"), 31: 7, 32: dict(apps[32], extra=float("nan")),
           33: "{not json", 150: dict(apps[150], region="CN-XX"), 299: {1: 2}}
    for i, a in bad.items():
        apps[i] = a
    expected = {i: engine.check(a).to_json() for i, a in enumerate(apps) if i not in bad}
    for given in (apps, iter(apps)):
        out = engine.check_many(given, threads=threads)
        assert len(out) == len(apps)
        for i, v in enumerate(out):
            if i == 150:
                assert isinstance(v, telecomply.NotFoundError) and "CN-XX" in str(v)
            elif i in bad:
                assert isinstance(v, telecomply.InputError) and v.file == f"apps[{i}]", (i, v)
            else:
                assert v.to_json() == expected[i]
    assert out[32].json_path == "$.extra" and out[299].json_path == "$"
    with pytest.raises(telecomply.InputError) as info:
        engine.check_many(apps, threads=threads, errors="raise")
    assert info.value.file == "apps[0]"


def test_check_many_texts_and_dicts_agree(engine, example_apps):
    apps = example_apps * 10
    by_dict = [v.to_json() for v in engine.check_many(apps, threads=2)]
    for ascii_only in (True, False):
        texts = [json.dumps(a, ensure_ascii=ascii_only) for a in apps]
        assert [v.to_json() for v in engine.check_many(texts, threads=2)] == by_dict
    assert [v.to_json() for v in engine.check_many(apps, threads=2, validate=False)] == by_dict


def test_an_iterator_that_fails_stops_the_batch(engine, example_apps):
    def apps():
        for i in range(200):
            yield example_apps[i % len(example_apps)]
        raise ValueError("the source broke")

    with pytest.raises(ValueError, match="the source broke"):
        engine.check_many(apps(), threads=2)
    assert len(engine.check_many(example_apps, threads=2)) == len(example_apps)
