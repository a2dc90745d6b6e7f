#include "convert.hpp"

#include <datetime.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <utility>

#include "telecomply/expr/time_parts.hpp"

namespace telecomply::python {

namespace {

void ensure_datetime() {
    if (PyDateTimeAPI == nullptr) PyDateTime_IMPORT;
}

[[noreturn]] void bad(const std::string& path, const std::string& msg) {
    throw input_error("<python>", 0, path.empty() ? "$" : path, msg);
}

py::object errors_module() {
    return py::module_::import("telecomply.errors");
}

std::string_view class_for(const error& e) {
    switch (e.code()) {
        case errc::parse_error:
            return "ParseError";
        case errc::compile_error:
            return "CompileError";
        case errc::evaluation_error:
            return "EvaluationError";
        case errc::limit_exceeded:
            return "LimitError";
        case errc::invalid_input:
            return "InputError";
        case errc::ruleset_error:
            return "RulesetError";
        case errc::calendar_error:
            return "CalendarError";
        case errc::workflow_error:
            return "WorkflowError";
        case errc::transition_refused:
            return "TransitionRefused";
        case errc::store_error:
            return "StoreError";
        case errc::conflict:
            return "ConflictError";
        case errc::integrity_error:
            return "IntegrityError";
        case errc::not_found:
            return "NotFoundError";
        case errc::usage_error:
            return "UsageError";
        case errc::seal_error:
            return "SealError";
    }
    return "Error";
}

}  // namespace

py::object make_exception(const error& e) {
    py::object cls = errors_module().attr(std::string(class_for(e)).c_str());
    // the whole message (what() ends at a NUL the input had), bad UTF-8 replaced
    const std::string& text = e.text();
    PyObject* message =
        PyUnicode_DecodeUTF8(text.data(), static_cast<Py_ssize_t>(text.size()), "replace");
    if (message == nullptr) throw py::error_already_set();
    py::object inst = cls(py::reinterpret_steal<py::str>(message));
    inst.attr("code") = std::string(to_string(e.code()));
    if (const auto* d = dynamic_cast<const data_error*>(&e)) {
        inst.attr("file") = d->file();
        inst.attr("line") = d->line();
        inst.attr("json_path") = d->json_path();
    }
    if (const auto* t = dynamic_cast<const transition_refused*>(&e)) {
        inst.attr("case_id") = t->case_id();
        inst.attr("state") = t->state();
        inst.attr("event") = t->event();
        inst.attr("reason") = t->reason();
    }
    if (const auto* x = dynamic_cast<const expression_error*>(&e)) {
        inst.attr("line") = x->where().line;
        inst.attr("column") = x->where().column;
    }
    return inst;
}

bool is_json_text(py::handle obj) {
    return PyUnicode_Check(obj.ptr()) || PyBytes_Check(obj.ptr()) || PyByteArray_Check(obj.ptr());
}

json_text read_json_text(py::handle obj, const std::string& where) {
    json_text out;
    if (PyUnicode_Check(obj.ptr())) {
        Py_ssize_t n = 0;
        const char* s = PyUnicode_AsUTF8AndSize(obj.ptr(), &n);
        if (s == nullptr) {
            // a lone surrogate: say so as bad input, with Python's own words for where
            std::string why = "not valid Unicode text";
            if (PyErr_Occurred() != nullptr) {
                py::error_already_set err;
                why += std::string(": ") + err.what();
            }
            throw input_error(where, 0, "$", "the JSON text is " + why);
        }
        out.text = {s, static_cast<std::size_t>(n)};
        out.keep = py::reinterpret_borrow<py::object>(obj);
        return out;
    }
    if (PyBytes_Check(obj.ptr())) {
        out.text = {PyBytes_AS_STRING(obj.ptr()),
                    static_cast<std::size_t>(PyBytes_GET_SIZE(obj.ptr()))};
        out.keep = py::reinterpret_borrow<py::object>(obj);
        return out;
    }
    if (PyByteArray_Check(obj.ptr())) {
        // a bytearray may be resized by other code while the batch runs: copy it
        out.owned.assign(PyByteArray_AS_STRING(obj.ptr()),
                         static_cast<std::size_t>(PyByteArray_GET_SIZE(obj.ptr())));
        out.text = out.owned;
        return out;
    }
    throw usage_error(where + ": JSON text is a str, bytes or bytearray");
}

void raise(const error& e) {
    py::object inst = make_exception(e);
    PyErr_SetObject(py::type::handle_of(inst).ptr(), inst.ptr());
    throw py::error_already_set();
}

void register_exceptions(py::module_&) {
    py::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p) std::rethrow_exception(p);
        } catch (const error& e) {
            py::object inst = make_exception(e);
            PyErr_SetObject(py::type::handle_of(inst).ptr(), inst.ptr());
        }
    });
}

