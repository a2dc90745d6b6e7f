// The function registry: the overloads an environment declares, how a call finds the ones it
// may reach, and how a call picks one by the kinds of its arguments (after cel-cpp's
// runtime/function_registry.h: overloads keyed by name, call style and argument kinds).

#include <algorithm>
#include <string>

#include "expr/cel_program.hpp"
#include "telecomply/base/error.hpp"

namespace telecomply::detail {

value no_overload_error(eval_context& ctx, std::string_view fn, const value* args, int n) {
    std::string msg = "no such overload: " + std::string(fn) + "(";
    for (int i = 0; i < n; ++i) {
        if (i != 0) msg += ", ";
        msg += type_name(args[i].kind());
    }
    msg += ")";
    return ctx.error(eval_errc::no_such_overload, msg);
}

value overload_set::call(const value* args, eval_context& ctx) const {
    for (const candidate& c : candidates) {
        bool accepts = c.any;
        if (!accepts) {
            const kind_set* p = params.data() + c.first_param;
            accepts = true;
            for (std::uint32_t i = 0; i < arity && accepts; ++i)
                accepts = p[i].contains(args[i].kind());
        }
        if (accepts && c.accepts != nullptr) accepts = c.accepts(args);
        if (accepts) return c.fn != nullptr ? c.fn(args, ctx) : c.sfn(args, ctx, c.state);
    }
    return no_overload_error(ctx, name, args, static_cast<int>(arity));
}

namespace {

// Whether `newer` accepts every call `older` does, so that `older` is never reached.
bool hides(const function_def& newer, const function_def& older) {
    if (newer.accepts != nullptr) return false;
    for (std::size_t i = 0; i < newer.params.size(); ++i)
        if (!newer.params[i].includes(older.params[i])) return false;
    return true;
}

template <class F>
void check_function(std::string_view name, F fn, bool member, std::size_t params) {
    if (fn == nullptr)
        throw usage_error("add_overload: null function for '" + std::string(name) + "'");
    if (member && params == 0)
        throw usage_error("add_overload: the member function '" + std::string(name) +
                          "' needs a parameter for its receiver (x." + std::string(name) + "())");
}

}  // namespace

}  // namespace telecomply::detail

namespace telecomply {

std::vector<const detail::function_def*> environment::impl::find_overloads(std::string_view name,
                                                                           std::uint32_t arity,
                                                                           bool member) const {
    std::vector<const detail::function_def*> out;
    for (auto it = functions.rbegin(); it != functions.rend(); ++it) {
        if (it->name != name || it->params.size() != arity || it->member != member) continue;
        if (std::none_of(out.begin(), out.end(),
                         [&](const detail::function_def* d) { return detail::hides(*d, *it); }))
            out.push_back(&*it);
    }
    return out;
}

bool environment::impl::has_function(std::string_view name) const noexcept {
    return std::any_of(functions.begin(), functions.end(),
                       [&](const auto& f) { return f.name == name; });
}

void environment::add_overload(std::string_view name, bool member, std::vector<kind_set> params,
                               native_function fn, bool pure, overload_filter accepts) {
    detail::check_function(name, fn, member, params.size());
    detail::function_def d;
    d.name = std::string(name);
    d.member = member;
    d.params = std::move(params);
    d.fn = fn;
    d.pure = pure;
    d.accepts = accepts;
    impl_->functions.push_back(std::move(d));
}

void environment::add_overload(std::string_view name, bool member, std::vector<kind_set> params,
                               stateful_function fn, std::shared_ptr<const void> state, bool pure,
                               overload_filter accepts) {
    detail::check_function(name, fn, member, params.size());
    detail::function_def d;
    d.name = std::string(name);
    d.member = member;
    d.params = std::move(params);
    d.sfn = fn;
    d.state = std::move(state);
    d.pure = pure;
    d.accepts = accepts;
    impl_->functions.push_back(std::move(d));
}

void environment::add_function(std::string_view name, std::uint32_t arity, bool member,
                               native_function fn, bool pure) {
    add_overload(name, member, std::vector<kind_set>(arity, kind_set::any()), fn, pure);
}

void environment::add_function(std::string_view name, std::uint32_t arity, bool member,
                               stateful_function fn, std::shared_ptr<const void> state, bool pure) {
    add_overload(name, member, std::vector<kind_set>(arity, kind_set::any()), fn, std::move(state),
                 pure);
}

}  // namespace telecomply
