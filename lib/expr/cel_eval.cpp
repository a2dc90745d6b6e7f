// The evaluator: walks a compiled program. Values it creates live in the eval_context's arena;
// errors are values, merged by && and || as CEL specifies.

#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>

#include <re2/re2.h>

#include "expr/cel_program.hpp"
#include "expr/memo.hpp"
#include "expr/regex.hpp"
#include "expr/time.hpp"
#include "expr/value_ops.hpp"
#include "telecomply/base/error.hpp"
#include "telecomply/expr/document.hpp"

namespace telecomply {

// ------------------------------------------------------------------ eval_context

eval_context::eval_context(const expression_limits& limits)
    : limits_(limits), arena_(4096, limits.max_memory) {}
eval_context::~eval_context() = default;

void eval_context::reset() noexcept {
    arena_.reset();
}

value eval_context::error(eval_errc code, std::string_view message) {
    value_builder b(*current_);
    return b.error(code, message, offset_);
}

void eval_context::count_iterations(std::uint64_t n) {
    iterations_ += n;
    if (iterations_ > limits_.max_iterations)
        throw limit_error("comprehension work limit of " + std::to_string(limits_.max_iterations) +
                          " iterations per evaluation exceeded");
}

namespace detail {

// The evaluator's access to a context's bookkeeping (private to users of eval_context).
struct eval_access {
    static void set_offset(eval_context& c, std::uint32_t off) noexcept { c.set_offset(off); }
    static void count_iterations(eval_context& c, std::uint64_t n) { c.count_iterations(n); }
    static memo_table*& memo(eval_context& c) noexcept { return c.memo_; }
    static arena*& current_arena(eval_context& c) noexcept { return c.current_; }
};

memo_scope::memo_scope(eval_context& ctx, memo_table* table) noexcept
    : ctx_(ctx), previous_(eval_access::memo(ctx)) {
    eval_access::memo(ctx) = table;
}
memo_scope::~memo_scope() {
    eval_access::memo(ctx_) = previous_;
}

namespace {

// Messages are static strings: building an error allocates only its small record in the arena.
constexpr std::string_view msg_no_such_key = "no such key";
constexpr std::string_view msg_overflow = "integer overflow";
constexpr std::string_view msg_div_zero = "division by zero";
constexpr std::string_view msg_mod_zero = "modulus by zero";

class evaluator {
  public:
    evaluator(const program_data& p, std::span<const value> vars, value* locals, eval_context& ctx)
        : p_(p), vars_(vars), locals_(locals), ctx_(ctx) {}

    value eval(std::uint32_t i) {
        const node& n = p_.nodes[i];
        // Leaves are a third of the nodes evaluated: read them here, without a call.
        if (n.op == opcode::constant) return n.k;
        if (n.op == opcode::local) return locals_[n.a];
        if (n.memo != 0) [[unlikely]]
            return shared(n);
        return dispatch(n);
    }

  private:
    // Every case is a tail call: dispatch itself saves no registers, so each node pays only
    // for the work of its own kind.
    value dispatch(const node& n) {
        switch (n.op) {
            case opcode::constant:
            case opcode::error:  // an unresolved name in unchecked mode: its error value
                return n.k;
            case opcode::variable:
                if (n.a < vars_.size()) [[likely]]
                    return vars_[n.a];
                return undeclared(n);
            case opcode::local:
                return locals_[n.a];
            case opcode::select:
                return select_node(n);
            case opcode::path:
                return path(n);
            case opcode::has:
                return has(n);
            case opcode::index:
                return index(n);
            case opcode::list:
                return list(n);
            case opcode::map:
                return map(n);
            case opcode::logical_not:
                return logical_not(n);
            case opcode::negate:
                return negate_node(n);
            case opcode::logical_and:
                return logical(n, false);
            case opcode::logical_or:
                return logical(n, true);
            case opcode::conditional:
                return conditional(n);
            case opcode::add:
            case opcode::subtract:
            case opcode::multiply:
            case opcode::divide:
            case opcode::modulo:
                return arith_node(n);
            case opcode::equals:
            case opcode::not_equals:
                return equality(n);
            case opcode::less:
            case opcode::less_equals:
            case opcode::greater:
            case opcode::greater_equals:
                return relation_node(n);
            case opcode::in:
                return in(n);
            case opcode::call:
                return call(n);
            case opcode::matches_const:
                return matches_const(n);
            case opcode::all:
            case opcode::exists:
            case opcode::exists_one:
            case opcode::map_macro:
            case opcode::filter:
            case opcode::transform_map:
                return comprehension(n);
            case opcode::bind:
                return bind(n);
        }
        return value{};
    }

