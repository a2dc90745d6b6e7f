// Shared sub-expressions (expr/memo.hpp): computed once per input, per element where they read
// the element, never shared when impure or in error, and invisible in every result.

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "expr/memo.hpp"
#include "telecomply/expr/document.hpp"
#include "telecomply/expr/expression.hpp"

using namespace telecomply;

namespace {

int g_calls = 0;  // how many times the counting functions ran

value counted_upper(const value* args, eval_context& ctx) {
    ++g_calls;
    std::string s(args[0].as_string());
    for (auto& c : s)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return value::from_string(ctx.arena().copy(s));
}

value counted_fail(const value*, eval_context& ctx) {
    ++g_calls;
    return ctx.error(eval_errc::invalid_argument, "always fails");
}

/// An environment like a ruleset's: `app` and `name` per input, `n` an element.
struct fixture {
    environment env;
    int app = env.declare("app");
    int name = env.declare("name");
    int n = env.declare("n");
    fixture() {
        env.add_overload("upper", false, {kind::string}, &counted_upper);
        env.add_overload("noisy", false, {kind::string}, &counted_upper, /*pure=*/false);
        env.add_overload("fails", false, {kind::string}, &counted_fail);
    }
    std::vector<bool> per_input() const {
        std::vector<bool> v(env.slot_count(), true);
        v[static_cast<std::size_t>(n)] = false;
        return v;
    }
};

/// An input bound to the fixture's slots, and a context reading and filling a memo table.
struct session {
    document doc;
    std::vector<value> slots;
    eval_context ctx;
    detail::memo_table memo;
    detail::memo_scope scope{ctx, &memo};
    explicit session(const fixture& f,
                     std::string_view json = R"({"items": ["a", "b", "a"], "name": "x"})")
        : doc(document::parse(json)), slots(f.env.slot_count()) {
        slots[static_cast<std::size_t>(f.app)] = doc.root();
        slots[static_cast<std::size_t>(f.name)] = *doc.at("name");
    }
};

}  // namespace

TEST_CASE("memo: a sub-expression several expressions share runs once per input") {
    fixture f;
    auto e1 = expression::compile("upper(name) == 'X'", f.env);
    auto e2 = expression::compile("upper(name) + '!'", f.env);
    auto e3 = expression::compile("noisy(name) == noisy(name)", f.env);  // impure: not shared
    const std::vector<detail::memo_site> sites{{&e1}, {&e2}, {&e3}};
    const auto plan = detail::share_subexpressions(sites, f.per_input());
    CHECK(plan.slots == 1);
    CHECK(plan.element_slots == 0);

    session in(f);
    auto& [doc, slots, ctx, memo, scope] = in;
    for (int input_no = 0; input_no < 2; ++input_no) {
        memo.begin(plan);
        g_calls = 0;
        CHECK(e1.evaluate(slots, ctx).is_true());
        ctx.reset();  // what the shared result allocated outlives the context's reset
        const value v = e2.evaluate(slots, ctx);
        REQUIRE(v.kind() == kind::string);
        CHECK(v.as_string() == "X!");
        CHECK(g_calls == 1);
        CHECK(e3.evaluate(slots, ctx).is_true());
        CHECK(g_calls == 3);
    }
    // another input: computed again, with its own value
    memo.begin(plan);
    const auto other = document::parse(R"({"name": "y"})");
    slots[static_cast<std::size_t>(f.name)] = *other.at("name");
    g_calls = 0;
    CHECK(e1.evaluate(slots, ctx).is_false());
    CHECK(e2.evaluate(slots, ctx).as_string() == "Y!");
    CHECK(g_calls == 1);
}

TEST_CASE("memo: errors are not kept, so each expression reports its own") {
    fixture f;
    auto e1 = expression::compile("fails(name)", f.env);
    auto e2 = expression::compile("1 == 1 && fails(name)", f.env);
    const std::vector<detail::memo_site> sites{{&e1}, {&e2}};
    const auto plan = detail::share_subexpressions(sites, f.per_input());
    CHECK(plan.slots == 1);
    session in(f);
    auto& [doc, slots, ctx, memo, scope] = in;
    memo.begin(plan);
    g_calls = 0;
    const value a = e1.evaluate(slots, ctx);
    const value b = e2.evaluate(slots, ctx);
    REQUIRE(a.is_error());
    REQUIRE(b.is_error());
    CHECK(g_calls == 2);
    // the error names where it was raised in each expression
    CHECK(a.as_error().offset != b.as_error().offset);
}

TEST_CASE("memo: what reads an element is shared per element between the same lists only") {
    fixture f;
    auto each = expression::compile("app.items", f.env);
    auto each2 = expression::compile("app.items", f.env);
    auto other_each = expression::compile("[name, name]", f.env);
    auto r1 = expression::compile("upper(n) != 'Z'", f.env);
    auto r2 = expression::compile("upper(n) == 'A'", f.env);
    auto r3 = expression::compile("upper(n) == 'X'", f.env);  // over another list
    const std::vector<detail::memo_site> sites{
        {&each},           {&each2},           {&other_each},
        {&r1, f.n, &each}, {&r2, f.n, &each2}, {&r3, f.n, &other_each}};
    const auto plan = detail::share_subexpressions(sites, f.per_input());
    CHECK(plan.element_slots == 1);

    session in(f);
    auto& [doc, slots, ctx, memo, scope] = in;
    memo.begin(plan);
    const value items = each.evaluate(slots, ctx);
    REQUIRE(items.kind() == kind::list);
    g_calls = 0;
    std::vector<bool> first, second;
    for (const auto* rule : {&r1, &r2}) {
        for (std::size_t k = 0; k < items.size(); ++k) {
            memo.element = k;
            slots[static_cast<std::size_t>(f.n)] = items.list_begin()[k];
            (rule == &r1 ? first : second).push_back(rule->evaluate(slots, ctx).is_true());
            ctx.reset();
        }
    }
    memo.element = detail::memo_table::no_element;
    CHECK(first == std::vector<bool>{true, true, true});
    CHECK(second == std::vector<bool>{true, false, true});
    CHECK(g_calls == 3);  // once per element, not once per element and rule
    // outside an element nothing per element is shared
    slots[static_cast<std::size_t>(f.n)] = *doc.at("name");
    CHECK(r3.evaluate(slots, ctx).is_true());
    CHECK(r1.evaluate(slots, ctx).is_true());
    CHECK(g_calls == 5);
}

TEST_CASE("memo: an expression of another set ignores the table") {
    fixture f;
    auto a1 = expression::compile("upper(name)", f.env);
    auto a2 = expression::compile("upper(name)", f.env);
    auto b1 = expression::compile("upper(name) + ''", f.env);
    auto b2 = expression::compile("upper(name) + '?'", f.env);
    const std::vector<detail::memo_site> sa{{&a1}, {&a2}}, sb{{&b1}, {&b2}};
    const auto pa = detail::share_subexpressions(sa, f.per_input());
    const auto pb = detail::share_subexpressions(sb, f.per_input());
    CHECK(pa.set != pb.set);
    session in(f);
    auto& [doc, slots, ctx, memo, scope] = in;
    memo.begin(pa);
    g_calls = 0;
    CHECK(a1.evaluate(slots, ctx).as_string() == "X");
    CHECK(b1.evaluate(slots, ctx).as_string() == "X");
    CHECK(b2.evaluate(slots, ctx).as_string() == "X?");
    CHECK(a2.evaluate(slots, ctx).as_string() == "X");
    CHECK(g_calls == 3);
}
