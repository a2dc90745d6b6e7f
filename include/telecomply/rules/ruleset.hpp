#pragma once
/// \file ruleset.hpp
/// Policy rulesets: loading, composition (extends / overrides), versions in force on a date,
/// and checking applications. See docs/rulesets.md for the file format.

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "telecomply/base/date.hpp"
#include "telecomply/base/diagnostic.hpp"
#include "telecomply/domain/calendar.hpp"
#include "telecomply/expr/document.hpp"
#include "telecomply/expr/expression.hpp"
#include "telecomply/rules/verdict.hpp"

namespace telecomply {

/// The phase a rule belongs to.
enum class phase : std::uint8_t { intake, review, screening };
std::string_view to_string(phase p) noexcept;

/// One rule of a merged ruleset, compiled.
struct rule {
    std::string id;
    std::string code;     ///< empty for an obligation rule
    std::string subject;  ///< literal subject, or empty
    telecomply::phase phase = phase::intake;
    telecomply::severity level = severity::blocking;
    localized message;
    localized remedy;
    std::string reference;
    std::vector<std::string> obligations;
    std::string origin;    ///< "CN@2026.1": the ruleset that defined or last overrode it
    std::string each_var;  ///< with `each`: the element's variable name
    int each_slot = -1;    ///< its variable slot
    const nlohmann::json* params = nullptr;  ///< the owning ruleset's parameters (templates)
    // Expression sources (empty when absent) and their compiled forms.
    std::string when_src, require_src, each_src, subject_src;
    expression when, require, each, subject_expr;

    [[nodiscard]] bool is_obligation_rule() const noexcept { return code.empty(); }
};

/// A named value computed once per application before the rules run (`variables` in a
/// ruleset), which rules read as `variables.NAME`.
struct ruleset_variable {
    std::string name;
    std::string source;
    expression expr;
    int slot = -1;
    std::string origin;  ///< the ruleset that defined it
};

/// Where a check happens: the date it is "as of" and whether to record a trace.
struct check_options {
    std::optional<date> as_of;   ///< default: the application's submitted_on
    bool trace = false;          ///< record each rule's inputs and outcome (explain)
    bool trace_full = false;     ///< with trace: every value read whole (rule_trace::inputs)
    bool include_review = true;  ///< evaluate review-phase rules too (intake only when false)
};

/// A merged, compiled ruleset: a region's version with its whole extends chain applied.
/// Immutable; share it freely across threads.
class ruleset : public std::enable_shared_from_this<ruleset> {
  public:
    [[nodiscard]] const std::string& id() const noexcept { return id_; }
    [[nodiscard]] const std::string& version() const noexcept { return version_; }
    [[nodiscard]] date effective_from() const noexcept { return from_; }
    [[nodiscard]] std::optional<date> effective_to() const noexcept { return to_; }
    /// The chain from the root: {"CN@2026.1", "CN-GD@2026.1"}.
    [[nodiscard]] const std::vector<std::string>& chain() const noexcept { return chain_; }
    /// "sha256:<hex>" over the canonical JSON of every file in the chain.
    [[nodiscard]] const std::string& digest() const noexcept { return digest_; }
    /// The files of the chain as the digest covers them, root first: `[{"name": "CN@2026.1",
    /// "json": {...}}, ...]`. What a case store keeps of the rules a case pinned; rebuilt with
    /// catalogue::from_content().
    [[nodiscard]] const nlohmann::json& content() const noexcept { return *content_; }
    /// The merged parameters.
    [[nodiscard]] const nlohmann::json& parameters() const noexcept { return *params_json_; }
    [[nodiscard]] const std::vector<rule>& rules() const noexcept { return rules_; }
    /// The ruleset's variables, in evaluation order.
    [[nodiscard]] const std::vector<ruleset_variable>& variables() const noexcept {
        return variables_;
    }
    [[nodiscard]] const rule* find_rule(std::string_view id) const noexcept;
    /// Notes of every file in the chain.
    [[nodiscard]] const std::vector<std::string>& notes() const noexcept { return notes_; }
    /// The merged parameters as a value (for rule expressions and message templates).
    [[nodiscard]] const value& params() const noexcept { return params_doc_.root(); }

    /// Checks an application document (docs/policy.md §1, already schema-valid). `ctx` is scratch
    /// space reused across calls on one thread.
    [[nodiscard]] verdict check(const document& app, const check_options& opts,
                                eval_context& ctx) const;

