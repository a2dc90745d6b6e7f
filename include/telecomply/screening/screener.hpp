#pragma once
/// \file screener.hpp
/// Screening call records against the registry of whitelisted numbers and the rules in force
/// (docs/policy.md §6, docs/screening.md): CSV files and Arrow data (the Arrow C Stream
/// Interface, so pyarrow, polars, DuckDB and Spark hand their columns over without a copy).
///
/// The work is columnar: each batch of rows is first turned, column by column, into numbers
/// (canonical number keys, Unix seconds), then judged in one loop over those arrays.
///
/// Memory and order. Every finding but the daily cap is decided from the row alone. The cap
/// needs every call of a number-day in start order: when each caller's calls of a day arrive in
/// start order (a chronological export, or one sorted by caller and start), one pass decides
/// everything and memory holds one counter per number-day. A number-day whose calls arrive out
/// of start order and exceed the cap is ranked exactly in a second pass over the input, which
/// reads only that number-day's calls (memory: those calls). The results of every row wait in a
/// temporary file (2 bytes a row) until the last pass, so memory stays flat whatever the input's
/// size.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "telecomply/cases/registry.hpp"
#include "telecomply/screening/call_findings.hpp"

struct ArrowArrayStream;  // the Arrow C Stream Interface (arrow/c/abi.h)

namespace telecomply {

class catalogue;

/// What screening judges against: the registry, the refusals and the rules (the catalogue
/// whose version in force on a call's date, for the caller's region, gives
/// params.calling_window and params.daily_call_cap). Immutable once built; shared freely
/// across threads.
class screening_context {
  public:
    /// Indexes `registry` (by canonical number) and `refusals` (by callee; the earliest
    /// refused_at of a callee counts). Throws input_error for an entry whose number or region is
    /// unusable.
    screening_context(std::shared_ptr<const catalogue> rules,
                      const std::vector<registry_entry>& registry,
                      const std::vector<refusal>& refusals = {});
    ~screening_context();
    screening_context(screening_context&&) noexcept;
    screening_context& operator=(screening_context&&) noexcept;

    struct impl;
    [[nodiscard]] const impl& self() const noexcept { return *impl_; }

  private:
    std::unique_ptr<impl> impl_;
};

/// Where call records come from. A source may be read more than once (a second pass ranks
/// number-days that arrived out of order: see the file comment). Not thread-safe.
class call_source {
  public:
    virtual ~call_source() = default;
    /// A CSV file with a header row naming at least `caller`, `callee`, `start` and
    /// `duration_s` (any order; other columns are ignored; RFC 4180 quoting). `start`: a local
    /// date-time in China Standard Time (`2026-03-18 09:30:00` or with `T`, optional
    /// fraction), or RFC 3339 with an offset (converted). `duration_s`: whole seconds, ≥ 0.
    /// Throws input_error when the file cannot be read or its header lacks a column or names
    /// one twice. `name` is the file's name in messages (default: `file`; `<stdin>` for a copy
    /// of standard input).
    [[nodiscard]] static std::unique_ptr<call_source> csv_file(std::filesystem::path file,
                                                               std::string name = {});
    /// An Arrow stream, opened once per pass by `open` (which fills the stream it is given).
    /// Columns by name: `caller`, `callee` (utf8, large_utf8 or an integer type), `start`
    /// (timestamp of any unit: with a time zone an instant, without one a local China Standard
    /// Time wall clock; or utf8 as for CSV), `duration_s` (an integer type, or a float holding
    /// whole seconds). Rows are numbered 1, 2, ... across the stream's batches.
    [[nodiscard]] static std::unique_ptr<call_source> arrow(
        std::function<void(ArrowArrayStream* out)> open, std::string name = "<arrow>");

    /// The name used in messages (the file).
    [[nodiscard]] virtual const std::string& name() const = 0;

    struct reader;
    /// Starts a pass over the records (library-internal).
    [[nodiscard]] virtual std::unique_ptr<reader> read() = 0;
};

/// An example call for people reading a report.
struct call_example {
    std::int64_t row = 0;
    std::string caller, callee;  ///< canonical forms
    std::string start;           ///< local date-time in China Standard Time
    std::int64_t duration_s = 0;
    std::uint8_t codes = 0;  ///< call_finding bits
};

/// What a screening run found, beyond each row's codes.
struct screening_report {
    std::int64_t rows = 0;                        ///< data rows read
    std::int64_t bad_rows = 0;                    ///< rows with an input error
    std::int64_t flagged_rows = 0;                ///< rows with at least one finding
    std::map<std::string, std::int64_t> by_code;  ///< finding code -> calls
    /// (finding code, region) -> calls; region "" for callers never listed.
    std::map<std::pair<std::string, std::string>, std::int64_t> by_code_region;
    /// Numbers with the most flagged calls (at most 10): (number, calls), most first.
    std::vector<std::pair<std::string, std::int64_t>> worst_numbers;
    /// For each finding code, its first few calls (at most 3) in row order.
    std::map<std::string, std::vector<call_example>> examples;
    /// The number-days over their cap, by number then day.
    std::vector<number_day_finding> number_days;
    /// Findings per local day and region: (day, region, code) -> calls.
    std::map<std::tuple<std::string, std::string, std::string>, std::int64_t> by_day;
    int passes = 1;  ///< 2 when a number-day had to be ranked again

    /// `{rows, bad_rows, flagged_rows, by_code, by_code_region: [{code, region, calls}],
    /// worst_numbers: [{number, calls}], examples: {code: [...]}, number_days: [{number, date,
    /// region, count, cap}], by_day: [{date, region, code, calls}], passes}`.
    [[nodiscard]] nlohmann::json to_json() const;
    /// to_json(), indented, into `file`, atomically: written beside it under a name of its own,
    /// synced, renamed over it, so that `file` is never half-written and no other file is
    /// touched. Throws store_error naming the file when it cannot be written (nothing is left).
    void write_file(const std::filesystem::path& file) const;
};

/// Receives each row's result, once, in row order.
class screening_sink {
  public:
    virtual ~screening_sink() = default;
    /// Rows `first_row`, `first_row + 1`, ... (1-based): `codes[i]` holds call_finding bits;
    /// `errors` lists the rows among them that could not be screened (their codes are 0).
    virtual void rows(std::int64_t first_row, std::span<const std::uint8_t> codes,
                      std::span<const call_row_error> errors) = 0;
};

/// Screens every record of `input` and gives each row's codes to `out`, in row order, after
/// the last pass (see the file comment). A bad row is reported in place and the rest goes on.
/// Throws input_error when the input cannot be read at all (a missing column, an unreadable
/// file, a stream error), store_error when the temporary results cannot be written. Thread
/// safety: any number of runs may share one context.
screening_report screen(const screening_context& ctx, call_source& input, screening_sink& out);

}  // namespace telecomply
