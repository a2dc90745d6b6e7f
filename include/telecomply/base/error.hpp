#pragma once
/// \file error.hpp
/// The exception hierarchy. Every error telecomply throws derives from telecomply::error and
/// carries a stable code; the Python package mirrors each class under telecomply.Error.

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "telecomply/base/diagnostic.hpp"

namespace telecomply {

/// Stable error codes. The numeric values and the names returned by to_string() are a public
/// contract (scripts match on them); add new codes at the end, never renumber.
enum class errc : std::uint16_t {
    parse_error = 1,         ///< an expression does not parse
    compile_error = 2,       ///< an expression parses but cannot be compiled (unknown name...)
    evaluation_error = 3,    ///< an expression evaluated to an error value
    limit_exceeded = 4,      ///< a size, depth, time or memory bound was reached
    invalid_input = 5,       ///< an input document is malformed or fails its schema
    ruleset_error = 6,       ///< a ruleset file is malformed or inconsistent
    calendar_error = 7,      ///< a date outside the calendar's covered years, or bad calendar data
    workflow_error = 8,      ///< a malformed workflow definition
    transition_refused = 9,  ///< an event is not allowed in the case's state or its guard fails
    store_error = 10,        ///< the case store failed (I/O, SQLite)
    conflict = 11,           ///< optimistic concurrency: the case changed since it was read
    integrity_error = 12,    ///< the hash chain of a case's events does not verify
    not_found = 13,          ///< no such case, ruleset, region or file
    usage_error = 14,        ///< a library call was made with invalid arguments
    seal_error = 15,  ///< a seal key, seal or bundle cannot be used (bad PEM, key type, file)
};

/// The stable name of a code, e.g. "parse_error".
std::string_view to_string(errc code) noexcept;

/// Base class of every exception telecomply throws.
class error : public std::runtime_error {
  public:
    error(errc code, const std::string& what)
        : std::runtime_error(what), code_(code), text_(std::make_shared<const std::string>(what)) {}
    /// The stable code of this error.
    [[nodiscard]] errc code() const noexcept { return code_; }
    /// The whole message: what() as a std::string, with any NUL byte it quotes from the input
    /// (what() ends at the first).
    [[nodiscard]] const std::string& text() const noexcept { return *text_; }

  private:
    errc code_;
    std::shared_ptr<const std::string> text_;  // shared: copying an exception cannot throw
};

/// Where in a source text something happened: 1-based line and column (0 when unknown).
struct source_location {
    std::uint32_t line = 0;
    std::uint32_t column = 0;
};

/// An expression failed to parse or compile. what() reads "line:column: message".
class expression_error : public error {
  public:
    expression_error(errc code, source_location where, const std::string& message)
        : error(code, format(where, message)), where_(where), message_(message) {}
    [[nodiscard]] source_location where() const noexcept { return where_; }
    /// The message without the position prefix.
    [[nodiscard]] const std::string& message() const noexcept { return message_; }

  private:
    static std::string format(source_location where, const std::string& message);
    source_location where_;
    std::string message_;
};

/// An expression evaluated to an error value and the caller asked for an exception.
class evaluation_error : public error {
  public:
    explicit evaluation_error(const std::string& what) : error(errc::evaluation_error, what) {}
};

/// A bound on expression length, nesting depth, comprehension work or memory was reached.
class limit_error : public error {
  public:
    explicit limit_error(const std::string& what) : error(errc::limit_exceeded, what) {}
};

/// Bad data in a file: names the file, the line (0 when unknown) and the JSON path.
class data_error : public error {
  public:
    data_error(errc code, std::string file, std::uint32_t line, std::string json_path,
               const std::string& message);
    [[nodiscard]] const std::string& file() const noexcept { return file_; }
    [[nodiscard]] std::uint32_t line() const noexcept { return line_; }
    [[nodiscard]] const std::string& json_path() const noexcept { return json_path_; }
    /// The message without the location prefix.
    [[nodiscard]] const std::string& message() const noexcept { return message_; }
    /// The same problem as a diagnostic (an error; code: the name of code()).
    [[nodiscard]] diagnostic to_diagnostic() const;

  protected:
    /// A problem that is not located in a file: what() is the message alone.
    data_error(errc code, const std::string& message);