    [[gnu::noinline]] value undeclared(const node& n) {
        return error(eval_errc::undeclared_reference, n.offset,
                     "undeclared reference to '" + std::string(n.path) + "'");
    }
    [[gnu::noinline]] value select_node(const node& n) { return select(n, eval(kid(n, 0))); }
    [[gnu::noinline]] value logical_not(const node& n) {
        const value v = eval(kid(n, 0));
        if (v.is_bool()) return value::from_bool(!v.as_bool());
        if (v.is_error()) return v;
        return no_overload(n, "!", v);
    }
    [[gnu::noinline]] value negate_node(const node& n) { return negate(n, eval(kid(n, 0))); }
    [[gnu::noinline]] value conditional(const node& n) {
        const value c = eval(kid(n, 0));
        if (c.is_true()) return eval(kid(n, 1));
        if (c.is_false()) return eval(kid(n, 2));
        if (c.is_error()) return c;
        return no_overload(n, "_?_:_", c);
    }
    // CEL's strict binary operators: both operands, or the first error.
    template <class F>
    value strict_binary(const node& n, F&& f) {
        const value a = eval(kid(n, 0));
        if (a.is_error()) return a;
        const value b = eval(kid(n, 1));
        if (b.is_error()) return b;
        return f(a, b);
    }
    [[gnu::noinline]] value arith_node(const node& n) {
        return strict_binary(n, [&](const value& a, const value& b) { return arith(n, a, b); });
    }
    [[gnu::noinline]] value equality(const node& n) {
        return strict_binary(n, [&](const value& a, const value& b) {
            return value::from_bool(equal(a, b) == (n.op == opcode::equals));
        });
    }
    [[gnu::noinline]] value relation_node(const node& n) {
        return strict_binary(n, [&](const value& a, const value& b) { return relation(n, a, b); });
    }
    [[gnu::noinline]] value matches_const(const node& n) {
        const value s = eval(kid(n, 0));
        if (s.is_error()) return s;
        if (s.kind() != kind::string) return no_overload(n, "matches", s);
        const auto sv = s.as_string();
        return value::from_bool(RE2::PartialMatch(piece(sv), *n.re));
    }

    std::uint32_t kid(const node& n, std::uint32_t k) const { return p_.kids[n.kid + k]; }

    // A sub-expression the set shares (memo.hpp): its result for this input if already known,
    // else evaluated with what it allocates kept in the table's arena (the context's is reset
    // between expressions). Errors are returned, not kept.
    [[gnu::noinline]] value shared(const node& n) {
        memo_table* t = eval_access::memo(ctx_);
        if (t == nullptr || t->set != p_.memo_set) return dispatch(n);
        memo_table::entry* ep = nullptr;
        if ((n.memo & memo_per_element) != 0) {
            if (t->element == memo_table::no_element) return dispatch(n);
            auto& slot = t->element_entries[(n.memo & ~memo_per_element) - 1];
            if (slot.size() <= t->element) slot.resize(t->element + 1);
            ep = &slot[t->element];
        } else {
            ep = &t->entries[n.memo - 1];
        }
        auto& e = *ep;
        if (e.generation == t->generation) return e.result;
        value v;
        if (t->depth++ == 0) {
            arena*& current = eval_access::current_arena(ctx_);
            arena* const outer = current;
            current = &t->results;
            try {
                v = dispatch(n);
            } catch (...) {
                current = outer;
                --t->depth;
                throw;
            }
            current = outer;
        } else {
            v = dispatch(n);
        }
        --t->depth;
        if (!v.is_error()) {
            e.result = v;
            e.generation = t->generation;
        }
        return v;
    }

