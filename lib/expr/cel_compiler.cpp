// Compiles a CEL syntax tree to the flat program the evaluator runs: resolves names (locals,
// variables, qualified names, constants, type names), expands macros, selects functions,
// precompiles constant regular expressions and folds constant sub-expressions.

#include <algorithm>
#include <string>

#include <re2/re2.h>

#include "expr/cel_ast.hpp"
#include "expr/cel_program.hpp"
#include "expr/regex.hpp"
#include "telecomply/base/error.hpp"

namespace telecomply {

namespace detail {

program_data::~program_data() = default;

namespace {

struct type_constant {
    std::string_view name;
    kind k;
};
constexpr type_constant type_constants[] = {
    {"int", kind::int_},
    {"uint", kind::uint_},
    {"double", kind::double_},
    {"bool", kind::bool_},
    {"string", kind::string},
    {"bytes", kind::bytes},
    {"list", kind::list},
    {"map", kind::map},
    {"null_type", kind::null_},
    {"type", kind::type},
    {"google.protobuf.Timestamp", kind::timestamp},
    {"google.protobuf.Duration", kind::duration},
};

// Receiver-style macros, by name and argument count (the receiver counts as one).
bool two_var_macro(std::string_view n, std::size_t argc) {
    if (n == "transformList" || n == "transformMap") return argc == 4 || argc == 5;
    return argc == 4 && (n == "all" || n == "exists" || n == "exists_one" || n == "existsOne");
}
bool is_macro_call(std::string_view n, std::size_t argc) {
    if (two_var_macro(n, argc)) return true;
    if (n == "map") return argc == 3 || argc == 4;
    return argc == 3 &&
           (n == "all" || n == "exists" || n == "exists_one" || n == "existsOne" || n == "filter");
}

class compiler {
  public:
    compiler(const environment::impl& env, program_data& p, const expression_limits& limits)
        : env_(env), p_(p), limits_(limits), constants_(*p.constants) {}

    std::uint32_t compile(const ast_node& n) {
        switch (n.kind) {
            case ast_kind::literal:
                return constant(n.lit, n.offset);
            case ast_kind::ident:
                return note_use(ident(n));
            case ast_kind::select:
                return note_use(select(n));
            case ast_kind::call:
                return call(n);
            case ast_kind::list: {
                std::vector<std::uint32_t> kids;
                for (auto& a : n.args)
                    kids.push_back(compile(*a));
                return fold(emit(opcode::list, n.offset, kids));
            }
            case ast_kind::map: {
                std::vector<std::uint32_t> kids;
                for (auto& a : n.args)
                    kids.push_back(compile(*a));
                return fold(emit(opcode::map, n.offset, kids));
            }
            case ast_kind::message:
                return unsupported(n.offset, "message literals (" + n.name +
                                                 "{...}) need protobuf types, which are not "
                                                 "supported");
        }
        return 0;
    }

  private:
    // The operand of a field selection or has(): compiled without noting its own path.
    std::uint32_t compile_unnoted(const ast_node& n) {
        if (n.kind == ast_kind::ident) return ident(n);
        if (n.kind == ast_kind::select) return select(n);
        return compile(n);
    }

    // ------------------------------------------------------------ emitting
    std::uint32_t emit(opcode op, std::uint32_t offset,
                       const std::vector<std::uint32_t>& kids = {}) {
        node nd;
        nd.op = op;
        nd.offset = offset;
        nd.kid = static_cast<std::uint32_t>(p_.kids.size());
        nd.nkids = static_cast<std::uint32_t>(kids.size());
        p_.kids.insert(p_.kids.end(), kids.begin(), kids.end());
        p_.nodes.push_back(nd);
        return static_cast<std::uint32_t>(p_.nodes.size() - 1);
    }

    std::uint32_t constant(value v, std::uint32_t offset) {
        auto i = emit(opcode::constant, offset);
        p_.nodes[i].k = v;
        return i;
    }

    [[noreturn]] void fail(std::uint32_t offset, const std::string& msg) const {
        throw expression_error(errc::compile_error, locate(p_.source, offset), msg);
    }