namespace {
// What JSON data (an application) cannot hold, said the same way as for case data.
[[noreturn]] void not_json(const std::string& path, py::handle obj) {
    ensure_datetime();
    const std::string type = Py_TYPE(obj.ptr())->tp_name;
    const bool day = PyDate_Check(obj.ptr()) != 0;
    bad(path, "a " + type + " is not JSON data" +
                  (day ? " (write a date as 'YYYY-MM-DD', a time as 'HH:MM')" : ""));
}
}  // namespace

value to_value(py::handle obj, value_builder& b, std::string& path, std::uint32_t depth,
               bool json_only) {
    ensure_datetime();
    if (obj.is_none()) return value{};
    PyObject* o = obj.ptr();
    // the root is level 1, as in every JSON reader of the library
    if (depth >= value_builder::max_nesting &&
        (PyDict_Check(o) || PyList_Check(o) || PyTuple_Check(o)))
        bad(path, "nested deeper than " + std::to_string(value_builder::max_nesting) + " levels");
    if (PyBool_Check(o)) return value::from_bool(o == Py_True);
    if (PyLong_Check(o)) {
        int overflow = 0;
        const long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
        if (overflow == 0) return value::from_int(v);
        if (overflow > 0) {
            const unsigned long long u = PyLong_AsUnsignedLongLong(o);
            if (!PyErr_Occurred()) return value::from_uint(u);
            PyErr_Clear();
        }
        bad(path, "integer out of the 64-bit range");
    }
    if (PyFloat_Check(o)) {
        const double d = PyFloat_AS_DOUBLE(o);
        if (json_only && !std::isfinite(d))
            bad(path, py::repr(obj).cast<std::string>() +
                          " is not a JSON number (a missing value, as pandas gives one? leave "
                          "the key out)");
        return value::from_double(d);
    }
    if (PyUnicode_Check(o)) {
        Py_ssize_t n = 0;
        const char* s = PyUnicode_AsUTF8AndSize(o, &n);
        if (s == nullptr) {
            PyErr_Clear();
            bad(path, "string is not valid Unicode (lone surrogate?)");
        }
        return b.string({s, static_cast<std::size_t>(n)});
    }
    if (json_only && (PyBytes_Check(o) || PyDateTime_Check(o) || PyDelta_Check(o) ||
                      PyDate_Check(o) || PyTime_Check(o)))
        not_json(path, obj);
    if (PyBytes_Check(o)) {
        return b.bytes({PyBytes_AS_STRING(o), static_cast<std::size_t>(PyBytes_GET_SIZE(o))});
    }
    if (PyDict_Check(o)) {
        const auto n = static_cast<std::size_t>(PyDict_Size(o));
        map_entry* entries = nullptr;
        auto out = b.map(n, entries);
        PyObject *k = nullptr, *v = nullptr;
        Py_ssize_t pos = 0;
        std::size_t i = 0;
        const auto base = path.size();
        while (PyDict_Next(o, &pos, &k, &v)) {
            if (PyUnicode_Check(k)) {
                Py_ssize_t kn = 0;
                const char* ks = PyUnicode_AsUTF8AndSize(k, &kn);
                if (ks == nullptr) {
                    PyErr_Clear();
                    bad(path, "key is not valid Unicode");
                }
                entries[i].key = b.string({ks, static_cast<std::size_t>(kn)});
                path += ".";
                path.append(ks, static_cast<std::size_t>(kn));
            } else {
                if (json_only)
                    bad(path, std::string("a key of type ") + Py_TYPE(k)->tp_name +
                                  " (JSON keys are strings)");
                entries[i].key = to_value(k, b, path, depth + 1);
                if (entries[i].key.kind() != kind::int_ && entries[i].key.kind() != kind::uint_ &&
                    entries[i].key.kind() != kind::bool_)
                    bad(path, "map keys must be str, int or bool");
                path += "[" + entries[i].key.to_string() + "]";
            }
            entries[i].val = to_value(v, b, path, depth + 1, json_only);
            path.resize(base);
            ++i;
        }
        return out;
    }
    if (PyList_Check(o) || PyTuple_Check(o)) {
        py::sequence seq = py::reinterpret_borrow<py::sequence>(obj);
        const auto n = static_cast<std::size_t>(py::len(seq));
        value* items = nullptr;
        auto out = b.list(n, items);
        const auto base = path.size();
        for (std::size_t i = 0; i < n; ++i) {
            path += "[" + std::to_string(i) + "]";
            items[i] = to_value(seq[i], b, path, depth + 1, json_only);
            path.resize(base);
        }
        return out;
    }
    if (PyDateTime_Check(o)) {
        py::object tz = obj.attr("tzinfo");
        if (tz.is_none()) bad(path, "datetime must be timezone-aware");
        py::object epoch =
            py::module_::import("datetime")
                .attr("datetime")(1970, 1, 1, 0, 0, 0, 0,
                                  py::module_::import("datetime").attr("timezone").attr("utc"));
        py::object delta = obj - epoch;
        const std::int64_t days = delta.attr("days").cast<std::int64_t>();
        const std::int64_t secs = delta.attr("seconds").cast<std::int64_t>();
        const std::int64_t micros = delta.attr("microseconds").cast<std::int64_t>();
        return value::from_timestamp(
            {days * 86400 + secs, static_cast<std::int32_t>(micros * 1000)});
    }
    if (PyDelta_Check(o)) {
        const std::int64_t days = PyDateTime_DELTA_GET_DAYS(o);
        const std::int64_t secs = PyDateTime_DELTA_GET_SECONDS(o);
        const std::int64_t micros = PyDateTime_DELTA_GET_MICROSECONDS(o);
        // a timedelta's seconds never overflow 64 bits (it spans at most 999999999 days)
        return value::from_duration(*normalized_duration(days * 86400 + secs, micros * 1000));
    }
    if (PyDate_Check(o)) {
        auto d =
            date::from_ymd(PyDateTime_GET_YEAR(o), static_cast<unsigned>(PyDateTime_GET_MONTH(o)),
                           static_cast<unsigned>(PyDateTime_GET_DAY(o)));
        return value::from_date(*d);
    }
    if (PyTime_Check(o)) {
        return value::from_time_of_day(
            time_of_day{PyDateTime_TIME_GET_HOUR(o) * 60 + PyDateTime_TIME_GET_MINUTE(o)});
    }
    // Mappings and sequences of other types (e.g. pandas rows): go through dict/list.
    if (py::isinstance<py::dict>(obj) || PyMapping_Check(o)) {
        if (py::hasattr(obj, "items")) {
            py::dict d(py::reinterpret_borrow<py::object>(obj));
            return to_value(d, b, path, depth, json_only);
        }
    }
    bad(path, "unsupported Python type '" +
                  std::string(py::str(py::type::handle_of(obj).attr("__name__"))) + "'");
}

