#pragma once
// The compiled form of an expression: a flat array of nodes that the evaluator walks. Names,
// field paths, functions and constant sub-expressions are all resolved at compile time.

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "telecomply/expr/arena.hpp"
#include "telecomply/expr/expression.hpp"
#include "telecomply/expr/value.hpp"

namespace re2 {
class RE2;
}

namespace telecomply::detail {

enum class opcode : std::uint8_t {
    constant,  // k
    variable,  // a = slot; path = name (for unbound errors)
    local,     // a = local index
    select,    // kid0 . k (field name); path = static path or empty
    path,      // kid0 . keys[b .. b+c); path, prefix lengths at prefix[b..]
    has,       // has(kid0 . k)
    index,     // kid0 [ kid1 ]
    list,      // [kids]
    map,       // {kid0: kid1, ...}
    logical_not,
    negate,
    logical_and,  // n-ary, CEL commutative error semantics
    logical_or,
    conditional,  // kid0 ? kid1 : kid2
    add,
    subtract,
    multiply,
    divide,
    modulo,
    equals,
    not_equals,
    less,
    less_equals,
    greater,
    greater_equals,
    in,
    call,           // fn(kids...)
    matches_const,  // kid0 matches regex (pointer in re)
    all,            // range kid0, predicate kid1, iteration variable local a
    exists,
    exists_one,
    map_macro,      // range kid0, transform kid1 [, filter kid2 when c & 1]
    filter,         // range kid0, predicate kid1
    transform_map,  // like map_macro over a map, producing a map with the same keys
    bind,           // cel.bind: kid0 (evaluated once) bound to local a while kid1 is evaluated
    error,          // k holds an error value raised at runtime (unchecked mode)
};

/// A function overload as registered in an environment.
struct function_def {
    std::string name;
    bool member = false;
    std::vector<kind_set> params;  // kinds accepted per argument, receiver first
    native_function fn = nullptr;
    stateful_function sfn = nullptr;  // instead of fn, with state
    std::shared_ptr<const void> state;
    bool pure = true;
    overload_filter accepts = nullptr;
};

/// The overloads a call may reach (one name, call style and arity), newest first, as a
/// compiled program keeps them. CEL is dynamically typed, so the choice among them is made
/// per call by the kinds of the arguments; this is the one place that builds "no such
/// overload" for functions.
struct overload_set {
    struct candidate {
        std::uint32_t first_param;  // in `params`
        bool any;                   // accepts every kind at every position
        native_function fn;
        stateful_function sfn;
        const void* state;
        overload_filter accepts;
    };
    std::string name;
    std::uint32_t arity = 0;
    bool pure = true;  // every candidate is pure
    std::vector<kind_set> params;
    std::vector<candidate> candidates;

    /// Calls the first candidate accepting the arguments' kinds (none is an error value);
    /// `args` holds `arity` values, none an error.
    value call(const value* args, eval_context& ctx) const;
};

struct node {
    opcode op = opcode::constant;
    std::uint32_t offset = 0;  // in the source, for error messages
    std::uint32_t a = 0;       // slot / local index / iteration variable
    std::uint32_t b = 0;       // first key (path)
    std::uint32_t c = 0;       // key count (path), flags
    std::uint32_t kid = 0;     // first child in program::kids
    std::uint32_t nkids = 0;
    value k;  // constant, field name, or error
    native_function fn = nullptr;
    stateful_function sfn = nullptr;  // with `state` (when fn is null)
    const void* state = nullptr;
    const overload_set* overloads = nullptr;  // of a call (fn/sfn: its only, untyped, candidate)
    const re2::RE2* re = nullptr;
    std::uint32_t memo = 0;  // 1 + its slot among the sub-expressions a set shares (memo.hpp)
    std::string_view path;   // static field path ("applicant.history")
};

struct program_data {
    std::string source;
    std::unique_ptr<arena> constants = std::make_unique<arena>(512);
    std::vector<node> nodes;
    std::vector<std::uint32_t> kids;
    std::vector<value> keys;              // path keys
    std::vector<std::uint32_t> prefixes;  // for each path key: length of the path up to it
    std::vector<std::unique_ptr<re2::RE2>> regexes;
    std::deque<std::string> strings;  // storage for static paths
    std::vector<std::string> input_paths;
    std::vector<std::string> constant_paths;  // "params.daily_call_cap": constants read
    std::uint32_t root = 0;
    std::uint32_t locals = 0;
    std::uint64_t memo_set = 0;  // the set its shared sub-expressions belong to (memo.hpp)
    std::vector<std::shared_ptr<const void>> states;  // of the stateful functions it calls
    std::deque<overload_set> overloads;               // of its calls

    ~program_data();
};

/// Evaluates node `idx` (the evaluator's entry point, used for constant folding too).
value eval_node(const program_data& p, std::uint32_t idx, std::span<const value> vars,
                value* locals, eval_context& ctx);

/// The error value of a call no overload of `fn` accepts: "no such overload: fn(int, string)".
value no_overload_error(eval_context& ctx, std::string_view fn, const value* args, int n);

/// Registers the standard CEL functions (the domain layer installs its own).
void register_standard_functions(environment& env);
/// Registers cel-spec's strings extension library (cel_ext_strings.cpp).
void register_string_extensions(environment& env);
/// Registers cel-spec's math extension library (cel_ext_math.cpp).
void register_math_extensions(environment& env);

}  // namespace telecomply::detail

namespace telecomply {
struct expression::program : detail::program_data {};

struct environment::impl {
    std::vector<std::string> variables;
    std::map<std::string, int, std::less<>> slots;
    std::shared_ptr<telecomply::arena> constant_arena = std::make_shared<telecomply::arena>(512);
    std::map<std::string, value, std::less<>> constants;
    std::vector<detail::function_def> functions;
    bool unchecked = false;

    /// The overloads a call `name(arity args)` may reach, newest first, without those a newer
    /// one hides; empty when there is none.
    [[nodiscard]] std::vector<const detail::function_def*> find_overloads(std::string_view name,
                                                                          std::uint32_t arity,
                                                                          bool member) const;
    [[nodiscard]] bool has_function(std::string_view name) const noexcept;
};
}  // namespace telecomply