    // A runtime error in unchecked mode, a compile error otherwise.
    std::uint32_t unresolved(std::uint32_t offset, eval_errc code, const std::string& msg) {
        if (!env_.unchecked) fail(offset, msg);
        auto i = emit(opcode::error, offset);
        p_.nodes[i].k = constants_.error(code, msg, offset);
        return i;
    }
    std::uint32_t unsupported(std::uint32_t offset, const std::string& msg) {
        return unresolved(offset, eval_errc::no_such_overload, msg);
    }

    bool is_const(std::uint32_t i) const { return p_.nodes[i].op == opcode::constant; }

    // Evaluates a node whose children are all constants, at compile time.
    std::uint32_t fold(std::uint32_t i) {
        const node& nd = p_.nodes[i];
        for (std::uint32_t k = 0; k < nd.nkids; ++k)
            if (!is_const(p_.kids[nd.kid + k])) return i;
        if (nd.op == opcode::call && !nd.overloads->pure) return i;
        try {
            eval_context ctx(limits_);
            const value v = eval_node(p_, i, {}, nullptr, ctx);
            if (v.is_error()) return i;  // keep: the error is raised, with context, at runtime
            node& target = p_.nodes[i];
            target.op = opcode::constant;
            target.k = constants_.copy(v);
            target.nkids = 0;
        } catch (const limit_error&) {
            // leave it to runtime, where the same bound applies
        }
        return i;
    }

    const std::string& intern(std::string s) {
        p_.strings.push_back(std::move(s));
        return p_.strings.back();
    }

    // Input paths are the paths whose values are used: `app.a.b` reads app.a.b, not `app` and
    // app.a, which it only selects through. So a selection chain's own nodes (and has()'s
    // operand) are not noted; the chain as a whole is, here, when it is used as a value.
    std::uint32_t note_use(std::uint32_t i) {
        const node& nd = p_.nodes[i];
        if (nd.op == opcode::variable || nd.op == opcode::path || nd.op == opcode::select)
            note_input(nd.path);
        // a named constant, or a field of one (folded to a constant), read as a value
        else if (nd.op == opcode::constant && !nd.path.empty())
            note_constant(nd.path);
        return i;
    }

    void note_constant(std::string_view path) {
        std::string s(path);
        if (std::find(p_.constant_paths.begin(), p_.constant_paths.end(), s) ==
            p_.constant_paths.end())
            p_.constant_paths.push_back(std::move(s));
    }

    void note_input(std::string_view path) {
        if (path.empty()) return;
        std::string s(path);
        if (std::find(p_.input_paths.begin(), p_.input_paths.end(), s) == p_.input_paths.end())
            p_.input_paths.push_back(std::move(s));
    }

    // ------------------------------------------------------------ names
    struct scope_entry {
        std::string name;
        std::string_view path;  // static path of the iterated range elements, e.g. "numbers[]"
        std::uint32_t constant = ~0u;  // a cel.bind variable's constant value (a node)
    };

    int find_local(std::string_view name) const {
        for (std::size_t i = scopes_.size(); i-- > 0;)
            if (scopes_[i].name == name) return static_cast<int>(i);
        return -1;
    }

    // Resolves a (possibly qualified) name that is not a local. Returns a node or ~0u.
    std::uint32_t resolve_global(std::string_view name, std::uint32_t offset) {
        if (auto it = env_.slots.find(name); it != env_.slots.end()) {
            auto i = emit(opcode::variable, offset);
            p_.nodes[i].a = static_cast<std::uint32_t>(it->second);
            p_.nodes[i].path = intern(std::string(name));
            return i;
        }
        if (auto it = env_.constants.find(name); it != env_.constants.end()) {
            auto i = constant(constants_.copy(it->second), offset);
            p_.nodes[i].path = intern(std::string(name));  // for messages about its fields
            return i;
        }
        for (const auto& t : type_constants)
            if (t.name == name) return constant(value::from_type(t.k), offset);
        return ~0u;
    }