namespace {

// The walk of to_application(): plain JSON-like data only. It reads the objects without
// calling Python code (no __getitem__, __len__ or items() of a subclass, no repr) and keeps no
// path; whatever it does not take (another type, a key that is not str, NaN, an integer out of
// int64, a str with a lone surrogate, the nesting limit) it refuses by throwing `declined`, and
// to_value() then converts the whole application again, with its values, messages and paths.
struct declined {};

class plain_walk {
  public:
    explicit plain_walk(value_builder& b) noexcept : b_(b) {}

    value walk(PyObject* o, std::uint32_t depth) {
        if (o == Py_None) return value{};
        if (PyUnicode_Check(o)) return value::from_string(text(o));
        if (PyBool_Check(o)) return value::from_bool(o == Py_True);
        if (PyLong_Check(o)) {
            int overflow = 0;
            const long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
            if (overflow != 0) throw declined{};  // uint64, or out of range: to_value() says
            return value::from_int(v);
        }
        if (PyFloat_Check(o)) {
            const double d = PyFloat_AS_DOUBLE(o);
            if (!std::isfinite(d)) throw declined{};
            return value::from_double(d);
        }
        if (PyDict_Check(o)) return map(o, depth);
        // exact types only: a subclass's __len__ or __getitem__ is to_value()'s to call
        if (PyList_CheckExact(o) || PyTuple_CheckExact(o))
            return list(PySequence_Fast_ITEMS(o), PySequence_Fast_GET_SIZE(o), depth);
        throw declined{};
    }

    /// The bytes the document holds; the next one starts with a block this size.
    [[nodiscard]] std::size_t used() const noexcept {
        return used_ - static_cast<std::size_t>(end_ - cur_);
    }