    // ------------------------------------------------------------ errors
    value static_error(eval_errc code, std::uint32_t offset, std::string_view static_msg,
                       std::string_view path = {}, const error_info* next = nullptr) {
        auto* e = ctx_.arena().make<error_info>(error_info{code, offset, static_msg, path, next});
        return value::from_error(e);
    }
    value error(eval_errc code, std::uint32_t offset, const std::string& msg) {
        auto* e = ctx_.arena().make<error_info>(
            error_info{code, offset, ctx_.arena().copy(msg), {}, nullptr});
        return value::from_error(e);
    }
    [[gnu::noinline]] value no_overload(const node& n, std::string_view op, const value& a) {
        return error(
            eval_errc::no_such_overload, n.offset,
            "no such overload: " + std::string(op) + "(" + std::string(type_name(a.kind())) + ")");
    }
    [[gnu::noinline]] value no_overload(const node& n, std::string_view op, const value& a,
                                        const value& b) {
        return error(eval_errc::no_such_overload, n.offset,
                     "no such overload: " + std::string(type_name(a.kind())) + " " +
                         std::string(op) + " " + std::string(type_name(b.kind())));
    }

    // Joins two errors from && / ||: absent inputs accumulate so that every missing path is
    // reported; otherwise the first error wins.
    [[gnu::noinline]] const error_info* merge(const error_info* acc, const error_info* e) {
        if (acc == nullptr) return e;
        if (acc->code == eval_errc::no_such_field && e->code == eval_errc::no_such_field) {
            const error_info* chain = acc;
            for (const error_info* x = e; x != nullptr; x = x->next) {
                chain = ctx_.arena().make<error_info>(
                    error_info{x->code, x->offset, x->message, x->path, chain});
            }
            return chain;
        }
        if (acc->code != eval_errc::no_such_field) return acc;
        return e->code == eval_errc::no_such_field ? acc : e;
    }

    // ------------------------------------------------------------ fields
    [[gnu::noinline]] value missing(const node& n, std::string_view field, std::string_view path) {
        if (path.empty()) {
            return error(eval_errc::no_such_field, n.offset,
                         "no such key: '" + std::string(field) + "'");
        }
        return static_error(eval_errc::no_such_field, n.offset, msg_no_such_key, path);
    }

    [[gnu::noinline]] value select(const node& n, const value& base) {
        if (base.kind() == kind::map) {
            if (const value* v = base.find_string(n.k)) return *v;
            return missing(n, n.k.as_string(), n.path);
        }
        if (base.is_error()) return base;
        if (base.is_null()) return missing(n, n.k.as_string(), n.path);
        return error(eval_errc::no_such_overload, n.offset,
                     "type '" + std::string(type_name(base.kind())) +
                         "' has no fields (selecting '" + std::string(n.k.as_string()) + "')");
    }

    [[gnu::noinline]] value path(const node& n) {
        value cur = eval(kid(n, 0));
        for (std::uint32_t k = 0; k < n.c; ++k) {
            const value& key = p_.keys[n.b + k];
            if (cur.kind() == kind::map) {
                if (const value* v = cur.find_string(key)) {
                    cur = *v;
                    continue;
                }
            } else if (cur.is_error()) {
                return cur;
            } else if (!cur.is_null()) {
                return error(eval_errc::no_such_overload, n.offset,
                             "type '" + std::string(type_name(cur.kind())) +
                                 "' has no fields (selecting '" + std::string(key.as_string()) +
                                 "')");
            }
            return missing(n, key.as_string(), n.path.substr(0, p_.prefixes[n.b + k]));
        }
        return cur;
    }

    [[gnu::noinline]] value has(const node& n) {
        const value base = eval(kid(n, 0));
        if (base.kind() == kind::map) return value::from_bool(base.find_string(n.k) != nullptr);
        // has() tests the presence of the whole path: has(a.b.c) is false when a.b is absent
        // (CEL proper raises an error), so that rules can test for absence in one call.
        if (base.is_error())
            return base.as_error().code == eval_errc::no_such_field ? value::from_bool(false)
                                                                    : base;
        if (base.is_null()) return value::from_bool(false);
        return error(eval_errc::no_such_overload, n.offset,
                     "has() on type '" + std::string(type_name(base.kind())) + "'");
    }

