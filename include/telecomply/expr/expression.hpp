#pragma once
/// \file expression.hpp
/// Rule conditions: a subset of Google's Common Expression Language (CEL) with CEL's semantics,
/// plus this domain's extensions (dates, times of day, Chinese identifiers, phone numbers,
/// working days).
///
/// Compile once, evaluate many:
/// \code
///   telecomply::environment env;
///   int app = env.declare("app");
///   auto expr = telecomply::expression::compile("app.numbers.size() <= 50", env);
///   telecomply::eval_context ctx;
///   telecomply::value v = expr.evaluate({&doc.root(), 1}, ctx);
/// \endcode
/// A compiled expression is immutable and may be evaluated from many threads at once, each
/// thread with its own eval_context.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "telecomply/base/error.hpp"
#include "telecomply/expr/arena.hpp"
#include "telecomply/expr/value.hpp"

namespace telecomply {

class eval_context;
class value_builder;
class expression;
namespace detail {
struct eval_access;
struct program_access;
class memo_table;
}  // namespace detail

/// Bounds that keep an untrusted expression from hanging, overflowing the stack or exhausting
/// memory. Every bound is checked; going over is a limit_error (at compile time for the first
/// two, at evaluation time for the others).
struct expression_limits {
    std::size_t max_length = std::size_t{64} * 1024;  ///< source bytes
    std::uint32_t max_depth = 128;                    ///< nesting of the syntax tree
    std::uint64_t max_iterations = 1'000'000;         ///< comprehension steps per evaluation
    std::size_t max_memory = std::size_t{64} << 20;   ///< bytes allocated per evaluation
};

/// A native function callable from expressions. `args` holds the receiver first for member
/// calls (`s.f(x)` has args {s, x}). Return an error value (ctx.error(...)) rather than
/// throwing. Must be thread-safe and, when declared pure, free of side effects (pure calls
/// with constant arguments are evaluated at compile time).
using native_function = value (*)(const value* args, eval_context& ctx);

/// A native function with state of its own (e.g. the working-day functions' calendars):
/// `state` is the pointer given to environment::add_function, kept alive by every expression
/// compiled with it. The same rules as native_function apply; the state must be immutable or
/// guard itself, since expressions are evaluated concurrently.
using stateful_function = value (*)(const value* args, eval_context& ctx, const void* state);

/// A finer test than the kinds of a typed overload, on the argument values themselves (e.g.
/// "a string that is a YYYY-MM-DD date"): false passes the call on to the next overload, and
/// to "no such overload" when none is left. Must be thread-safe and free of side effects.
using overload_filter = bool (*)(const value* args);

/// What an expression may refer to: variables (bound at evaluation time by slot), constants
/// (bound at compile time) and functions. Always present: the standard CEL functions and
/// macros, and cel-spec's extension libraries as cel-go defines them (their conformance cases
/// are the string_ext, math_ext and bindings_ext files of google/cel-spec's simple tests):
///  - strings: `s.charAt(i)`, `s.indexOf(t[, from])`, `s.lastIndexOf(t[, from])`,
///    `s.substring(start[, end])` (indices count code points; an index outside the string is an
///    index_out_of_range error value, start > end an invalid_argument one), `s.replace(old,
///    new[, n])`, `s.split(sep[, n])` (n < 0: no limit), `list.join([sep])` (strings only),
///    `s.reverse()`, `s.lowerAscii()`, `s.upperAscii()`, `s.trim()` (Unicode White_Space),
///    `strings.quote(s)`, `s.format(list)` (clauses %s %d %f %e %b %x %X %o, precision `%.3f`;
///    a bad clause or argument is an invalid_argument error value);
///  - math: `math.greatest(x, ...)` and `math.least(x, ...)` (numbers of any numeric kinds, or
///    one list of them), `math.ceil/floor/round/trunc(double)`, `math.abs(x)` (overflow error
///    on the least int), `math.sign(x)`, `math.isNaN/isInf/isFinite(double)`,
///    `math.bitAnd/bitOr/bitXor(a, b)`, `math.bitNot(a)`, `math.bitShiftLeft/bitShiftRight(a,
///    n)` (int or uint; n < 0 is an invalid_argument error, n >= 64 gives 0);
///  - `cel.bind(v, init, body)`: `body` with the variable `v` bound to `init`, evaluated once.
/// A call `ns.f(...)` whose receiver is a name (not a macro variable) calls the function named
/// "ns.f" when there is one: add namespaced functions of your own under such names.
/// docs/expressions.md has worked examples. The domain functions (identifiers, working days)
/// are installed by the domain layer (install_domain_functions() in
/// <telecomply/domain/cel_functions.hpp>).
class environment {
  public:
    environment();
    environment(const environment&);
    environment& operator=(const environment&);
    environment(environment&&) noexcept;
    environment& operator=(environment&&) noexcept;
    ~environment();