    /// Variables rule expressions see, in slot order: app, the top-level fields, params... Used
    /// by tools that evaluate expressions against applications the same way.
    static const std::vector<std::string>& variable_names();

  private:
    friend class catalogue;
    std::string id_, version_;
    date from_;
    std::optional<date> to_;
    std::vector<std::string> chain_;
    std::string digest_;
    std::shared_ptr<const nlohmann::json> params_json_;
    std::shared_ptr<const nlohmann::json> content_;
    document params_doc_;
    std::vector<rule> rules_;
    std::vector<ruleset_variable> variables_;
    std::vector<std::string> notes_;
    std::size_t slot_count_ = 0;
    // the sub-expressions its rules and variables share, evaluated once per application
    std::uint64_t memo_set_ = 0;
    std::uint32_t memo_slots_ = 0;
    std::uint32_t memo_element_slots_ = 0;
};

/// Every ruleset of a folder, by id and version, with the working calendars; resolves the
/// version in force for a region on a date and compiles merged rulesets on first use.
/// Thread-safe.
class catalogue {
  public:
    /// Loads and validates every ruleset file under `dir` (see docs/rulesets.md) and the
    /// calendars in `dir/calendars`. Throws ruleset_error naming the file, line and JSON path.
    /// Expressions are compiled lazily; call lint() to compile everything up front.
    static std::shared_ptr<catalogue> load(const std::filesystem::path& dir);
    /// The same, collecting instead of throwing: a file with a problem (JSON syntax, schema, a
    /// bad header, a duplicate or overlapping version, an unknown parent) is reported into
    /// `problems` and left out, and the rest is loaded; calendar problems are left to
    /// lint_calendars(). Returns nullptr when the folder itself is unusable (also reported).
    static std::shared_ptr<catalogue> load(const std::filesystem::path& dir,
                                           std::vector<diagnostic>& problems);
    /// `dir` with overlay folders layered over it, in order (docs/rulesets.md, "Overlays"): each
    /// overlay adds ruleset versions (new regions, new versions of existing ids) without
    /// editing the files beneath it. An overlay's version may not restate a version already
    /// loaded (same id and version: a ruleset_error naming both files). Calendars, workflows,
    /// schemas come from `dir`; an overlay's own `tests/` is what `telecomply test` runs. Same
    /// errors as load(dir); an overlay that is not a folder is a ruleset_error naming it.
    static std::shared_ptr<catalogue> load(const std::filesystem::path& dir,
                                           const std::vector<std::filesystem::path>& overlays);
    /// The same, collecting problems (as load(dir, problems)).
    static std::shared_ptr<catalogue> load(const std::filesystem::path& dir,
                                           const std::vector<std::filesystem::path>& overlays,
                                           std::vector<diagnostic>& problems);
    /// The rulesets folder to use when none is given (docs/rulesets.md, "Where telecomply finds
    /// its rulesets"), the first of: $TELECOMPLY_RULESETS (when set and not empty, as is);
    /// `<prefix>/share/telecomply/rulesets` of the prefix holding the running program, or the
    /// shared library holding telecomply, wherever that prefix was installed or moved to; the
    /// source tree's rulesets/, for a program of telecomply's own build tree only; the rulesets
    /// of the installed package the program was built against (find_package(telecomply), see
    /// below); the rulesets of the install prefix telecomply was configured with. Throws
    /// not_found_error, naming the folders looked at, when none of them exists.
    static std::filesystem::path default_dir();

    /// The merged ruleset for `region` in force on `on`. Throws not_found_error when the region
    /// has no ruleset or no version covers the date, ruleset_error when it does not compile.
    [[nodiscard]] std::shared_ptr<const ruleset> resolve(std::string_view region, date on) const;
    /// A specific version of a ruleset id (its parents resolved on its effective_from).
    [[nodiscard]] std::shared_ptr<const ruleset> get(std::string_view id,
                                                     std::string_view version) const;
    /// All (id, version) pairs.
    [[nodiscard]] std::vector<std::pair<std::string, std::string>> list() const;
    [[nodiscard]] const std::filesystem::path& dir() const noexcept { return dir_; }
    /// The overlay folders layered over dir(), in order (empty without overlays).
    [[nodiscard]] const std::vector<std::filesystem::path>& overlays() const noexcept {
        return overlays_;
    }
    /// The file that defines ruleset version `name` ("CN-GD@2026.2"), or an empty path when no
    /// file of the catalogue does.
    [[nodiscard]] std::filesystem::path file_of(std::string_view name) const;
    /// What loading decided that a reader of the files should know, as diagnostics with
    /// severity note: which overlay file defines which version and what it extends, and which
    /// open-ended version a later one ended (docs/rulesets.md, "Versions").
    [[nodiscard]] const std::vector<diagnostic>& notes() const noexcept { return notes_; }
    [[nodiscard]] const std::shared_ptr<const calendar_set>& calendars() const noexcept {
        return calendars_;
    }