    std::uint32_t ident(const ast_node& n) {
        std::string_view name = n.name;
        const bool rooted = !name.empty() && name[0] == '.';
        if (rooted) name.remove_prefix(1);
        if (!rooted) {
            if (int l = find_local(name); l >= 0) {
                if (const auto c = scopes_[static_cast<std::size_t>(l)].constant; c != ~0u) {
                    auto i = constant(p_.nodes[c].k, n.offset);
                    p_.nodes[i].path = p_.nodes[c].path;
                    return i;
                }
                auto i = emit(opcode::local, n.offset);
                p_.nodes[i].a = static_cast<std::uint32_t>(l);
                p_.nodes[i].path = scopes_[static_cast<std::size_t>(l)].path;
                return i;
            }
        }
        if (auto i = resolve_global(name, n.offset); i != ~0u) return i;
        return unresolved(n.offset, eval_errc::undeclared_reference,
                          "undeclared reference to '" + std::string(name) + "'");
    }

    // For a chain of selects ending in an identifier, the identifier and field names.
    static bool select_chain(const ast_node& n, std::vector<const ast_node*>& chain) {
        const ast_node* cur = &n;
        while (cur->kind == ast_kind::select) {
            chain.push_back(cur);
            cur = cur->args[0].get();
        }
        if (cur->kind != ast_kind::ident) return false;
        chain.push_back(cur);
        std::reverse(chain.begin(), chain.end());  // ident first, then selects
        return true;
    }

    std::uint32_t select(const ast_node& n) {
        // Qualified names: "a.b.c" may name a variable, constant or type as a whole.
        std::vector<const ast_node*> chain;
        if (select_chain(n, chain)) {
            const auto& root = *chain[0];
            const bool rooted = !root.name.empty() && root.name[0] == '.';
            std::string base = rooted ? root.name.substr(1) : root.name;
            if (rooted || find_local(base) < 0) {
                std::vector<std::string> names{base};
                for (std::size_t i = 1; i < chain.size(); ++i)
                    names.push_back(names.back() + "." + chain[i]->name);
                // Longest match first, type names (google.protobuf.Timestamp) included.
                for (std::size_t len = chain.size(); len-- > 1;) {
                    if (auto i = resolve_global(names[len], chain[len]->offset); i != ~0u)
                        return select_fields(i, chain, len + 1);
                }
            }
            return select_fields(ident(root), chain, 1);
        }
        auto base = compile_unnoted(*n.args[0]);
        return select_field(base, n.name, n.offset);
    }

    std::uint32_t select_fields(std::uint32_t base, const std::vector<const ast_node*>& chain,
                                std::size_t from) {
        // A run of field selections on a variable becomes one path node.
        if (p_.nodes[base].op == opcode::variable && chain.size() - from >= 2) {
            auto i = emit(opcode::path, chain.back()->offset, {base});
            node& nd = p_.nodes[i];
            nd.b = static_cast<std::uint32_t>(p_.keys.size());
            nd.c = static_cast<std::uint32_t>(chain.size() - from);
            std::string path(p_.nodes[base].path);
            for (std::size_t k = from; k < chain.size(); ++k) {
                p_.keys.push_back(constants_.string(chain[k]->name));
                path += "." + chain[k]->name;
                p_.prefixes.push_back(static_cast<std::uint32_t>(path.size()));
            }
            p_.nodes[i].path = intern(path);
            return i;
        }
        for (std::size_t k = from; k < chain.size(); ++k)
            base = select_field(base, chain[k]->name, chain[k]->offset);
        return base;
    }

    std::uint32_t select_field(std::uint32_t base, std::string_view field, std::uint32_t offset) {
        // A field of a constant map (a ruleset's params) is known now: a typo is a compile error.
        if (!env_.unchecked && is_const(base) && p_.nodes[base].k.kind() == kind::map &&
            p_.nodes[base].k.find(field) == nullptr)
            fail(offset,
                 "no field '" + std::string(field) + "' in the constant map" +
                     (p_.nodes[base].path.empty() ? std::string()
                                                  : " '" + std::string(p_.nodes[base].path) + "'"));
        auto i = emit(opcode::select, offset, {base});
        p_.nodes[i].k = constants_.string(field);
        if (!p_.nodes[base].path.empty())
            p_.nodes[i].path = intern(std::string(p_.nodes[base].path) + "." + std::string(field));
        return fold(i);
    }

