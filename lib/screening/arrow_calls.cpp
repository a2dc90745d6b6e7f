// Call records from Arrow data through the Arrow C Stream Interface, read with nanoarrow
// (third_party/nanoarrow): the columns are read where they lie, without a copy, and turned into
// a call_batch column by column.

#include <nanoarrow/nanoarrow.h>

#include <array>
#include <string>

#include "screening/call_batch.hpp"
#include "screening/call_columns.hpp"
#include "screening/call_time.hpp"
#include "telecomply/base/error.hpp"

namespace telecomply {

namespace {

using detail::call_batch;

/// Releases what a C Data Interface structure owns, once.
struct stream_guard {
    ArrowArrayStream s{};
    ~stream_guard() {
        if (s.release) s.release(&s);
    }
};
struct schema_guard {
    ArrowSchema s{};
    ~schema_guard() {
        if (s.release) s.release(&s);
    }
};
struct array_guard {
    ArrowArray a{};
    ~array_guard() {
        if (a.release) a.release(&a);
    }
};
struct view_guard {
    ArrowArrayView v{};
    bool init = false;
    ~view_guard() {
        if (init) ArrowArrayViewReset(&v);
    }
};

bool is_integer(ArrowType t) {
    switch (t) {
        case NANOARROW_TYPE_INT8:
        case NANOARROW_TYPE_INT16:
        case NANOARROW_TYPE_INT32:
        case NANOARROW_TYPE_INT64:
        case NANOARROW_TYPE_UINT8:
        case NANOARROW_TYPE_UINT16:
        case NANOARROW_TYPE_UINT32:
        case NANOARROW_TYPE_UINT64:
            return true;
        default:
            return false;
    }
}

bool is_text(ArrowType t) {
    return t == NANOARROW_TYPE_STRING || t == NANOARROW_TYPE_LARGE_STRING ||
           t == NANOARROW_TYPE_STRING_VIEW;
}

/// Seconds in one unit of a timestamp or duration, as (multiplier, divisor).
std::int64_t units_per_second(ArrowTimeUnit u) {
    switch (u) {
        case NANOARROW_TIME_UNIT_SECOND:
            return 1;
        case NANOARROW_TIME_UNIT_MILLI:
            return 1000;
        case NANOARROW_TIME_UNIT_MICRO:
            return 1000000;
        case NANOARROW_TIME_UNIT_NANO:
            return 1000000000;
    }
    return 1;
}

const char* unit_name(std::int64_t per_second) {
    switch (per_second) {
        case 1:
            return "s";
        case 1000:
            return "ms";
        case 1000000:
            return "us";
        default:
            return "ns";
    }
}

// The instants a call can start at: the years 1 to 9999, as the text of a date-time writes
// them (a timestamp beyond has no date screening could name, and would overflow its arithmetic).
constexpr std::int64_t k_first_s = -62135596800;  // 0001-01-01T00:00:00
constexpr std::int64_t k_last_s = 253402300799;   // 9999-12-31T23:59:59

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
    const std::int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/// How a column is read, decided once from the schema.
struct column_plan {
    std::string_view name;
    std::int64_t index = -1;
    ArrowSchemaView schema{};
    bool dictionary = false;  ///< dictionary-encoded text (categoricals)
    ArrowType value_type = NANOARROW_TYPE_UNINITIALIZED;
    bool has_zone = false;  ///< a timestamp with a time zone (an instant)
    std::int64_t per_second = 1;
};

std::string type_name(const ArrowSchemaView& sv) {
    return ArrowTypeString(sv.type);
}

class arrow_reader final : public call_source::reader {
  public:
    arrow_reader(const std::function<void(ArrowArrayStream*)>& open, std::string name)
        : name_(std::move(name)) {
        open(&stream_.s);
        if (stream_.s.release == nullptr)
            throw input_error(name_, 0, "", "the Arrow stream was not opened");
        if (stream_.s.get_schema(&stream_.s, &schema_.s) != 0) fail_stream("reading its schema");
        ArrowError error{};
        ArrowSchemaView top{};
        if (ArrowSchemaViewInit(&top, &schema_.s, &error) != NANOARROW_OK)
            throw input_error(name_, 0, "", std::string("bad Arrow schema: ") + error.message);
        if (top.type != NANOARROW_TYPE_STRUCT)
            throw input_error(
                name_, 0, "",
                "call records must be a table (an Arrow struct of columns), not " + type_name(top));
        plans_ = {column_plan{detail::k_caller}, column_plan{detail::k_callee},
                  column_plan{detail::k_start}, column_plan{detail::k_duration}};
        std::string names;
        for (std::int64_t i = 0; i < schema_.s.n_children; ++i) {
            const char* n = schema_.s.children[i]->name;
            const std::string_view name = n ? n : "";
            names += (names.empty() ? "" : ", ") + std::string(name);
            for (auto& p : plans_) {
                if (p.name != name) continue;
                if (p.index >= 0)
                    throw input_error(name_, 0, std::string(p.name),
                                      "the table has the column '" + std::string(p.name) +
                                          "' twice (columns " + std::to_string(p.index + 1) +
                                          " and " + std::to_string(i + 1) +
                                          "): which one to screen is ambiguous");
                p.index = i;
            }
        }
        for (auto& p : plans_) {
            if (p.index < 0)
                throw input_error(name_, 0, std::string(p.name),
                                  "the table has no column '" + std::string(p.name) +
                                      "' (call records need caller, callee, start, duration_s; "
                                      "it has: " +
                                      names + ")");
            plan(p);
        }
        if (ArrowArrayViewInitFromSchema(&view_.v, &schema_.s, &error) != NANOARROW_OK)
            throw input_error(name_, 0, "", std::string("bad Arrow schema: ") + error.message);
        view_.init = true;
    }