  private:
    std::string file_;
    std::uint32_t line_;
    std::string json_path_;
    std::string message_;
};

/// An input document (an application, call records...) is malformed or fails its schema.
class input_error : public data_error {
  public:
    input_error(std::string file, std::uint32_t line, std::string json_path,
                const std::string& message)
        : data_error(errc::invalid_input, std::move(file), line, std::move(json_path), message) {}
};

/// A ruleset is malformed or inconsistent.
class ruleset_error : public data_error {
  public:
    ruleset_error(std::string file, std::uint32_t line, std::string json_path,
                  const std::string& message)
        : data_error(errc::ruleset_error, std::move(file), line, std::move(json_path), message) {}
};

/// A date outside the working calendar's covered years, or malformed calendar data (then,
/// where known, the file, the line and the JSON path).
class calendar_error : public data_error {
  public:
    explicit calendar_error(const std::string& what) : data_error(errc::calendar_error, what) {}
    calendar_error(std::string file, std::uint32_t line, std::string json_path,
                   const std::string& message)
        : data_error(errc::calendar_error, std::move(file), line, std::move(json_path), message) {}
};

/// A workflow definition is malformed: the file, the line and the JSON path where known.
class workflow_error : public data_error {
  public:
    explicit workflow_error(const std::string& what) : data_error(errc::workflow_error, what) {}
    workflow_error(std::string file, std::uint32_t line, std::string json_path,
                   const std::string& message)
        : data_error(errc::workflow_error, std::move(file), line, std::move(json_path), message) {}
};

/// An event was refused: not allowed in the current state, or its guard failed.
/// Carries what was refused: the case, its state, the event and the reason (a guard's or the
/// workflow's words), each also in what().
class transition_refused : public error {
  public:
    explicit transition_refused(const std::string& what) : error(errc::transition_refused, what) {}
    transition_refused(std::string case_id, std::string state, std::string event,
                       std::string reason)
        : error(errc::transition_refused, "case " + case_id + ": event '" + event +
                                              "' refused in state '" + state + "': " + reason),
          case_id_(std::move(case_id)),
          state_(std::move(state)),
          event_(std::move(event)),
          reason_(std::move(reason)) {}
    [[nodiscard]] const std::string& case_id() const noexcept { return case_id_; }
    /// The state the case was in ("under_review").
    [[nodiscard]] const std::string& state() const noexcept { return state_; }
    /// The event type refused ("approve").
    [[nodiscard]] const std::string& event() const noexcept { return event_; }
    /// Why ("blocking findings: COMPANY_TOO_NEW (company.too_new)").
    [[nodiscard]] const std::string& reason() const noexcept { return reason_; }

  private:
    std::string case_id_, state_, event_, reason_;
};

/// The case store failed.
class store_error : public error {
  public:
    explicit store_error(const std::string& what, errc code = errc::store_error)
        : error(code, what) {}
};

/// Optimistic concurrency: the case's version is not the one the writer expected.
class conflict_error : public store_error {
  public:
    explicit conflict_error(const std::string& what) : store_error(what, errc::conflict) {}
};

/// A case's event chain does not verify (edited, reordered or deleted events).
class integrity_error : public store_error {
  public:
    explicit integrity_error(const std::string& what) : store_error(what, errc::integrity_error) {}
};

/// Something named does not exist: a case, a ruleset version, a region, a file.
class not_found_error : public error {
  public:
    explicit not_found_error(const std::string& what) : error(errc::not_found, what) {}
};

/// A library function was called with invalid arguments.
class usage_error : public error {
  public:
    explicit usage_error(const std::string& what) : error(errc::usage_error, what) {}
};

/// A seal key, a seal or a bundle cannot be used (cases/seal.hpp): a key that is not an Ed25519
/// key in PEM, a key file that exists already or cannot be written, a seal document too
/// malformed to export by (the JSON path where known). A seal that does not verify is not an
/// error: verify_seal() and verify_bundle() report it.
class seal_error : public data_error {
  public:
    explicit seal_error(const std::string& what) : data_error(errc::seal_error, what) {}
    seal_error(std::string file, std::uint32_t line, std::string json_path,
               const std::string& message)
        : data_error(errc::seal_error, std::move(file), line, std::move(json_path), message) {}
};

}  // namespace telecomply