  private:
    value map(PyObject* o, std::uint32_t depth) {
        // the root is level 1, as in every JSON reader of the library
        if (depth >= value_builder::max_nesting) throw declined{};
        const auto n = static_cast<std::size_t>(PyDict_GET_SIZE(o));
        auto* entries = take<map_entry>(n);
        PyObject *k = nullptr, *v = nullptr;
        Py_ssize_t pos = 0;
        std::size_t i = 0;
        while (i < n && PyDict_Next(o, &pos, &k, &v)) {
            if (!PyUnicode_Check(k)) throw declined{};
            entries[i].key = key(k);
            entries[i].val = walk(v, depth + 1);
            ++i;
        }
        return value::from_map(entries, static_cast<std::uint32_t>(i));
    }

    value list(PyObject* const* items, Py_ssize_t size, std::uint32_t depth) {
        if (depth >= value_builder::max_nesting) throw declined{};
        const auto n = static_cast<std::size_t>(size);
        auto* out = take<value>(n);
        for (std::size_t i = 0; i < n; ++i)
            out[i] = walk(items[i], depth + 1);
        return value::from_list(out, static_cast<std::uint32_t>(n));
    }

    static bool ready(PyObject* s) {
#if PY_VERSION_HEX < 0x030C0000
        return PyUnicode_IS_READY(s) != 0;
#else
        (void)s;
        return true;  // every str is, since 3.12
#endif
    }

    // A str's UTF-8, written into the document from the str's code points.
    std::string_view text(PyObject* s) {
        if (!ready(s) || !PyUnicode_IS_COMPACT(s)) {
            // a str subclass or a legacy str: CPython encodes it (and caches the result)
            Py_ssize_t n = 0;
            const char* p = PyUnicode_AsUTF8AndSize(s, &n);
            if (p == nullptr) {
                PyErr_Clear();
                throw declined{};
            }
            return copy(p, static_cast<std::size_t>(n));
        }
        const auto n = static_cast<std::size_t>(PyUnicode_GET_LENGTH(s));
        const void* data = PyUnicode_DATA(s);
        switch (PyUnicode_KIND(s)) {
            case PyUnicode_1BYTE_KIND:
                if (PyUnicode_IS_ASCII(s)) return copy(static_cast<const char*>(data), n);
                return encode(static_cast<const Py_UCS1*>(data), n, 2);
            case PyUnicode_2BYTE_KIND:
                return encode(static_cast<const Py_UCS2*>(data), n, 3);
            default:
                return encode(static_cast<const Py_UCS4*>(data), n, 4);
        }
    }

    template <class C>
    std::string_view encode(const C* cp, std::size_t n, std::size_t most) {
        if (n == 0) return {};
        auto* const start = take<char>(n * most);
        auto* p = reinterpret_cast<unsigned char*>(start);
        for (std::size_t i = 0; i < n; ++i) {
            const std::uint32_t c = cp[i];
            if (c < 0x80) {
                *p++ = static_cast<unsigned char>(c);
            } else if (c < 0x800) {
                *p++ = static_cast<unsigned char>(0xC0 | (c >> 6));
                *p++ = static_cast<unsigned char>(0x80 | (c & 0x3F));
            } else if (c < 0x10000) {
                if (c >= 0xD800 && c <= 0xDFFF) throw declined{};  // not Unicode: to_value() says
                *p++ = static_cast<unsigned char>(0xE0 | (c >> 12));
                *p++ = static_cast<unsigned char>(0x80 | ((c >> 6) & 0x3F));
                *p++ = static_cast<unsigned char>(0x80 | (c & 0x3F));
            } else {
                *p++ = static_cast<unsigned char>(0xF0 | (c >> 18));
                *p++ = static_cast<unsigned char>(0x80 | ((c >> 12) & 0x3F));
                *p++ = static_cast<unsigned char>(0x80 | ((c >> 6) & 0x3F));
                *p++ = static_cast<unsigned char>(0x80 | (c & 0x3F));
            }
        }
        cur_ = p;  // what the longest encoding would have needed and this one did not, back
        return {start, static_cast<std::size_t>(reinterpret_cast<char*>(p) - start)};
    }

    std::string_view copy(const char* s, std::size_t n) {
        if (n == 0) return {};
        char* p = take<char>(n);
        std::memcpy(p, s, n);
        return {p, n};
    }

    // Keys repeat (every element of a list of objects has the same ones; json.loads gives them
    // as one str object each): written into the document once per key object.
    value key(PyObject* k) {
        auto& slot = keys_[(reinterpret_cast<std::uintptr_t>(k) >> 4) % keys_.size()];
        if (slot.first != k) slot = {k, value::from_string(text(k))};
        return slot.second;
    }

