#pragma once
/// \file function_adapter.hpp
/// Typed CEL function overloads: write a function's body over C++ types; the adapter declares
/// the argument kinds to the environment and converts the arguments, so the body never checks
/// a kind and never builds a "no such overload" error (in the manner of cel-cpp's
/// `runtime/function_adapter.h`).
///
/// \code
///   // s.repeat(n): a member overload (string, int) -> string
///   telecomply::value repeat(telecomply::eval_context& ctx, std::string_view s, std::int64_t n);
///   telecomply::add_overload<repeat>(env, "repeat", /*member=*/true);
///   // a function with state: the first parameter is the state, then the context
///   bool in_set(const std::set<std::string, std::less<>>& s, telecomply::eval_context&,
///               std::string_view x) { return s.contains(x); }
///   telecomply::add_overload<in_set>(env, "allowed", false, std::make_shared<const ...>(...));
/// \endcode
///
/// Parameter types and the kinds they accept:
///  - `bool`, `std::int64_t`, `std::uint64_t`, `double`, `std::string_view` (string),
///    `telecomply::date`, `telecomply::time_of_day`;
///  - `const value&` (any kind, CEL `dyn`);
///  - `of_kind<K...>`: a value of one of the kinds K... (e.g. `of_kind<kind::list>`,
///    `of_kind<kind::bytes, kind::list, kind::map>`, `of_kind<kind::timestamp>`).
/// The body may take `eval_context&` first (for errors and arena allocation); a function with
/// state takes `const S&` and then `eval_context&`. F is a function (or `&f`); a captureless
/// lambda works as `+[](...) { ... }` declared `constexpr` at namespace scope. Other parameter
/// types fail to compile with a message naming these. Return types:
/// `value`, `bool`, `std::int64_t`, `std::uint64_t`, `double`, `telecomply::date`,
/// `telecomply::time_of_day`. A returned string must live in the context's arena or in static
/// storage.
///
/// Thread safety: as environment::add_overload (registration is not synchronised; a compiled
/// expression calls the body concurrently, so the body and its state must be thread-safe).

#include <concepts>
#include <cstdint>
#include <memory>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "telecomply/base/date.hpp"
#include "telecomply/expr/expression.hpp"
#include "telecomply/expr/value.hpp"