    bool next(call_batch& b) override {
        array_guard array;
        if (stream_.s.get_next(&stream_.s, &array.a) != 0) fail_stream("reading a batch");
        if (array.a.release == nullptr) return false;  // the end of the stream
        ArrowError error{};
        if (ArrowArrayViewSetArray(&view_.v, &array.a, &error) != NANOARROW_OK)
            throw input_error(name_, 0, "", std::string("bad Arrow batch: ") + error.message);
        const auto n = static_cast<std::size_t>(array.a.length);
        b.reset(next_row_, n);
        read_number(b, plans_[0], b.caller);
        read_number(b, plans_[1], b.callee);
        read_start(b, plans_[2]);
        read_duration(b, plans_[3]);
        b.sort_errors();
        next_row_ += static_cast<std::int64_t>(n);
        return true;
    }

  private:
    [[noreturn]] void fail_stream(const char* what) {
        const char* message =
            stream_.s.get_last_error ? stream_.s.get_last_error(&stream_.s) : nullptr;
        throw input_error(name_, 0, "",
                          std::string("the Arrow stream failed ") + what +
                              (message ? std::string(": ") + message : std::string()));
    }

    void plan(column_plan& p) {
        ArrowError error{};
        if (ArrowSchemaViewInit(&p.schema, schema_.s.children[p.index], &error) != NANOARROW_OK)
            throw input_error(name_, 0, std::string(p.name),
                              std::string("bad Arrow type: ") + error.message);
        p.value_type = p.schema.type;
        if (p.schema.type == NANOARROW_TYPE_DICTIONARY) {
            ArrowSchemaView values{};
            if (ArrowSchemaViewInit(&values, schema_.s.children[p.index]->dictionary, &error) !=
                NANOARROW_OK)
                throw input_error(name_, 0, std::string(p.name),
                                  std::string("bad Arrow type: ") + error.message);
            p.dictionary = true;
            p.value_type = values.type;
        }
        const ArrowType t = p.value_type;
        bool ok = false;
        if (p.name == detail::k_caller || p.name == detail::k_callee) {
            ok = is_text(t) || (!p.dictionary && is_integer(t));
        } else if (p.name == detail::k_start) {
            if (!p.dictionary && t == NANOARROW_TYPE_TIMESTAMP) {
                ok = true;
                p.has_zone = p.schema.timezone != nullptr && p.schema.timezone[0] != '\0';
                p.per_second = units_per_second(p.schema.time_unit);
            } else {
                ok = is_text(t);
            }
        } else {
            if (!p.dictionary && t == NANOARROW_TYPE_DURATION) {
                ok = true;
                p.per_second = units_per_second(p.schema.time_unit);
            } else {
                ok = is_text(t) || (!p.dictionary && (is_integer(t) || t == NANOARROW_TYPE_FLOAT ||
                                                      t == NANOARROW_TYPE_DOUBLE));
            }
        }
        if (!ok)
            throw input_error(name_, 0, std::string(p.name),
                              "column '" + std::string(p.name) + "' has Arrow type " +
                                  type_name(p.schema) + ", which call records cannot use (" +
                                  expected(p.name) + ")");
    }

    static std::string expected(std::string_view column) {
        if (column == detail::k_start) return "a timestamp, or text";
        if (column == detail::k_duration)
            return "an integer, a float of whole seconds, a duration, or text";
        return "text, or an integer";
    }

    [[nodiscard]] const ArrowArrayView* column(const column_plan& p) const {
        return view_.v.children[p.index];
    }

    static ArrowStringView text_at(const ArrowArrayView* v, bool dictionary, std::int64_t i) {
        if (dictionary)
            return ArrowArrayViewGetStringUnsafe(v->dictionary, ArrowArrayViewGetIntUnsafe(v, i));
        return ArrowArrayViewGetStringUnsafe(v, i);
    }