    [[gnu::noinline]] value index(const node& n) {
        const value c = eval(kid(n, 0));
        if (c.is_error()) return c;
        const value k = eval(kid(n, 1));
        if (k.is_error()) return k;
        if (c.kind() == kind::list) {
            std::int64_t i = 0;
            if (k.kind() == kind::int_) {
                i = k.as_int();
            } else if (k.kind() == kind::uint_) {
                i = k.as_uint() > static_cast<std::uint64_t>(INT64_MAX)
                        ? -1
                        : static_cast<std::int64_t>(k.as_uint());
            } else if (k.kind() == kind::double_ && std::trunc(k.as_double()) == k.as_double() &&
                       std::abs(k.as_double()) < 9.2e18) {
                i = static_cast<std::int64_t>(k.as_double());
            } else {
                return no_overload(n, "[]", c, k);
            }
            if (i < 0 || i >= static_cast<std::int64_t>(c.size()))
                return error(eval_errc::index_out_of_range, n.offset,
                             "index out of range: " + std::to_string(i) + " (list size " +
                                 std::to_string(c.size()) + ")");
            return c.list_begin()[i];
        }
        if (c.kind() == kind::map) {
            if (const value* v = c.find(k)) return *v;
            if (k.kind() == kind::list || k.kind() == kind::map || k.kind() == kind::null_ ||
                (k.kind() == kind::double_ && std::isnan(k.as_double())))
                return no_overload(n, "[]", c, k);
            return error(eval_errc::no_such_key, n.offset, "no such key: " + k.to_string());
        }
        return no_overload(n, "[]", c, k);
    }

    [[gnu::noinline]] value list(const node& n) {
        value* items = ctx_.arena().allocate_array<value>(n.nkids);
        for (std::uint32_t k = 0; k < n.nkids; ++k) {
            items[k] = eval(kid(n, k));
            if (items[k].is_error()) return items[k];
        }
        return value::from_list(items, n.nkids);
    }

    [[gnu::noinline]] value map(const node& n) {
        const std::uint32_t count = n.nkids / 2;
        map_entry* entries = ctx_.arena().allocate_array<map_entry>(count);
        for (std::uint32_t k = 0; k < count; ++k) {
            const value key = eval(kid(n, 2 * k));
            if (key.is_error()) return key;
            switch (key.kind()) {
                case kind::int_:
                case kind::uint_:
                case kind::bool_:
                case kind::string:
                    break;
                default:
                    return error(eval_errc::invalid_argument, n.offset,
                                 "unsupported map key type: " + std::string(type_name(key.kind())));
            }
            const value val = eval(kid(n, 2 * k + 1));
            if (val.is_error()) return val;
            // Keys compare as lookups do, numerically across int and uint: {1: a, 1u: b}
            // repeats a key.
            for (std::uint32_t j = 0; j < k; ++j) {
                if (equal(entries[j].key, key))
                    return error(eval_errc::invalid_argument, n.offset,
                                 "duplicate map key: " + key.to_string());
            }
            entries[k] = {key, val};
        }
        return value::from_map(entries, count);
    }

    // ------------------------------------------------------------ logic
    [[gnu::noinline]] value logical(const node& n, bool is_or) {
        const error_info* err = nullptr;
        for (std::uint32_t k = 0; k < n.nkids; ++k) {
            const value v = eval(kid(n, k));
            if (v.is_bool()) {
                if (v.as_bool() == is_or) return v;  // true || ..., false && ...
                continue;
            }
            if (v.is_error()) {
                err = merge(err, &v.as_error());
            } else {
                err = merge(err, &no_overload(n, is_or ? "||" : "&&", v).as_error());
            }
        }
        if (err != nullptr) return value::from_error(err);
        return value::from_bool(!is_or);
    }

    [[gnu::noinline]] value relation(const node& n, const value& a, const value& b) {
        const order o = compare(a, b);
        if (o == order::incomparable) {
            static constexpr std::string_view names[] = {"<", "<=", ">", ">="};
            return no_overload(n, names[static_cast<int>(n.op) - static_cast<int>(opcode::less)], a,
                               b);
        }
        if (o == order::unordered) return value::from_bool(false);
        switch (n.op) {
            case opcode::less:
                return value::from_bool(o == order::less);
            case opcode::less_equals:
                return value::from_bool(o != order::greater);
            case opcode::greater:
                return value::from_bool(o == order::greater);
            default:
                return value::from_bool(o != order::less);
        }
    }