    // ------------------------------------------------------------ calls and macros
    std::uint32_t call(const ast_node& n) {
        const std::string& f = n.name;
        const auto argc = n.args.size();
        if (!n.member) {
            if (f == op::logical_and || f == op::logical_or) return logical(n);
            if (f == op::conditional) return simple(opcode::conditional, n);
            if (f == op::logical_not) return simple(opcode::logical_not, n);
            if (f == op::negate) return simple(opcode::negate, n);
            if (f == op::index) return simple(opcode::index, n);
            if (f == op::add) return simple(opcode::add, n);
            if (f == op::subtract) return simple(opcode::subtract, n);
            if (f == op::multiply) return simple(opcode::multiply, n);
            if (f == op::divide) return simple(opcode::divide, n);
            if (f == op::modulo) return simple(opcode::modulo, n);
            if (f == op::equals) return simple(opcode::equals, n);
            if (f == op::not_equals) return simple(opcode::not_equals, n);
            if (f == op::less) return simple(opcode::less, n);
            if (f == op::less_equals) return simple(opcode::less_equals, n);
            if (f == op::greater) return simple(opcode::greater, n);
            if (f == op::greater_equals) return simple(opcode::greater_equals, n);
            if (f == op::in) return simple(opcode::in, n);
            if (f == "has") return has(n);
        }
        if (n.member) {
            if (const auto i = namespaced_call(n); i != ~0u) return i;
        }
        if (n.member && is_macro_call(f, argc)) {
            for (std::size_t k = 1; k < argc - 1 && k <= 2; ++k) {
                if (n.args[k]->kind != ast_kind::ident && (k == 1 || two_var_macro(f, argc)))
                    fail(n.args[k]->offset, "the variable of " + f + "() must be a simple name");
            }
            return comprehension(n);
        }
        if (f == "matches" && ((n.member && argc == 2) || (!n.member && argc == 2)) &&
            n.args[1]->kind == ast_kind::literal && n.args[1]->lit.kind() == kind::string)
            return matches_const(n);

        // the arguments first, so that their own errors are reported before the call's
        std::vector<std::uint32_t> kids;
        for (auto& a : n.args)
            kids.push_back(compile(*a));
        return resolved_call(f, n.member, n.offset, kids);
    }

    // A call of the function `f` with compiled arguments (the receiver first for a member call),
    // or, when no overload takes that many, an unknown-function error.
    std::uint32_t resolved_call(const std::string& f, bool member, std::uint32_t offset,
                                const std::vector<std::uint32_t>& kids) {
        const auto arity = static_cast<std::uint32_t>(kids.size());
        const auto defs = env_.find_overloads(f, arity, member);
        if (defs.empty()) {
            std::string msg = env_.has_function(f)
                                  ? "no overload of '" + f + "' takes " +
                                        std::to_string(member ? arity - 1 : arity) +
                                        " argument(s)" + (member ? " as a method" : "")
                                  : "unknown function '" + f + "'";
            return unresolved(offset, eval_errc::unbound_function, msg);
        }
        return finish_call(f, defs, offset, kids);
    }

    // The name a call's receiver spells when it is a (qualified) name and not a variable of a
    // macro: "math" in math.abs(x), "a.b" in a.b.f(x). Empty otherwise.
    std::string namespace_of(const ast_node& receiver) const {
        std::vector<const ast_node*> chain;
        if (!select_chain(receiver, chain)) return {};
        std::string name = chain[0]->name;
        if (name.starts_with('.'))
            name.erase(0, 1);
        else if (find_local(name) >= 0)
            return {};
        for (std::size_t k = 1; k < chain.size(); ++k)
            name += "." + chain[k]->name;
        return name;
    }

    // `ns.f(args...)` with `ns` a namespace: a macro of cel-spec's extension libraries, or a
    // call of the global function named "ns.f" (a namespaced function wins over a variable
    // named like the namespace, as in cel-go). ~0u when it is neither (a method call, then).
    std::uint32_t namespaced_call(const ast_node& n) {
        const std::string ns = namespace_of(*n.args[0]);
        if (ns.empty()) return ~0u;
        const std::string name = ns + "." + n.name;
        const std::size_t argc = n.args.size() - 1;  // without the namespace
        struct macro {
            std::string_view name;
            std::size_t min_args, max_args;
            std::uint32_t (compiler::*expand)(const ast_node&, const std::string&);
        };
        static constexpr macro macros[] = {
            {"cel.bind", 3, 3, &compiler::bind},
            {"math.greatest", 2, SIZE_MAX, &compiler::arguments_as_list},
            {"math.least", 2, SIZE_MAX, &compiler::arguments_as_list},
        };
        const bool function = env_.has_function(name);
        for (const macro& m : macros) {
            if (m.name != name) continue;
            if (argc >= m.min_args && argc <= m.max_args) return (this->*m.expand)(n, name);
            if (!function)
                fail(n.offset, name + "() takes " + std::to_string(m.min_args) + " arguments");
        }
        if (!function) return ~0u;
        std::vector<std::uint32_t> kids;
        for (std::size_t k = 1; k < n.args.size(); ++k)
            kids.push_back(compile(*n.args[k]));
        return resolved_call(name, false, n.offset, kids);
    }