    /// Declares a variable; returns its slot, the index of its value in the span given to
    /// expression::evaluate. Declaring a name twice returns the same slot. Names may be
    /// qualified ("a.b.c").
    int declare(std::string_view name);
    /// The slot of a declared variable, or -1.
    [[nodiscard]] int slot(std::string_view name) const noexcept;
    /// Number of declared variables.
    [[nodiscard]] std::size_t slot_count() const noexcept;
    /// Binds a name to a constant (deep-copied), e.g. a ruleset's parameters: lookups through
    /// it are resolved at compile time.
    void define_constant(std::string_view name, const value& v);
    /// Adds a typed overload of a function: `name(args...)` when `member` is false,
    /// `args[0].name(args[1..])` when true. `params` gives the kinds accepted at each argument
    /// position (receiver first), and `fn` is only ever called with arguments of those kinds.
    /// The overloads of one name, call style and arity are tried newest first; a call none
    /// accepts evaluates to the error "no such overload: name(kinds...)"
    /// (eval_errc::no_such_overload), and an error argument is returned before any overload
    /// is tried (CEL functions are strict). An overload accepting every kind an earlier one
    /// accepts hides it (unless it has a filter, see overload_filter). Prefer the typed adapters of
    /// <telecomply/expr/function_adapter.hpp>, which derive `params` from a C++ signature. Throws
    /// usage_error for a null `fn`. Not synchronised: configure an environment before sharing it.
    void add_overload(std::string_view name, bool member, std::vector<kind_set> params,
                      native_function fn, bool pure = true, overload_filter accepts = nullptr);
    /// As above, for a function that carries state (see stateful_function): `state` is shared
    /// by the environment and every expression compiled with it.
    void add_overload(std::string_view name, bool member, std::vector<kind_set> params,
                      stateful_function fn, std::shared_ptr<const void> state, bool pure = true,
                      overload_filter accepts = nullptr);
    /// Adds an overload taking `arity` arguments of any kind (CEL `dyn`): the function checks
    /// its arguments' kinds itself. A later definition hides an earlier one of the same name,
    /// call style and arity.
    void add_function(std::string_view name, std::uint32_t arity, bool member, native_function fn,
                      bool pure = true);
    /// As above, for a function that carries state (see stateful_function).
    void add_function(std::string_view name, std::uint32_t arity, bool member, stateful_function fn,
                      std::shared_ptr<const void> state, bool pure = true);
    /// Unchecked mode (CEL evaluation without the type checker): unknown names and functions
    /// become runtime errors instead of compile errors. Off by default so that rulesets with
    /// a typo fail to load.
    void set_unchecked(bool on) noexcept;
    [[nodiscard]] bool unchecked() const noexcept;

    struct impl;  // opaque: the declarations, for the compiler

  private:
    friend class expression;
    [[nodiscard]] const impl& details() const noexcept { return *impl_; }
    std::unique_ptr<impl> impl_;
};

/// Per-thread scratch space for evaluation: an arena for the values an evaluation creates and
/// the work counters the limits are checked against. Reusing one context makes evaluation
/// allocation-free in the steady state. A value an evaluation returns stays valid until the
/// context's next evaluation or reset().
class eval_context {
  public:
    explicit eval_context(const expression_limits& limits = {});
    eval_context(const eval_context&) = delete;
    eval_context& operator=(const eval_context&) = delete;
    ~eval_context();

