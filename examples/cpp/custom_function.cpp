// A rule writer's own CEL function, added as a typed overload: the body is written over C++
// types, and the environment answers "no such overload" for any other kinds of arguments.
// Run by the tests (example_custom_function); docs/expressions.md shows it.

#include <cstdint>
#include <iostream>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include <telecomply/telecomply.hpp>

namespace {

// prefix_of(number, n): the first n digits of a phone number
telecomply::value prefix_of(telecomply::eval_context& ctx, std::string_view number,
                            std::int64_t n) {
    if (n < 0) return ctx.error(telecomply::eval_errc::invalid_argument, "negative length");
    return telecomply::value::from_string(number.substr(0, static_cast<std::size_t>(n)));
}

// blocked(number): whether a number's 7-digit prefix is on a list the function carries as state
using prefix_list = std::set<std::string, std::less<>>;
bool blocked(const prefix_list& prefixes, telecomply::eval_context&, std::string_view number) {
    return prefixes.contains(number.substr(0, 7));
}

}  // namespace

int main() {
    telecomply::environment env;
    const int number = env.declare("number");
    telecomply::add_overload<prefix_of>(env, "prefix_of", false);
    telecomply::add_overload<blocked>(env, "blocked", true,
                                      std::make_shared<const prefix_list>(prefix_list{"1703000"}));

    const auto rule =
        telecomply::expression::compile("prefix_of(number, 3) == '170' && number.blocked()", env);
    const auto wrong = telecomply::expression::compile("prefix_of(number, '3')", env);

    telecomply::document doc = telecomply::document::parse(R"("17030001234")");
    telecomply::value vars[1];
    vars[number] = doc.root();
    telecomply::eval_context ctx;
    const telecomply::value v = rule.evaluate(vars, ctx);
    const telecomply::value e = wrong.evaluate(vars, ctx);
    std::cout << "blocked: " << v.to_string() << "\n"
              << "wrong call: " << wrong.describe(e.as_error()) << "\n";
    return v.is_bool() && v.as_bool() && e.is_error() ? 0 : 1;
}