    // math.greatest(a, b, ...): the function `fn` of one list [a, b, ...] (cel-go's expansion).
    std::uint32_t arguments_as_list(const ast_node& n, const std::string& fn) {
        std::vector<std::uint32_t> items;
        for (std::size_t k = 1; k < n.args.size(); ++k)
            items.push_back(compile(*n.args[k]));
        const auto list = fold(emit(opcode::list, n.args[1]->offset, items));
        return resolved_call(fn, false, n.offset, {list});
    }

    // cel.bind(v, init, body): `body` with the local variable `v` bound to `init`, evaluated
    // once. A constant `init` is substituted where `v` is used (so that the body folds, and
    // reads of a ruleset's params stay constant paths); otherwise a bind node holds it in a
    // local slot, and `v`'s fields are paths of `init`'s (for input_paths()).
    std::uint32_t bind(const ast_node& n, const std::string&) {
        const ast_node& var = *n.args[1];
        if (var.kind != ast_kind::ident || var.name.starts_with('.'))
            fail(var.offset, "the variable of cel.bind() must be a simple name");
        // a constant is noted where the body reads it, another value as a macro's range is
        const auto init = compile_unnoted(*n.args[2]);
        if (!is_const(init)) note_use(init);
        const auto slot = static_cast<std::uint32_t>(scopes_.size());
        if (is_const(init)) {
            scopes_.push_back({var.name, p_.nodes[init].path, init});
        } else {
            scopes_.push_back({var.name, p_.nodes[init].path});
            p_.locals = std::max(p_.locals, slot + 1);
        }
        const auto body = compile(*n.args[3]);
        scopes_.resize(slot);
        // a constant body does not read the variable (an error in `init` it never reads is no
        // error, as in cel-go)
        if (is_const(init) || is_const(body)) return body;
        auto i = emit(opcode::bind, n.offset, {init, body});
        p_.nodes[i].a = slot;
        return i;
    }

    // The call keeps the overloads it may reach; the states they carry live as long as the
    // program. A lone overload accepting any kinds is called directly.
    std::uint32_t finish_call(const std::string& name, const std::vector<const function_def*>& defs,
                              std::uint32_t offset, const std::vector<std::uint32_t>& kids) {
        overload_set& set = p_.overloads.emplace_back();
        set.name = name;
        set.arity = static_cast<std::uint32_t>(kids.size());
        for (const function_def* d : defs) {
            const bool any = std::all_of(d->params.begin(), d->params.end(),
                                         [](kind_set k) { return k.is_any(); });
            set.candidates.push_back({static_cast<std::uint32_t>(set.params.size()), any, d->fn,
                                      d->sfn, d->state.get(), d->accepts});
            set.params.insert(set.params.end(), d->params.begin(), d->params.end());
            set.pure = set.pure && d->pure;
            if (d->state &&
                std::find(p_.states.begin(), p_.states.end(), d->state) == p_.states.end())
                p_.states.push_back(d->state);
        }
        auto i = emit(opcode::call, offset, kids);
        node& nd = p_.nodes[i];
        nd.overloads = &set;
        if (set.candidates.size() == 1 && set.candidates[0].any &&
            set.candidates[0].accepts == nullptr) {
            nd.fn = set.candidates[0].fn;
            nd.sfn = set.candidates[0].sfn;
            nd.state = set.candidates[0].state;
        }
        return fold(i);
    }

    std::uint32_t simple(opcode op, const ast_node& n) {
        std::vector<std::uint32_t> kids;
        for (auto& a : n.args)
            kids.push_back(compile(*a));
        return fold(emit(op, n.offset, kids));
    }