    [[gnu::noinline]] value in(const node& n) {
        const value a = eval(kid(n, 0));
        if (a.is_error()) return a;
        const value c = eval(kid(n, 1));
        if (c.is_error()) return c;
        if (c.kind() == kind::list) {
            for (const value* p = c.list_begin(); p != c.list_end(); ++p)
                if (equal(*p, a)) return value::from_bool(true);
            return value::from_bool(false);
        }
        if (c.kind() == kind::map) return value::from_bool(c.find(a) != nullptr);
        return no_overload(n, "in", a, c);
    }

    // ------------------------------------------------------------ arithmetic
    [[gnu::noinline]] value negate(const node& n, const value& v) {
        switch (v.kind()) {
            case kind::int_:
                if (v.as_int() == INT64_MIN)
                    return static_error(eval_errc::overflow, n.offset, msg_overflow);
                return value::from_int(-v.as_int());
            case kind::double_:
                return value::from_double(-v.as_double());
            case kind::duration: {
                const auto t = v.as_time();
                if (t.seconds == INT64_MIN)
                    return static_error(eval_errc::overflow, n.offset, msg_overflow);
                // the range is asymmetric: the most negative duration has no negation
                return time_result(n, -t.seconds, -std::int64_t{t.nanos}, false);
            }
            case kind::error:
                return v;
            default:
                return no_overload(n, "-", v);
        }
    }

    [[gnu::noinline]] value time_result(const node& n, std::int64_t secs, std::int64_t nanos,
                                        bool is_timestamp) {
        if (is_timestamp) {
            if (!normalize_timestamp(secs, nanos))
                return static_error(eval_errc::overflow, n.offset, "timestamp overflow");
            const time_parts t{secs, static_cast<std::int32_t>(nanos)};
            if (!timestamp_in_range(t))
                return static_error(eval_errc::overflow, n.offset, "timestamp overflow");
            return value::from_timestamp(t);
        }
        if (!normalize_duration(secs, nanos))
            return static_error(eval_errc::overflow, n.offset, "duration overflow");
        const time_parts t{secs, static_cast<std::int32_t>(nanos)};
        if (!duration_in_range(t))
            return static_error(eval_errc::overflow, n.offset, "duration overflow");
        return value::from_duration(t);
    }

    static constexpr std::string_view op_name(opcode op) {
        switch (op) {
            case opcode::add:
                return "+";
            case opcode::subtract:
                return "-";
            case opcode::multiply:
                return "*";
            case opcode::divide:
                return "/";
            default:
                return "%";
        }
    }

