#pragma once
/// \file engine.hpp
/// The checking pipeline: read an application (JSON), validate it against the application
/// schema, pick the ruleset in force, evaluate, return a verdict. The CLI and the Python package
/// are faces over this class.

#include <exception>
#include <filesystem>
#include <functional>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "telecomply/base/error.hpp"
#include "telecomply/expr/document.hpp"
#include "telecomply/rules/ruleset.hpp"
#include "telecomply/rules/verdict.hpp"

namespace telecomply {

namespace detail {
class json_schema;
}

/// Checks applications against a catalogue of rulesets. Immutable after construction and safe
/// to use from many threads at once.
class engine {
  public:
    /// The rulesets of `rulesets_dir` (default: the installed ones, see catalogue::default_dir()).
    /// The application schema is `rulesets_dir/schema/application.schema.json` when present.
    explicit engine(const std::filesystem::path& rulesets_dir = catalogue::default_dir());
    /// The rulesets of `rulesets_dir` with overlay folders layered over it (catalogue::load).
    engine(const std::filesystem::path& rulesets_dir,
           const std::vector<std::filesystem::path>& overlays);
    explicit engine(std::shared_ptr<const catalogue> rules);
    ~engine();
    engine(engine&&) noexcept;
    engine& operator=(engine&&) noexcept;

    [[nodiscard]] const catalogue& rules() const noexcept { return *catalogue_; }
    [[nodiscard]] const std::shared_ptr<const catalogue>& rules_ptr() const noexcept {
        return catalogue_;
    }

    /// Parses one application from JSON text and validates it against the application schema.
    /// Throws input_error naming `source`, the line (`first_line` is the line the text starts
    /// on) and the JSON path of the first problem.
    [[nodiscard]] document parse(std::string_view json, std::string_view source = "<input>",
                                 std::uint32_t first_line = 1) const;
    /// Validates an application given as JSON; same errors as parse().
    [[nodiscard]] document validate(const nlohmann::json& app, std::string_view source = "<input>",
                                    std::uint32_t line = 0, std::string_view text = {}) const;
    /// Validates an application already built as a document (e.g. from a Python dict); throws
    /// input_error naming `source` and the JSON path. Like parse() and validate(json), it first
    /// makes integer-valued numbers (100.0, 1e2) where the schema says integer into integers
    /// (JSON Schema draft-07: they are integers), so the rules judge them as such; that is why
    /// `app` is not const. Not thread-safe for one `app`.
    void validate(document& app, std::string_view source = "<input>") const;
    /// Whether the application schema describes a dotted field path, e.g.
    /// "materials.marketing_plan.purpose" or "numbers.purpose" (a field of the items of an
    /// array): what an officer may ask to be supplied. False without a schema.
    [[nodiscard]] bool application_path_known(std::string_view dotted_path) const;
    /// Whether the application schema marks a dotted field path, or a value it lies in,
    /// `readOnly`: a fact of the application (its applicant, submitter, dates, the documents'
    /// contents) that a fix may not change (rules/fix.hpp). False without a schema.
    [[nodiscard]] bool application_path_read_only(std::string_view dotted_path) const;

    /// Checks a parsed application with the ruleset of its region in force on its submission
    /// date (or opts.as_of). Throws not_found_error when no ruleset applies.
    [[nodiscard]] verdict check(const document& app, const check_options& opts = {}) const;
    /// Checks with a given version of the region's rules (what-if, policy diffs) instead of the
    /// one in force. Throws not_found_error when the region has no such version.
    [[nodiscard]] verdict check_version(const document& app, std::string_view version,
                                        const check_options& opts = {}) const;
    /// parse() then check().
    [[nodiscard]] verdict check_json(std::string_view json, const check_options& opts = {},
                                     std::string_view source = "<input>",
                                     std::uint32_t first_line = 1) const;

    /// What parsing one application of a stream gives: its document, or the input error that
    /// stopped it.
    using parsed = std::variant<document, input_error>;
    /// Reads JSON Lines (see jsonl_reader in input.hpp: blank lines skipped, memory flat) and
    /// parses every line as one application, as parse() does with errors naming `source` and
    /// the line; calls `sink(line number, document or input_error)` for each in input order,
    /// on the calling thread. Returns the number of applications (non-blank lines). Exceptions
    /// the sink throws propagate and stop the reading.
    std::size_t parse_jsonl(std::istream& in, std::string_view source,
                            const std::function<void(std::uint32_t line, parsed&&)>& sink) const;

    /// One application of check_many(): JSON text (parsed and validated as parse() does) or a
    /// document built already (e.g. from a Python dict).
    using batch_item = std::variant<std::string, document>;
    /// Checks many applications on `threads` threads (0: the hardware's; never more than there
    /// are applications; the calling thread is one of them) and returns their verdicts in input
    /// order. Item i is named `source[i]` in errors (e.g. "apps[3]"). Documents are validated
    /// first unless `validate_documents` is false (for documents validated already; the rules
    /// then judge malformed values as unknown). Every application is checked even when one
    /// fails; then the error of the first failing one (lowest index) is rethrown with its own
    /// type, as parse() / validate() / check() threw it (input_error, not_found_error,
    /// calendar_error...).
    [[nodiscard]] std::vector<verdict> check_many(const std::vector<batch_item>& items,
                                                  const check_options& opts = {},
                                                  unsigned threads = 0,
                                                  bool validate_documents = true,
                                                  std::string_view source = "apps") const;

    /// One item of check_each(): its verdict, or the exception that stopped it (input_error,
    /// not_found_error, calendar_error...), to rethrow or inspect.
    using outcome = std::variant<verdict, std::exception_ptr>;
    /// check_many() that never throws for one application: item i is its verdict or the
    /// exception that stopped it, in input order. Same threads, naming and validation.
    [[nodiscard]] std::vector<outcome> check_each(const std::vector<batch_item>& items,
                                                  const check_options& opts = {},
                                                  unsigned threads = 0,
                                                  bool validate_documents = true,
                                                  std::string_view source = "apps") const;

    /// One item of a batch: a verdict, or the input error that stopped that application.
    using result = std::variant<verdict, input_error>;
    /// Checks every application of a stream in input order, calling `sink` for each. The stream
    /// is JSON Lines (one application per line; blank lines skipped) when `jsonl` is true, else
    /// one JSON document: an application or an array of them. Memory stays flat for JSON Lines:
    /// applications are read, checked and handed over one batch at a time; `threads` (0: the
    /// hardware's) check a batch in parallel (the batch thread pool of check_many()), results
    /// still in input order. Returns the number of applications.
    std::size_t check_stream(std::istream& in, bool jsonl, std::string_view source,
                             const check_options& opts,
                             const std::function<void(std::size_t index, result&&)>& sink,
                             unsigned threads = 1) const;

  private:
    void conform_integers(document& app) const;
    void validate_located(const document& app, std::string_view source, std::uint32_t first_line,
                          std::string_view text) const;
    std::shared_ptr<const catalogue> catalogue_;
    std::unique_ptr<detail::json_schema> schema_;
};

}  // namespace telecomply