    // a && b && c ... is flattened into one n-ary node.
    std::uint32_t logical(const ast_node& n) {
        std::vector<const ast_node*> terms;
        collect_terms(n, n.name, terms);
        std::vector<std::uint32_t> kids;
        kids.reserve(terms.size());
        for (auto* t : terms)
            kids.push_back(compile(*t));
        const auto op = n.name == op::logical_and ? opcode::logical_and : opcode::logical_or;
        return fold(emit(op, n.offset, kids));
    }
    static void collect_terms(const ast_node& n, const std::string& name,
                              std::vector<const ast_node*>& out) {
        if (n.kind == ast_kind::call && !n.member && n.name == name) {
            for (auto& a : n.args)
                collect_terms(*a, name, out);
        } else {
            out.push_back(&n);
        }
    }

    std::uint32_t has(const ast_node& n) {
        if (n.args.size() != 1 || n.args[0]->kind != ast_kind::select)
            fail(n.offset, "has() needs a field selection, e.g. has(applicant.history)");
        const ast_node& sel = *n.args[0];
        auto base = compile_unnoted(*sel.args[0]);
        auto i = emit(opcode::has, n.offset, {base});
        p_.nodes[i].k = constants_.string(sel.name);
        if (!p_.nodes[base].path.empty()) {
            p_.nodes[i].path = intern(std::string(p_.nodes[base].path) + "." + sel.name);
            note_input(p_.nodes[i].path);
        }
        return fold(i);
    }

    // Macros compile to native loops. Flags in node.c: bit 0 = has a filter, bit 1 = two
    // variables (index/key in local a, element/value in local b).
    std::uint32_t comprehension(const ast_node& n) {
        const std::string& f = n.name;
        const std::size_t argc = n.args.size();
        const bool two = two_var_macro(f, argc);
        auto range = compile(*n.args[0]);
        std::string elem_path;
        if (!p_.nodes[range].path.empty()) elem_path = std::string(p_.nodes[range].path) + "[]";
        const auto first = static_cast<std::uint32_t>(scopes_.size());
        scopes_.push_back({n.args[1]->name, two ? std::string_view{} : intern(elem_path)});
        if (two) scopes_.push_back({n.args[2]->name, intern(elem_path)});
        p_.locals = std::max(p_.locals, static_cast<std::uint32_t>(scopes_.size()));
        const std::size_t body = two ? 3 : 2;    // first argument after the variables
        const bool filtered = argc == body + 2;  // map(x, p, t) / transformList(i, v, p, t)
        std::vector<std::uint32_t> kids{range};
        opcode op = opcode::all;
        if (f == "map" || f == "transformList" || f == "transformMap") {
            kids.push_back(compile(*n.args[filtered ? body + 1 : body]));  // transform
            if (filtered) kids.push_back(compile(*n.args[body]));          // filter
            op = f == "transformMap" ? opcode::transform_map : opcode::map_macro;
        } else {
            kids.push_back(compile(*n.args[body]));
            op = f == "all"      ? opcode::all
                 : f == "exists" ? opcode::exists
                 : f == "filter" ? opcode::filter
                                 : opcode::exists_one;
        }
        scopes_.resize(first);
        auto i = emit(op, n.offset, kids);
        p_.nodes[i].a = first;
        p_.nodes[i].b = two ? first + 1 : first;
        p_.nodes[i].c = (filtered ? 1u : 0u) | (two ? 2u : 0u);
        return i;
    }

    std::uint32_t matches_const(const ast_node& n) {
        auto target = compile(*n.args[0]);
        const auto pattern = n.args[1]->lit.as_string();
        auto re = std::make_unique<RE2>(piece(pattern), cel_regex_options());
        if (!re->ok())
            return unresolved(
                n.args[1]->offset, eval_errc::invalid_argument,
                "invalid regular expression '" + std::string(pattern) + "': " + re->error());
        auto i = emit(opcode::matches_const, n.offset, {target});
        p_.nodes[i].re = re.get();
        p_.regexes.push_back(std::move(re));
        return fold(i);
    }

