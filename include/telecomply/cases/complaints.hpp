#pragma once
/// \file complaints.hpp
/// Complaints about whitelisted numbers (docs/workflow.md, "Complaints"): the records a
/// complaints file holds (CSV or JSON Lines), and what importing them into a case store did
/// (case_service::import_complaints()): each record becomes a `complaint` event on the case that
/// whitelisted its number when it was received, so that the workflow's complaint threshold
/// suspends the number's case.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "telecomply/base/diagnostic.hpp"

namespace telecomply {

/// One complaint as a file or a caller gives it, and where it came from. A value type.
struct complaint_record {
    std::string number;       ///< the number complained about, in any writing canonical_phone()
                              ///< accepts ("+86 138 6675 1415")
    std::string received_at;  ///< when it was received: RFC 3339, or YYYY-MM-DD (00:00 in China
                              ///< Standard Time)
    std::optional<std::string> source;  ///< who passed it on (a hotline, "12321"), when given
    // where the record is, for reports: the file ("" for none), its 1-based line (0 when
    // unknown) and, for JSON, the record's JSON path ("$[3]" in a list; "" for a JSON Lines
    // line, which is the record itself)
    std::string file;
    std::uint32_t line = 0;
    std::string json_path;
};

/// The records read from a complaints file, and its bad records: a record that cannot be read
/// is a diagnostic (file, line, JSON path or CSV column, message; code "invalid_input") and the
/// rest are still read. A value type.
struct complaint_batch {
    std::vector<complaint_record> records;  ///< in file order
    std::vector<diagnostic> errors;         ///< in file order
};

/// CSV (RFC 4180): a header row naming the columns `number` and `received_at`, and optionally
/// `source` (other columns are ignored), then one record per row; fields may be quoted ("...",
/// with "" for a quote), and a quoted field may hold commas and line breaks. Lines end in LF or
/// CRLF; blank lines are skipped; a UTF-8 byte order mark is dropped. A row with another number
/// of fields than the header, or a quote left open, is a bad record named by its line. Throws
/// input_error naming `name` (line 1) when the header lacks `number` or `received_at`, or names a
/// column twice.
[[nodiscard]] complaint_batch parse_complaints_csv(std::string_view text, std::string_view name);
/// JSON: one JSON array of records, or JSON Lines (one record per line; blank lines skipped).
/// A record is an object `{"number", "received_at", "source"?}` whose values are text (other
/// keys are ignored). A line that is not JSON, or a record that is not an object or has a value
/// of the wrong type, is a bad record named by its line and JSON path. Throws input_error when
/// an array is not valid JSON as a whole.
[[nodiscard]] complaint_batch parse_complaints_json(std::string_view text, std::string_view name);
/// Records given as a JSON array of objects (the Python list of dicts): as
/// parse_complaints_json(), the JSON path of each record `$[i]`, no line. input_error when `list`
/// is not an array.
[[nodiscard]] complaint_batch complaints_from_json(const nlohmann::json& list,
                                                   std::string_view name);
/// parse_complaints_csv() or parse_complaints_json() by the extension of `name` (`.csv`;
/// `.jsonl`, `.ndjson`, `.json`), else by the text: JSON when its first character (after
/// blanks and a byte order mark) is `{` or `[`, CSV otherwise.
[[nodiscard]] complaint_batch parse_complaints(std::string_view text, std::string_view name);
/// parse_complaints() of a file; input_error naming it when it cannot be read.
[[nodiscard]] complaint_batch read_complaints(const std::filesystem::path& file);

/// What became of one record. A value type.
struct complaint_outcome {
    complaint_record record;  ///< as given
    std::size_t index = 0;    ///< its position among the records imported (0-based)
    std::string number;       ///< canonical_phone() form
    /// applied and duplicate: the case; refused: the case it was matched to; "" otherwise.
    std::string case_id;
    /// applied: the seq of the event recorded; duplicate: of the complaint event already there.
    std::int64_t seq = 0;
    /// applied: the case's state after it ("suspended" when it reached the threshold).
    std::string state;
    /// unmatched and refused: why ("no case whitelisted 13800138000 at ...", the workflow's or
    /// the time rules' refusal).
    std::string reason;

    /// `{number, received_at, source?, file, line, json_path, case?, seq?, state?, reason?}`
    /// (the members that apply to its kind).
    [[nodiscard]] nlohmann::json to_json() const;
};

/// What case_service::import_complaints() did with each record; every list in input order.
/// A value type.
struct complaint_import_report {
    std::vector<complaint_outcome> applied;     ///< recorded as a complaint event
    std::vector<complaint_outcome> duplicates;  ///< already recorded (the same number and time)
    /// no case whitelisted the number at that time, or more than one did
    std::vector<complaint_outcome> unmatched;
    /// matched, but the case refused it (its workflow state, the time rules: docs/policy.md §8)
    std::vector<complaint_outcome> refused;
    std::vector<diagnostic> errors;  ///< bad records (no number, a bad time...), not imported

    /// True when every record was applied or already there.
    [[nodiscard]] bool ok() const noexcept {
        return unmatched.empty() && refused.empty() && errors.empty();
    }
    /// `{applied: [...], duplicates: [...], unmatched: [...], refused: [...], errors: [{file,
    /// line, json_path, message}]}`, the outcomes as complaint_outcome::to_json().
    [[nodiscard]] nlohmann::json to_json() const;
};

}  // namespace telecomply