    void read_number(call_batch& b, const column_plan& p, std::vector<std::uint64_t>& out) const {
        const ArrowArrayView* v = column(p);
        const auto n = static_cast<std::int64_t>(b.size());
        const bool text = is_text(p.value_type);
        for (std::int64_t i = 0; i < n; ++i) {
            const auto row = static_cast<std::size_t>(i);
            if (b.bad[row]) continue;
            if (ArrowArrayViewIsNull(v, i)) {
                detail::missing(b, row, p.name);
            } else if (text) {
                const ArrowStringView s = text_at(v, p.dictionary, i);
                detail::read_number(
                    b, row, p.name,
                    std::string_view(s.data, static_cast<std::size_t>(s.size_bytes)), out[row]);
            } else if (p.value_type == NANOARROW_TYPE_UINT64 &&
                       ArrowArrayViewGetUIntUnsafe(v, i) > static_cast<std::uint64_t>(INT64_MAX)) {
                // said as it is, not as the negative number its bits make as an int64
                b.fail(row, std::string(p.name),
                       std::string(p.name) + ": " +
                           std::to_string(ArrowArrayViewGetUIntUnsafe(v, i)) +
                           " is not a phone number");
            } else {
                detail::read_number(b, row, p.name, ArrowArrayViewGetIntUnsafe(v, i), out[row]);
            }
        }
    }

    void read_start(call_batch& b, const column_plan& p) const {
        const ArrowArrayView* v = column(p);
        const auto n = static_cast<std::int64_t>(b.size());
        const bool timestamp = p.value_type == NANOARROW_TYPE_TIMESTAMP;
        for (std::int64_t i = 0; i < n; ++i) {
            const auto row = static_cast<std::size_t>(i);
            if (b.bad[row]) continue;
            if (ArrowArrayViewIsNull(v, i)) {
                detail::missing(b, row, p.name);
            } else if (timestamp) {
                const std::int64_t raw = ArrowArrayViewGetIntUnsafe(v, i);
                const std::int64_t s = floor_div(raw, p.per_second);
                if (s < k_first_s || s > k_last_s) {
                    b.fail(row, std::string(p.name),
                           "start: the timestamp " + std::to_string(raw) + " (" +
                               unit_name(p.per_second) +
                               " since 1970-01-01) is not a date-time of the years 1 to 9999");
                    continue;
                }
                // without a time zone, a timestamp is a wall clock: China Standard Time's
                b.start[row] = p.has_zone ? s : s - detail::k_cst_offset_s;
            } else {
                const ArrowStringView s = text_at(v, p.dictionary, i);
                detail::read_start(
                    b, row, std::string_view(s.data, static_cast<std::size_t>(s.size_bytes)));
            }
        }
    }

    void read_duration(call_batch& b, const column_plan& p) const {
        const ArrowArrayView* v = column(p);
        const auto n = static_cast<std::int64_t>(b.size());
        const ArrowType t = p.value_type;
        for (std::int64_t i = 0; i < n; ++i) {
            const auto row = static_cast<std::size_t>(i);
            if (b.bad[row]) continue;
            if (ArrowArrayViewIsNull(v, i)) {
                detail::missing(b, row, p.name);
            } else if (is_text(t)) {
                const ArrowStringView s = text_at(v, p.dictionary, i);
                detail::read_duration(
                    b, row, std::string_view(s.data, static_cast<std::size_t>(s.size_bytes)));
            } else if (t == NANOARROW_TYPE_FLOAT || t == NANOARROW_TYPE_DOUBLE) {
                detail::read_duration(b, row, ArrowArrayViewGetDoubleUnsafe(v, i));
            } else if (t == NANOARROW_TYPE_DURATION) {
                const std::int64_t raw = ArrowArrayViewGetIntUnsafe(v, i);
                if (raw % p.per_second != 0)
                    detail::read_duration(
                        b, row, static_cast<double>(raw) / static_cast<double>(p.per_second));
                else
                    detail::read_duration(b, row, raw / p.per_second);
            } else if (t == NANOARROW_TYPE_UINT64) {
                const std::uint64_t u = ArrowArrayViewGetUIntUnsafe(v, i);
                if (u > static_cast<std::uint64_t>(INT64_MAX))
                    b.fail(row, std::string(p.name),
                           "duration_s: " + std::to_string(u) +
                               " is not a whole number of seconds from 0 to a year");
                else
                    detail::read_duration(b, row, static_cast<std::int64_t>(u));
            } else {
                detail::read_duration(b, row, ArrowArrayViewGetIntUnsafe(v, i));
            }
        }
    }

    std::string name_;
    stream_guard stream_;
    schema_guard schema_;
    view_guard view_;
    std::array<column_plan, 4> plans_;
    std::int64_t next_row_ = 1;
};

class arrow_source final : public call_source {
  public:
    arrow_source(std::function<void(ArrowArrayStream*)> open, std::string name)
        : open_(std::move(open)), name_(std::move(name)) {}
    [[nodiscard]] const std::string& name() const override { return name_; }
    [[nodiscard]] std::unique_ptr<reader> read() override {
        return std::make_unique<arrow_reader>(open_, name_);
    }

  private:
    std::function<void(ArrowArrayStream*)> open_;
    std::string name_;
};

}  // namespace

std::unique_ptr<call_source> call_source::arrow(std::function<void(ArrowArrayStream* out)> open,
                                                std::string name) {
    if (!open) throw usage_error("call_source::arrow needs a function that opens the stream");
    return std::make_unique<arrow_source>(std::move(open), std::move(name));
}

}  // namespace telecomply