    const environment::impl& env_;
    program_data& p_;
    const expression_limits& limits_;
    value_builder constants_;
    std::vector<scope_entry> scopes_;
};

}  // namespace
}  // namespace detail

// ------------------------------------------------------------------ environment

environment::environment() : impl_(std::make_unique<impl>()) {
    detail::register_standard_functions(*this);
    detail::register_string_extensions(*this);
    detail::register_math_extensions(*this);
}
environment::environment(const environment& o) : impl_(std::make_unique<impl>(*o.impl_)) {}
environment& environment::operator=(const environment& o) {
    if (this != &o) impl_ = std::make_unique<impl>(*o.impl_);
    return *this;
}
environment::environment(environment&&) noexcept = default;
environment& environment::operator=(environment&&) noexcept = default;
environment::~environment() = default;

int environment::declare(std::string_view name) {
    if (auto it = impl_->slots.find(name); it != impl_->slots.end()) return it->second;
    const int slot = static_cast<int>(impl_->variables.size());
    impl_->variables.emplace_back(name);
    impl_->slots.emplace(std::string(name), slot);
    return slot;
}

int environment::slot(std::string_view name) const noexcept {
    auto it = impl_->slots.find(name);
    return it == impl_->slots.end() ? -1 : it->second;
}

std::size_t environment::slot_count() const noexcept {
    return impl_->variables.size();
}

void environment::define_constant(std::string_view name, const value& v) {
    value_builder b(*impl_->constant_arena);
    impl_->constants[std::string(name)] = b.copy(v);
}

void environment::set_unchecked(bool on) noexcept {
    impl_->unchecked = on;
}
bool environment::unchecked() const noexcept {
    return impl_->unchecked;
}

// ------------------------------------------------------------------ expression

expression expression::compile(std::string_view source, const environment& env,
                               const expression_limits& limits) {
    auto p = std::make_shared<program>();
    p->source = std::string(source);
    value_builder constants(*p->constants);
    auto ast = detail::parse(p->source, constants, limits);
    detail::compiler c(env.details(), *p, limits);
    p->root = c.compile(*ast);
    return expression(std::move(p));
}

const std::string& expression::source() const noexcept {
    static const std::string empty;
    return program_ ? program_->source : empty;
}

source_location expression::locate(std::uint32_t offset) const noexcept {
    return detail::locate(source(), offset);
}

std::string expression::describe(const error_info& e) const {
    const auto loc = locate(e.offset);
    std::string out = std::to_string(loc.line) + ":" + std::to_string(loc.column) + ": ";
    out += e.message;
    out += " (in `" + source() + "`)";
    return out;
}

const std::vector<std::string>& expression::constant_paths() const noexcept {
    static const std::vector<std::string> empty;
    return program_ ? program_->constant_paths : empty;
}

const std::vector<std::string>& expression::input_paths() const noexcept {
    static const std::vector<std::string> empty;
    return program_ ? program_->input_paths : empty;
}

bool expression::is_constant() const noexcept {
    return program_ && program_->nodes[program_->root].op == detail::opcode::constant;
}

value expression::evaluate(std::span<const value> variables, eval_context& ctx) const {
    if (!program_) throw usage_error("evaluate() on an expression that was not compiled");
    ctx.begin();
    // Comprehension variables: a small stack buffer, the arena for unusually deep nesting.
    constexpr std::size_t inline_locals = 8;
    alignas(value) std::byte local_buf[inline_locals * sizeof(value)];
    value* locals = reinterpret_cast<value*>(local_buf);
    if (program_->locals > inline_locals)
        locals = ctx.arena().allocate_array<value>(program_->locals);
    // loops save and restore their variable: give them defined values (only as many as used)
    for (std::uint32_t i = 0; i < program_->locals; ++i)
        ::new (static_cast<void*>(locals + i)) value();
    return detail::eval_node(*program_, program_->root, variables, locals, ctx);
}

value evaluate_once(std::string_view source, std::span<const std::pair<std::string, value>> vars,
                    value_builder& out, const expression_limits& limits) {
    environment env;
    env.set_unchecked(true);
    std::vector<value> slots;
    for (const auto& [name, v] : vars) {
        env.declare(name);
        slots.push_back(v);
    }
    auto e = expression::compile(source, env, limits);
    eval_context ctx(limits);
    return out.copy(e.evaluate(slots, ctx));
}

}  // namespace telecomply