namespace telecomply {

/// A value known to be of one of the kinds K... (an adapter parameter type).
template <kind... K>
struct of_kind {
    static_assert(sizeof...(K) > 0, "of_kind needs at least one kind");
    value v;
    [[nodiscard]] constexpr telecomply::kind kind() const noexcept { return v.kind(); }
};

/// How an adapter parameter type is read from a value: `kinds` accepted, `get` (called only
/// with a value of those kinds), and optionally `static bool accepts(const value&)`, a finer
/// test on the value (see overload_filter; `get` is then called only when it holds).
/// Specialise it to add parameter types.
template <class T>
struct arg_traits;

template <>
struct arg_traits<bool> {
    static constexpr kind_set kinds = kind::bool_;
    static bool get(const value& v) noexcept { return v.as_bool(); }
};
template <>
struct arg_traits<std::int64_t> {
    static constexpr kind_set kinds = kind::int_;
    static std::int64_t get(const value& v) noexcept { return v.as_int(); }
};
template <>
struct arg_traits<std::uint64_t> {
    static constexpr kind_set kinds = kind::uint_;
    static std::uint64_t get(const value& v) noexcept { return v.as_uint(); }
};
template <>
struct arg_traits<double> {
    static constexpr kind_set kinds = kind::double_;
    static double get(const value& v) noexcept { return v.as_double(); }
};
template <>
struct arg_traits<std::string_view> {
    static constexpr kind_set kinds = kind::string;
    static std::string_view get(const value& v) noexcept { return v.as_string(); }
};
template <>
struct arg_traits<date> {
    static constexpr kind_set kinds = kind::date;
    static date get(const value& v) noexcept { return v.as_date(); }
};
template <>
struct arg_traits<time_of_day> {
    static constexpr kind_set kinds = kind::time_of_day;
    static time_of_day get(const value& v) noexcept { return v.as_time_of_day(); }
};
template <>
struct arg_traits<value> {
    static constexpr kind_set kinds = kind_set::any();
    static const value& get(const value& v) noexcept { return v; }
};
template <kind... K>
struct arg_traits<of_kind<K...>> {
    static constexpr kind_set kinds = (kind_set(K) | ...);
    static of_kind<K...> get(const value& v) noexcept { return {v}; }
};

namespace detail {

template <class F>
struct fn_signature;
// R f(A...)
template <class R, class... A>
struct fn_signature<R (*)(A...)> {
    using result = R;
    using params = std::tuple<std::remove_cvref_t<A>...>;
    static constexpr bool with_context = false;
};
// R f(eval_context&, A...)
template <class R, class... A>
struct fn_signature<R (*)(eval_context&, A...)> {
    using result = R;
    using params = std::tuple<std::remove_cvref_t<A>...>;
    static constexpr bool with_context = true;
};
template <class R, class... A>
struct fn_signature<R (*)(A...) noexcept> : fn_signature<R (*)(A...)> {};
template <class R, class... A>
struct fn_signature<R (*)(eval_context&, A...) noexcept>
    : fn_signature<R (*)(eval_context&, A...)> {};

// R f(const S&, eval_context&, A...)
template <class F>
struct stateful_signature;
template <class R, class S, class... A>
struct stateful_signature<R (*)(const S&, eval_context&, A...)> {
    using result = R;
    using state = S;
    using params = std::tuple<std::remove_cvref_t<A>...>;
};
template <class R, class S, class... A>
struct stateful_signature<R (*)(const S&, eval_context&, A...) noexcept>
    : stateful_signature<R (*)(const S&, eval_context&, A...)> {};

template <class R>
value to_value(R r) noexcept {
    if constexpr (std::is_same_v<R, value>)
        return r;
    else if constexpr (std::is_same_v<R, bool>)
        return value::from_bool(r);
    else if constexpr (std::is_same_v<R, std::int64_t>)
        return value::from_int(r);
    else if constexpr (std::is_same_v<R, std::uint64_t>)
        return value::from_uint(r);
    else if constexpr (std::is_same_v<R, double>)
        return value::from_double(r);
    else if constexpr (std::is_same_v<R, date>)
        return value::from_date(r);
    else if constexpr (std::is_same_v<R, time_of_day>)
        return value::from_time_of_day(r);
    else
        static_assert(!sizeof(R), "unsupported return type of a typed CEL function");
}

template <class Params, std::size_t... I>
std::vector<kind_set> kinds_of(std::index_sequence<I...>) {
    return {arg_traits<std::tuple_element_t<I, Params>>::kinds...};
}
template <class Params>
std::vector<kind_set> kinds_of() {
    return kinds_of<Params>(std::make_index_sequence<std::tuple_size_v<Params>>{});
}

template <class T>
concept supported_arg = requires(const value& v) {
    { arg_traits<T>::kinds } -> std::convertible_to<kind_set>;
    arg_traits<T>::get(v);
};

template <class T>
concept filtered_arg = requires(const value& v) {
    { arg_traits<T>::accepts(v) } -> std::same_as<bool>;
};

// An `accepts` of the wrong shape (not static, not returning bool) would be skipped silently
// and let through the values it was written to refuse.
template <class T>
concept has_accepts_member = requires {
    &arg_traits<T>::accepts;
};

template <class T>
constexpr bool check_arg() {
    static_assert(supported_arg<T>,
                  "unsupported parameter type for a typed CEL function: use bool, std::int64_t, "
                  "std::uint64_t, double, std::string_view, telecomply::date, "
                  "telecomply::time_of_day, const value&, of_kind<K...>, or specialise "
                  "telecomply::arg_traits for it (int, long long and std::string are not "
                  "CEL's types: take std::int64_t or std::string_view)");
    if constexpr (supported_arg<T>)
        static_assert(!has_accepts_member<T> || filtered_arg<T>,
                      "arg_traits<T>::accepts must be `static bool accepts(const value&)`");
    return true;
}

template <class Params, std::size_t... I>
constexpr bool check_args(std::index_sequence<I...>) {
    return (check_arg<std::tuple_element_t<I, Params>>() && ...);
}
template <class Params>
constexpr bool check_params() {
    return check_args<Params>(std::make_index_sequence<std::tuple_size_v<Params>>{});
}

template <class T>
bool accepts_arg(const value& v) {
    if constexpr (filtered_arg<T>)
        return arg_traits<T>::accepts(v);
    else
        return true;
}

template <class Params, std::size_t... I>
bool accepts_all(const value* a, std::index_sequence<I...>) {
    return (accepts_arg<std::tuple_element_t<I, Params>>(a[I]) && ...);
}

// The overload_filter of a parameter list: null unless a parameter type has one.
template <class Params>
overload_filter filter_of() {
    return []<std::size_t... I>(std::index_sequence<I...>)->overload_filter {
        if constexpr ((filtered_arg<std::tuple_element_t<I, Params>> || ...))
            return
                [](const value* a) { return accepts_all<Params>(a, std::index_sequence<I...>{}); };
        else
            return nullptr;
    }
    (std::make_index_sequence<std::tuple_size_v<Params>>{});
}

template <auto F, class Sig, std::size_t... I>
value call_typed(const value* a, eval_context& ctx, std::index_sequence<I...>) {
    using P = typename Sig::params;
    if constexpr (Sig::with_context)
        return to_value(F(ctx, arg_traits<std::tuple_element_t<I, P>>::get(a[I])...));
    else
        return to_value(F(arg_traits<std::tuple_element_t<I, P>>::get(a[I])...));
}
template <auto F>
value typed_thunk(const value* a, eval_context& ctx) {
    using Sig = fn_signature<decltype(F)>;
    return call_typed<F, Sig>(a, ctx,
                              std::make_index_sequence<std::tuple_size_v<typename Sig::params>>{});
}

template <auto F, std::size_t... I>
value call_stateful(const value* a, eval_context& ctx, const void* state,
                    std::index_sequence<I...>) {
    using Sig = stateful_signature<decltype(F)>;
    using P = typename Sig::params;
    return to_value(F(*static_cast<const typename Sig::state*>(state), ctx,
                      arg_traits<std::tuple_element_t<I, P>>::get(a[I])...));
}
template <auto F>
value stateful_thunk(const value* a, eval_context& ctx, const void* state) {
    using Sig = stateful_signature<decltype(F)>;
    return call_stateful<F>(a, ctx, state,
                            std::make_index_sequence<std::tuple_size_v<typename Sig::params>>{});
}

}  // namespace detail

/// Adds the typed function F as an overload of `name` (a member overload when `member`: the
/// first parameter is the receiver). See the file comment for the parameter types.
template <auto F>
void add_overload(environment& env, std::string_view name, bool member, bool pure = true) {
    using Sig = detail::fn_signature<decltype(F)>;
    static_assert(detail::check_params<typename Sig::params>());
    env.add_overload(name, member, detail::kinds_of<typename Sig::params>(),
                     &detail::typed_thunk<F>, pure, detail::filter_of<typename Sig::params>());
}

/// Adds the typed function F, whose first parameter is its state `const S&` and second the
/// eval_context, with `state` kept alive by the environment and every expression compiled
/// with it.
template <auto F, class S>
void add_overload(environment& env, std::string_view name, bool member, std::shared_ptr<S> state,
                  bool pure = true) {
    using Sig = detail::stateful_signature<decltype(F)>;
    static_assert(std::is_same_v<typename Sig::state, std::remove_const_t<S>>,
                  "the state type does not match F's first parameter (const S&)");
    static_assert(detail::check_params<typename Sig::params>());
    env.add_overload(name, member, detail::kinds_of<typename Sig::params>(),
                     &detail::stateful_thunk<F>, std::shared_ptr<const void>(std::move(state)),
                     pure, detail::filter_of<typename Sig::params>());
}

}  // namespace telecomply