    [[gnu::noinline]] value arith(const node& n, const value& a, const value& b) {
        const kind ka = a.kind(), kb = b.kind();
        if (ka == kind::int_ && kb == kind::int_) {
            const std::int64_t x = a.as_int(), y = b.as_int();
            std::int64_t r = 0;
            switch (n.op) {
                case opcode::add:
                    if (__builtin_add_overflow(x, y, &r)) break;
                    return value::from_int(r);
                case opcode::subtract:
                    if (__builtin_sub_overflow(x, y, &r)) break;
                    return value::from_int(r);
                case opcode::multiply:
                    if (__builtin_mul_overflow(x, y, &r)) break;
                    return value::from_int(r);
                case opcode::divide:
                    if (y == 0)
                        return static_error(eval_errc::division_by_zero, n.offset, msg_div_zero);
                    if (x == INT64_MIN && y == -1) break;
                    return value::from_int(x / y);
                default:
                    if (y == 0)
                        return static_error(eval_errc::modulus_by_zero, n.offset, msg_mod_zero);
                    if (x == INT64_MIN && y == -1) break;
                    return value::from_int(x % y);
            }
            return static_error(eval_errc::overflow, n.offset, msg_overflow);
        }
        if (ka == kind::uint_ && kb == kind::uint_) {
            const std::uint64_t x = a.as_uint(), y = b.as_uint();
            std::uint64_t r = 0;
            switch (n.op) {
                case opcode::add:
                    if (__builtin_add_overflow(x, y, &r)) break;
                    return value::from_uint(r);
                case opcode::subtract:
                    if (__builtin_sub_overflow(x, y, &r)) break;
                    return value::from_uint(r);
                case opcode::multiply:
                    if (__builtin_mul_overflow(x, y, &r)) break;
                    return value::from_uint(r);
                case opcode::divide:
                    if (y == 0)
                        return static_error(eval_errc::division_by_zero, n.offset, msg_div_zero);
                    return value::from_uint(x / y);
                default:
                    if (y == 0)
                        return static_error(eval_errc::modulus_by_zero, n.offset, msg_mod_zero);
                    return value::from_uint(x % y);
            }
            return static_error(eval_errc::overflow, n.offset, msg_overflow);
        }
        if (ka == kind::double_ && kb == kind::double_) {
            const double x = a.as_double(), y = b.as_double();
            switch (n.op) {
                case opcode::add:
                    return value::from_double(x + y);
                case opcode::subtract:
                    return value::from_double(x - y);
                case opcode::multiply:
                    return value::from_double(x * y);
                case opcode::divide:
                    return value::from_double(x / y);
                default:
                    break;
            }
            return no_overload(n, "%", a, b);
        }
        if (n.op == opcode::add) {
            if ((ka == kind::string || ka == kind::bytes) && ka == kb) {
                const auto x = a.as_string(), y = b.as_string();
                // An empty operand may have a null data(), which memcpy must not be given.
                if (x.empty()) return b;
                if (y.empty()) return a;
                char* buf = static_cast<char*>(ctx_.arena().allocate(x.size() + y.size() + 1, 1));
                std::memcpy(buf, x.data(), x.size());
                std::memcpy(buf + x.size(), y.data(), y.size());
                const std::string_view s(buf, x.size() + y.size());
                return ka == kind::string ? value::from_string(s) : value::from_bytes(s);
            }
            if (ka == kind::list && kb == kind::list) {
                if (a.size() == 0) return b;
                if (b.size() == 0) return a;
                const std::size_t total = std::size_t{a.size()} + b.size();
                value* items = ctx_.arena().allocate_array<value>(total);
                std::memcpy(static_cast<void*>(items), a.list_begin(), a.size() * sizeof(value));
                std::memcpy(static_cast<void*>(items + a.size()), b.list_begin(),
                            b.size() * sizeof(value));
                return value::from_list(items, static_cast<std::uint32_t>(total));
            }
        }
        // timestamps and durations
        if (n.op == opcode::add || n.op == opcode::subtract) {
            const bool add = n.op == opcode::add;
            auto sum = [&](time_parts x, time_parts y, int sign, bool ts) -> value {
                std::int64_t s = 0;
                if (sign > 0 ? __builtin_add_overflow(x.seconds, y.seconds, &s)
                             : __builtin_sub_overflow(x.seconds, y.seconds, &s))
                    return static_error(eval_errc::overflow, n.offset,
                                        ts ? "timestamp overflow" : "duration overflow");
                return time_result(n, s, std::int64_t{x.nanos} + sign * std::int64_t{y.nanos}, ts);
            };
            if (ka == kind::timestamp && kb == kind::duration)
                return sum(a.as_time(), b.as_time(), add ? 1 : -1, true);
            if (add && ka == kind::duration && kb == kind::timestamp)
                return sum(b.as_time(), a.as_time(), 1, true);
            if (ka == kind::duration && kb == kind::duration)
                return sum(a.as_time(), b.as_time(), add ? 1 : -1, false);
            if (!add && ka == kind::timestamp && kb == kind::timestamp)
                return sum(a.as_time(), b.as_time(), -1, false);
            if (!add && ka == kind::date && kb == kind::date)
                return value::from_int(a.as_date() - b.as_date());
        }
        return no_overload(n, op_name(n.op), a, b);
    }

    // ------------------------------------------------------------ calls
    [[gnu::noinline]] value call(const node& n) {
        constexpr std::uint32_t inline_args = 6;
        alignas(value) std::byte buf[inline_args * sizeof(value)];  // written before read
        value* args = n.nkids <= inline_args ? reinterpret_cast<value*>(buf)
                                             : ctx_.arena().allocate_array<value>(n.nkids);
        for (std::uint32_t k = 0; k < n.nkids; ++k) {
            args[k] = eval(kid(n, k));
            if (args[k].is_error()) return args[k];  // functions are strict
        }
        eval_access::set_offset(ctx_, n.offset);
        if (n.fn != nullptr) return n.fn(args, ctx_);
        if (n.sfn != nullptr) return n.sfn(args, ctx_, n.state);
        return n.overloads->call(args, ctx_);
    }

    // ------------------------------------------------------------ cel.bind
    // The variable holds its value, even an error, while the body is evaluated: an error the
    // body never reads is no error (cel-go's bind, a comprehension's accumulator, does the same).
    [[gnu::noinline]] value bind(const node& n) {
        value& var = locals_[n.a];
        const value saved = var;
        var = eval(kid(n, 0));
        const value result = eval(kid(n, 1));
        var = saved;
        return result;
    }