    /// One problem lint found.
    using problem = diagnostic;
    /// Compiles every ruleset version with every parent version it can meet and reports
    /// problems instead of throwing: expression errors, references to missing parameters,
    /// version gaps, field paths the application schema does not have (an error where the
    /// schema allows no such member, a warning where it leaves the object open; with the
    /// nearest member as "did you mean"), and (as warnings) parameters nothing reads and
    /// parameters laxer than the national ones (`x-stricter` of the ruleset schema).
    /// `used_elsewhere` names parameters read outside the rules (by the workflow); with
    /// `check_unused` false (what reads them is not known, e.g. a workflow failed to load) unread
    /// parameters are not reported. A ruleset rebuilt from content() of another (kept by a case
    /// store), compiled with this catalogue's calendars: the same rules and digest whatever the
    /// folder now holds. Throws ruleset_error naming `label` when the content is malformed or its
    /// digest is not `expected_digest` (when given).
    [[nodiscard]] std::shared_ptr<const ruleset> from_content(
        const nlohmann::json& content, const std::string& label,
        const std::string& expected_digest = {}) const;

    [[nodiscard]] std::vector<problem> lint(const std::vector<std::string>& used_elsewhere = {},
                                            bool check_unused = true) const;

    struct source;  // one loaded file

  private:
    static std::shared_ptr<catalogue> load_impl(const std::filesystem::path& dir,
                                                const std::vector<std::filesystem::path>& overlays,
                                                std::vector<diagnostic>* problems);
    // `expression_errors`: collect the rules' and variables' expression errors there and go on
    // (lint: one bad expression must not hide the other rules' problems); a ruleset built
    // with errors is not cached and must not judge applications.
    std::shared_ptr<const ruleset> build(
        const source& leaf, date on, std::vector<ruleset_error>* expression_errors = nullptr) const;
    // lint: every field path the rules of `rs` read, against the application schema
    void check_field_paths(const ruleset& rs, std::vector<problem>& out) const;
    // lint: parameters of `rs` laxer than the national ones, by their schema's x-stricter
    void check_parameter_directions(const ruleset& rs, std::vector<problem>& out) const;
    // lint: time windows among the parameters `rs`'s own file sets whose start is not before
    // their end
    void check_windows(const ruleset& rs, std::vector<problem>& out) const;
    std::filesystem::path dir_;
    std::vector<std::filesystem::path> overlays_;
    std::vector<diagnostic> notes_;
    std::map<std::string, std::vector<std::shared_ptr<const source>>, std::less<>> by_id_;
    std::shared_ptr<const calendar_set> calendars_;
    // every check reads the cache (shared); composing a version writes it (exclusive)
    mutable std::shared_mutex mutex_;
    // composed versions by their chain of files, root first
    mutable std::map<std::vector<const source*>, std::shared_ptr<const ruleset>> cache_;
};

namespace detail {
/// Notes the rulesets folder of the installed telecomply package a program is built against, for
/// catalogue::default_dir(). Called from the definition below; nothing else needs to call it.
bool note_package_rulesets(const char* dir) noexcept;
}  // namespace detail

// find_package(telecomply) defines TELECOMPLY_PACKAGE_RULESETS, for the programs that link
// telecomply::telecomply, as the package's rulesets folder (telecomply_RULESETS_DIR, computed
// from where the package is when the program is configured). Every translation unit that can call
// catalogue::default_dir() includes this header, so the folder is noted before any such call of
// the unit, static initialisers included (as <iostream> sets up the standard streams).
#ifdef TELECOMPLY_PACKAGE_RULESETS
namespace detail {
[[maybe_unused]] static const bool package_rulesets_noted =
    note_package_rulesets(TELECOMPLY_PACKAGE_RULESETS);
}  // namespace detail
#endif

}  // namespace telecomply