    // Memory for n T's, from blocks the document's arena gives: one block holds a typical
    // application whole (each allocation of the arena's own takes a chunk of its own).
    template <class T>
    T* take(std::size_t n) {
        if (n == 0) return nullptr;
        static_assert(alignof(T) <= alignof(value) && std::is_trivially_destructible_v<T>);
        constexpr std::size_t align = alignof(T);
        auto* p = reinterpret_cast<unsigned char*>(
            (reinterpret_cast<std::uintptr_t>(cur_) + (align - 1)) & ~std::uintptr_t{align - 1});
        const std::size_t bytes = n * sizeof(T);
        if (cur_ == nullptr || p + bytes > end_) {
            const std::size_t size = std::max(bytes, next_block_);
            next_block_ *= 2;
            p = static_cast<unsigned char*>(b_.arena().allocate(size, alignof(value)));
            used_ += size;
            end_ = p + size;
        }
        cur_ = p + bytes;
        return reinterpret_cast<T*>(p);
    }

    value_builder& b_;
    unsigned char* cur_ = nullptr;
    unsigned char* end_ = nullptr;
    std::size_t used_ = 0;
    std::size_t next_block_ = first_block().load(std::memory_order_relaxed);
    std::array<std::pair<PyObject*, value>, 64> keys_{};

  public:
    // The size of the first block: what the last application took (they look alike), and a
    // quarter more.
    static std::atomic<std::size_t>& first_block() {
        static std::atomic<std::size_t> size{4096};
        return size;
    }
};

}  // namespace

document to_application(py::handle app) {
    try {
        return document::build([&](value_builder& b) {
            plain_walk w(b);
            const value root = w.walk(app.ptr(), 0);
            plain_walk::first_block().store(
                std::clamp<std::size_t>(w.used() + w.used() / 4, 1024, std::size_t{1} << 20),
                std::memory_order_relaxed);
            return root;
        });
    } catch (const declined&) {
    }
    return document::build([&](value_builder& b) {
        std::string path = "$";
        return to_value(app, b, path, 0, true);
    });
}

py::object to_python(const value& v) {
    ensure_datetime();
    switch (v.kind()) {
        case kind::null_:
            return py::none();
        case kind::bool_:
            return py::bool_(v.as_bool());
        case kind::int_:
            return py::int_(v.as_int());
        case kind::uint_:
            return py::int_(v.as_uint());
        case kind::double_:
            return py::float_(v.as_double());
        case kind::string: {
            const auto s = v.as_string();
            return py::reinterpret_steal<py::object>(
                PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "strict"));
        }
        case kind::bytes: {
            const auto s = v.as_string();
            return py::bytes(s.data(), s.size());
        }
        case kind::list: {
            py::list out(v.size());
            for (std::uint32_t i = 0; i < v.size(); ++i)
                out[i] = to_python(v.list_begin()[i]);
            return out;
        }
        case kind::map: {
            py::dict out;
            for (const map_entry* e = v.map_begin(); e != v.map_end(); ++e)
                out[to_python(e->key)] = to_python(e->val);
            return out;
        }
        case kind::timestamp: {
            const auto t = v.as_time();
            py::object dt = py::module_::import("datetime");
            py::object epoch =
                dt.attr("datetime")(1970, 1, 1, 0, 0, 0, 0, dt.attr("timezone").attr("utc"));
            return epoch + dt.attr("timedelta")(0, t.seconds, t.nanos / 1000);
        }
        case kind::duration: {
            const auto t = v.as_time();
            py::object dt = py::module_::import("datetime");
            return dt.attr("timedelta")(0, t.seconds, t.nanos / 1000);
        }
        case kind::date: {
            const auto d = v.as_date();
            return py::reinterpret_steal<py::object>(
                PyDate_FromDate(d.year(), static_cast<int>(d.month()), static_cast<int>(d.day())));
        }
        case kind::time_of_day: {
            const auto t = v.as_time_of_day();
            return py::reinterpret_steal<py::object>(
                PyTime_FromTime(t.hour() % 24, t.minute(), 0, 0));
        }
        case kind::type: {
            py::object cel = py::module_::import("telecomply.cel");
            return cel.attr("Type")(std::string(type_name(v.as_type())));
        }
        case kind::error: {
            const auto& e = v.as_error();
            std::string msg(e.message);
            if (!e.path.empty()) msg += ": " + std::string(e.path);
            raise(evaluation_error(msg));
        }
    }
    return py::none();
}

}  // namespace telecomply::python