    // ------------------------------------------------------------ comprehensions
    [[gnu::noinline]] value comprehension(const node& n) {
        const value range = eval(kid(n, 0));
        if (range.is_error()) return range;
        if (range.kind() != kind::list && range.kind() != kind::map)
            return no_overload(n, "comprehension over", range);
        const bool is_map = range.kind() == kind::map;
        const bool two = (n.c & 2u) != 0;
        const std::uint32_t count = range.size();
        value& first = locals_[n.a];
        value& second = locals_[n.b];
        const value saved_first = first, saved_second = second;
        struct restore {
            value& a;
            value& b;
            value old_a, old_b;
            ~restore() {
                b = old_b;
                a = old_a;
            }
        } guard{first, second, saved_first, saved_second};
        // Binds the loop variables for element i: one variable gets the element (a map's
        // key); two get index and element (a map's key and value).
        auto bind = [&](std::uint32_t i) {
            eval_access::count_iterations(ctx_, 1);
            if (is_map) {
                first = range.map_begin()[i].key;
                if (two) second = range.map_begin()[i].val;
            } else if (two) {
                first = value::from_int(i);
                second = range.list_begin()[i];
            } else {
                first = range.list_begin()[i];
            }
        };

        switch (n.op) {
            case opcode::all:
            case opcode::exists: {
                const bool want = n.op == opcode::exists;  // the value that decides
                const error_info* err = nullptr;
                for (std::uint32_t i = 0; i < count; ++i) {
                    bind(i);
                    const value r = eval(kid(n, 1));
                    if (r.is_bool()) {
                        if (r.as_bool() == want) return r;
                    } else if (r.is_error()) {
                        err = merge(err, &r.as_error());
                    } else {
                        err = merge(err, &no_overload(n, want ? "exists" : "all", r).as_error());
                    }
                }
                if (err != nullptr) return value::from_error(err);
                return value::from_bool(!want);
            }
            case opcode::exists_one: {
                std::uint32_t hits = 0;
                for (std::uint32_t i = 0; i < count; ++i) {
                    bind(i);
                    const value r = eval(kid(n, 1));
                    if (r.is_true())
                        ++hits;
                    else if (r.is_error())
                        return r;
                    else if (!r.is_bool())
                        return no_overload(n, "exists_one", r);
                }
                return value::from_bool(hits == 1);
            }
            case opcode::filter:
            case opcode::map_macro:
            case opcode::transform_map: {
                const bool to_map = n.op == opcode::transform_map;
                if (to_map && !is_map) return no_overload(n, "transformMap", range);
                value* items = to_map ? nullptr : ctx_.arena().allocate_array<value>(count);
                map_entry* entries =
                    to_map ? ctx_.arena().allocate_array<map_entry>(count) : nullptr;
                std::uint32_t out = 0;
                const bool filtering = n.op == opcode::filter || (n.c & 1u) != 0;
                const std::uint32_t pred = n.op == opcode::filter ? 1 : 2;
                for (std::uint32_t i = 0; i < count; ++i) {
                    bind(i);
                    if (filtering) {
                        const value keep = eval(kid(n, pred));
                        if (keep.is_error()) return keep;
                        if (!keep.is_bool()) return no_overload(n, "filter", keep);
                        if (!keep.as_bool()) continue;
                    }
                    if (n.op == opcode::filter) {
                        items[out++] = first;
                        continue;
                    }
                    const value t = eval(kid(n, 1));
                    if (t.is_error()) return t;
                    if (to_map)
                        entries[out++] = {range.map_begin()[i].key, t};
                    else
                        items[out++] = t;
                }
                return to_map ? value::from_map(entries, out) : value::from_list(items, out);
            }
            default:
                return value{};
        }
    }

    const program_data& p_;
    std::span<const value> vars_;
    value* locals_;
    eval_context& ctx_;
};

}  // namespace

value eval_node(const program_data& p, std::uint32_t idx, std::span<const value> vars,
                value* locals, eval_context& ctx) {
    evaluator e(p, vars, locals, ctx);
    return e.eval(idx);
}

}  // namespace detail
}  // namespace telecomply