    /// Frees the values of previous evaluations.
    void reset() noexcept;
    /// An error value allocated in this context.
    value error(eval_errc code, std::string_view message);
    [[nodiscard]] telecomply::arena& arena() noexcept { return *current_; }
    [[nodiscard]] const expression_limits& limits() const noexcept { return limits_; }
    /// Offset in the source of the call being evaluated (for native functions' errors).
    [[nodiscard]] std::uint32_t offset() const noexcept { return offset_; }

  private:
    // The evaluator's bookkeeping.
    friend class expression;
    friend struct detail::eval_access;
    void count_iterations(std::uint64_t n);
    void set_offset(std::uint32_t off) noexcept { offset_ = off; }
    void begin() noexcept {
        iterations_ = 0;
        // max_memory bounds each evaluation: what earlier ones left in the arena (results in
        // use until reset()) does not count against the next.
        arena_.rebase_limit();
    }

    expression_limits limits_;
    telecomply::arena arena_;
    // Where allocations go: arena_, or while a shared sub-expression is evaluated the memo
    // table's own arena (its results outlive reset()).
    telecomply::arena* current_ = &arena_;
    std::uint64_t iterations_ = 0;
    std::uint32_t offset_ = 0;
    detail::memo_table* memo_ = nullptr;  // results shared by a ruleset's expressions, if any
};

/// A compiled expression. Immutable, cheap to copy (shared), safe to evaluate concurrently.
class expression {
  public:
    /// Parses and compiles. Throws expression_error (errc::parse_error with line:column and what
    /// was expected, or errc::compile_error for unknown names, bad macro use, bad constant
    /// regexes) or limit_error.
    static expression compile(std::string_view source, const environment& env,
                              const expression_limits& limits = {});

    expression() = default;

    /// Evaluates with variables bound by slot (see environment::declare). Returns the result,
    /// possibly an error value; throws limit_error when a bound is reached.
    value evaluate(std::span<const value> variables, eval_context& ctx) const;

    [[nodiscard]] const std::string& source() const noexcept;
    /// "line:column" of a byte offset in the source (for error values' offsets).
    [[nodiscard]] source_location locate(std::uint32_t offset) const noexcept;
    /// A one-line description of an error value raised by this expression:
    /// "1:14: division by zero (in `a / b`)".
    [[nodiscard]] std::string describe(const error_info& e) const;
    /// The field paths the expression reads from variables, e.g. "applicant.history.
    /// violations_24m" (statically known paths only; used to explain rule outcomes).
    [[nodiscard]] const std::vector<std::string>& input_paths() const noexcept;
    /// The named constants (environment::define_constant) the expression reads, as the paths
    /// it reads them by: "params.daily_call_cap", or "params" when it reads the constant as a
    /// whole (e.g. indexes it by a value known only at run time).
    [[nodiscard]] const std::vector<std::string>& constant_paths() const noexcept;
    /// True when the expression's value was computed at compile time.
    [[nodiscard]] bool is_constant() const noexcept;
    /// Whether the expression was compiled.
    [[nodiscard]] bool valid() const noexcept { return program_ != nullptr; }

    struct program;

  private:
    friend struct detail::program_access;  // marking shared sub-expressions while composing
    explicit expression(std::shared_ptr<const program> p) : program_(std::move(p)) {}
    std::shared_ptr<const program> program_;
};

/// Compiles and evaluates once in unchecked mode, returning the result deep-copied into `out`'s
/// arena. Convenient for tests and tools; rules compile once instead.
value evaluate_once(std::string_view source, std::span<const std::pair<std::string, value>> vars,
                    value_builder& out, const expression_limits& limits = {});

}  // namespace telecomply
