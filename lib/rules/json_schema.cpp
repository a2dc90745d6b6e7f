// JSON Schema validation through valijson (lib/rules/json_schema.hpp).

#include "rules/json_schema.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <memory>
#include <optional>
#include <span>
#include <utility>

#include <re2/re2.h>
#include <unordered_map>

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include "base/json_io.hpp"
#include "rules/member_key.hpp"
#include "rules/schema_validator.hpp"
#include "rules/value_schema_adapter.hpp"

namespace telecomply::detail {

// ------------------------------------------------------------------ JSON Schema

// Where the schema says "integer": a tree of the members and items that can hold one.
struct integer_positions {
    member_key key{std::string()};  // the member this node describes, as a child in `properties`
    bool integer = false;
    // a vector, which (unlike the maps) may hold its own incomplete type; a schema has few
    std::vector<integer_positions> properties;
    std::unique_ptr<integer_positions> additional;  // additionalProperties
    std::unique_ptr<integer_positions> items;
    [[nodiscard]] bool empty() const noexcept {
        return !integer && properties.empty() && !additional && !items;
    }
    [[nodiscard]] const integer_positions* property(std::string_view k) const noexcept;
    /// The same for a map's key (a word compared per member: the walks over documents).
    [[nodiscard]] const integer_positions* property(const value& k) const noexcept;
};

const integer_positions* integer_positions::property(std::string_view k) const noexcept {
    for (const auto& p : properties)
        if (p.key.name() == k) return &p;
    return nullptr;
}

const integer_positions* integer_positions::property(const value& k) const noexcept {
    for (const auto& p : properties)
        if (p.key.matches(k)) return &p;
    return nullptr;
}

struct json_schema::impl {
    valijson::Schema schema;
    std::string name;
    nlohmann::json source;  // the schema as written: what an enum allows, for messages
    integer_positions integers;
    schema_validator compiled;  // not usable(): valijson alone
};

namespace {
void collect_integers(const nlohmann::json& root, const nlohmann::json& sub, integer_positions& out,
                      int depth);
}  // namespace

json_schema::json_schema() = default;
json_schema::~json_schema() = default;
json_schema::json_schema(json_schema&&) noexcept = default;
json_schema& json_schema::operator=(json_schema&&) noexcept = default;

json_schema json_schema::from_json(const nlohmann::json& schema, const std::string& name,
                                   value_validation how) {
    json_schema s;
    s.impl_ = std::make_unique<impl>();
    s.impl_->name = name;
    s.impl_->source = schema;
    try {
        valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
        valijson::adapters::NlohmannJsonAdapter adapter(schema);
        parser.populateSchema(adapter, s.impl_->schema);
        collect_integers(schema, schema, s.impl_->integers, 0);
    } catch (const std::exception& e) {
        throw ruleset_error(name, 0, "", std::string("not a usable JSON Schema: ") + e.what());
    }
    // only a schema valijson accepted: the compiled validator mirrors valijson's reading of it
    if (how == value_validation::compiled_first)
        s.impl_->compiled = schema_validator::compile(schema);
    return s;
}

bool json_schema::compiled() const noexcept {
    return impl_ && impl_->compiled.usable();
}

std::string json_schema::unsupported() const {
    return impl_ ? impl_->compiled.unsupported() : std::string();
}

namespace {

const nlohmann::json* follow_ref(const nlohmann::json& root, const nlohmann::json& s);

// Whether a `type` keyword admits integers but not every number ("integer", or a list of
// types with "integer" and without "number"): where a double must become an int.
bool says_integer(const nlohmann::json& s) {
    const auto t = s.find("type");
    if (t == s.end()) return false;
    if (t->is_string()) return *t == "integer";
    if (!t->is_array()) return false;
    bool integer = false;
    for (const auto& x : *t) {
        if (x == "number") return false;
        integer = integer || x == "integer";
    }
    return integer;
}

// Adds what the subschema `sub` says of integers to `out` (a subschema met through several
// branches merges them). Depth-bounded: a recursive $ref stops there.
void collect_integers(const nlohmann::json& root, const nlohmann::json& sub, integer_positions& out,
                      int depth) {
    if (depth > 32) return;
    const nlohmann::json* s = follow_ref(root, sub);
    if (s == nullptr) return;
    out.integer = out.integer || says_integer(*s);
    for (const char* combo : {"allOf", "anyOf", "oneOf"})
        if (const auto c = s->find(combo); c != s->end() && c->is_array())
            for (const auto& branch : *c)
                collect_integers(root, branch, out, depth + 1);
    auto child = [&](const nlohmann::json& schema, std::unique_ptr<integer_positions>& slot) {
        auto p = slot ? std::move(slot) : std::make_unique<integer_positions>();
        collect_integers(root, schema, *p, depth + 1);
        if (!p->empty()) slot = std::move(p);
    };
    if (const auto props = s->find("properties"); props != s->end() && props->is_object())
        for (auto member = props->begin(); member != props->end(); ++member) {
            const std::string& key = member.key();
            auto it =
                std::find_if(out.properties.begin(), out.properties.end(),
                             [&key](const integer_positions& p) { return p.key.name() == key; });
            integer_positions p;
            if (it != out.properties.end()) p = std::move(*it);
            p.key = member_key(key);
            collect_integers(root, member.value(), p, depth + 1);
            if (p.empty()) continue;
            if (it != out.properties.end())
                *it = std::move(p);
            else
                out.properties.push_back(std::move(p));
        }
    if (const auto add = s->find("additionalProperties"); add != s->end() && add->is_object())
        child(*add, out.additional);
    if (const auto items = s->find("items"); items != s->end() && items->is_object())
        child(*items, out.items);
}

// The int of a double with no fractional part inside the int64 range.
std::optional<std::int64_t> exact_int(double d) {
    // 2^63 is exactly representable; every double below it in magnitude converts exactly
    constexpr double limit = 9223372036854775808.0;
    if (!(d >= -limit && d < limit) || std::trunc(d) != d) return std::nullopt;
    return static_cast<std::int64_t>(d);
}

// Whether a value standing where the schema says integer satisfies `pred` (a walk, no
// allocation).
template <class Pred>
bool any_integer(const value& v, const integer_positions& at, const Pred& pred) {
    switch (v.kind()) {
        case kind::list:
            if (at.items)
                for (const auto* it = v.list_begin(); it != v.list_end(); ++it)
                    if (any_integer(*it, *at.items, pred)) return true;
            return false;
        case kind::map:
            for (const auto* e = v.map_begin(); e != v.map_end(); ++e) {
                const auto* p = at.property(e->key);
                if (p == nullptr) p = at.additional.get();
                if (p != nullptr && any_integer(e->val, *p, pred)) return true;
            }
            return false;
        default:
            return at.integer && pred(v);
    }
}

bool would_conform(const value& v, const integer_positions& at) {
    return any_integer(v, at, [](const value& x) {
        return x.kind() == kind::double_ && exact_int(x.as_double()).has_value();
    });
}

void conform(value& v, const integer_positions& at) {
    switch (v.kind()) {
        case kind::double_:
            if (at.integer)
                if (const auto i = exact_int(v.as_double())) v = value::from_int(*i);
            return;
        case kind::list:
            if (at.items)
                // a document's values live in memory its arena allocated as mutable: the
                // caller owns the document, so changing them in place is sound
                for (auto* it = const_cast<value*>(v.list_begin());
                     it != const_cast<value*>(v.list_end()); ++it)
                    conform(*it, *at.items);
            return;
        case kind::map:
            for (auto* e = const_cast<map_entry*>(v.map_begin());
                 e != const_cast<map_entry*>(v.map_end()); ++e) {
                if (const auto* p = at.property(e->key))
                    conform(e->val, *p);
                else if (at.additional)
                    conform(e->val, *at.additional);
            }
            return;
        default:
            return;
    }
}

// A number the schema calls an integer (draft-07: no fractional part) but no int64 holds: an
// unsigned integer above INT64_MAX, a whole double of magnitude 2^63 or more (9.3e18).
bool beyond_int64(const value& v) {
    if (v.kind() == kind::uint_) return v.as_uint() > static_cast<std::uint64_t>(INT64_MAX);
    if (v.kind() != kind::double_) return false;
    const double d = v.as_double();
    return std::isfinite(d) && std::trunc(d) == d && !exact_int(d);
}

// The JSON path and the text of the first such number standing where the schema says integer.
std::optional<std::pair<std::string, std::string>> find_beyond_int64(const value& v,
                                                                     const integer_positions& at,
                                                                     const std::string& path) {
    switch (v.kind()) {
        case kind::uint_:
        case kind::double_:
            if (at.integer && beyond_int64(v))
                return std::pair{
                    path, v.kind() == kind::uint_ ? std::to_string(v.as_uint()) : v.to_string()};
            return std::nullopt;
        case kind::list:
            if (at.items)
                for (std::uint32_t i = 0; i < v.size(); ++i)
                    if (auto p = find_beyond_int64(v.list_begin()[i], *at.items,
                                                   json_path_append_index(path, i)))
                        return p;
            return std::nullopt;
        case kind::map:
            for (const auto* e = v.map_begin(); e != v.map_end(); ++e) {
                if (e->key.kind() != kind::string) continue;
                const auto* p = at.property(e->key.as_string());
                if (p == nullptr) p = at.additional.get();
                if (p != nullptr)
                    if (auto found = find_beyond_int64(
                            e->val, *p, json_path_append_key(path, e->key.as_string())))
                        return found;
            }
            return std::nullopt;
        default:
            return std::nullopt;
    }
}

void conform(nlohmann::json& j, const integer_positions& at) {
    if (j.is_number_float()) {
        if (at.integer)
            if (const auto i = exact_int(j.get<double>())) j = *i;
    } else if (j.is_array()) {
        if (at.items)
            for (auto& e : j)
                conform(e, *at.items);
    } else if (j.is_object()) {
        for (auto it = j.begin(); it != j.end(); ++it) {
            if (const auto* p = at.property(it.key()))
                conform(it.value(), *p);
            else if (at.additional)
                conform(it.value(), *at.additional);
        }
    }
}

}  // namespace

std::optional<json_schema::failure> json_schema::integer_beyond_int64(const value& doc) const {
    if (!impl_ || impl_->integers.empty()) return std::nullopt;
    // the common case, none, without building a path per member
    if (!any_integer(doc, impl_->integers, beyond_int64)) return std::nullopt;
    const auto found = find_beyond_int64(doc, impl_->integers, "$");
    if (!found) return std::nullopt;
    return failure{found->first, found->second +
                                     " is an integer beyond the range telecomply judges (-2^63 "
                                     "to 2^63-1)"};
}

void json_schema::conform_integers(nlohmann::json& doc) const {
    if (impl_ && !impl_->integers.empty()) conform(doc, impl_->integers);
}

bool json_schema::has_integers_to_conform(const value& doc) const {
    return impl_ && !impl_->integers.empty() && would_conform(doc, impl_->integers);
}

void json_schema::conform_integers(value& doc) const {
    if (impl_ && !impl_->integers.empty()) conform(doc, impl_->integers);
}

json_schema json_schema::load(const std::filesystem::path& file) {
    const std::string text = read_file(file, errc::ruleset_error);
    auto j = parse_json(text, file.string(), errc::ruleset_error);
    refuse_duplicate_keys(text, file.string(), errc::ruleset_error);  // a constraint dropped
    return from_json(j, file.string());
}

namespace {

// The schema a local "$ref" ("#/definitions/x") points to; nullptr when it cannot be followed.
const nlohmann::json* follow_ref(const nlohmann::json& root, const nlohmann::json& s) {
    const nlohmann::json* at = &s;
    for (int hops = 0; hops < 32 && at->is_object(); ++hops) {
        const auto ref = at->find("$ref");
        if (ref == at->end()) return at;
        if (!ref->is_string() || !ref->get<std::string>().starts_with("#")) return nullptr;
        try {
            at = &root.at(nlohmann::json::json_pointer(ref->get<std::string>().substr(1)));
        } catch (const nlohmann::json::exception&) {
            return nullptr;
        }
    }
    return at->is_object() ? at : nullptr;
}

// "a.b.c" as its steps {"a", "b", "c"} (an empty step stays: no member is named "").
std::vector<std::string_view> split_path(std::string_view dotted_path) {
    std::vector<std::string_view> steps;
    for (std::size_t start = 0;;) {
        const auto dot = dotted_path.find('.', start);
        steps.push_back(dotted_path.substr(start, dot - start));
        if (dot == std::string_view::npos) break;
        start = dot + 1;
    }
    return steps;
}

// Whether `s` (a subschema of `root`) describes the path steps[i..].
bool describes(const nlohmann::json& root, const nlohmann::json& sub,
               const std::vector<std::string_view>& steps, std::size_t i, int depth) {
    if (depth > 64) return false;
    const nlohmann::json* s = follow_ref(root, sub);
    if (s == nullptr) return false;
    if (i == steps.size()) return true;
    for (const char* combinator : {"allOf", "anyOf", "oneOf"})
        if (const auto it = s->find(combinator); it != s->end() && it->is_array())
            for (const auto& branch : *it)
                if (describes(root, branch, steps, i, depth + 1)) return true;
    // through an array to its items
    if (const auto items = s->find("items"); items != s->end() && items->is_object())
        if (describes(root, *items, steps, i, depth + 1)) return true;
    if (const auto props = s->find("properties"); props != s->end() && props->is_object())
        if (const auto p = props->find(std::string(steps[i])); p != props->end())
            return describes(root, *p, steps, i + 1, depth + 1);
    if (const auto extra = s->find("additionalProperties"); extra != s->end() && extra->is_object())
        return describes(root, *extra, steps, i + 1, depth + 1);
    return false;
}

// As describes(), recording in `out` the deepest step where the path leaves the schema.
bool lookup(const nlohmann::json& root, const nlohmann::json& sub,
            const std::vector<std::string_view>& steps, std::size_t i, int depth,
            json_schema::path_lookup& out) {
    if (depth > 64) return false;
    const nlohmann::json* s = follow_ref(root, sub);
    if (s == nullptr) return false;
    if (i == steps.size()) return true;
    bool found = false;
    for (const char* combinator : {"allOf", "anyOf", "oneOf"})
        if (const auto it = s->find(combinator); it != s->end() && it->is_array())
            for (const auto& branch : *it)
                found = lookup(root, branch, steps, i, depth + 1, out) || found;
    if (found) return true;
    if (const auto items = s->find("items"); items != s->end() && items->is_object())
        if (lookup(root, *items, steps, i, depth + 1, out)) return true;
    const auto props = s->find("properties");
    if (props != s->end() && props->is_object())
        if (const auto p = props->find(std::string(steps[i])); p != props->end())
            return lookup(root, *p, steps, i + 1, depth + 1, out);
    const auto extra = s->find("additionalProperties");
    if (extra != s->end() && extra->is_object())
        return lookup(root, *extra, steps, i + 1, depth + 1, out);
    // the path leaves the schema here, unless an array's items say more (above)
    const bool is_array = s->contains("items");
    if (is_array) return false;
    if (i < out.steps) return false;
    if (i > out.steps) out = {false, i, false, {}, {}};
    if (props != s->end() && props->is_object())
        for (const auto& [k, v] : props->items())
            if (std::find(out.members.begin(), out.members.end(), k) == out.members.end())
                out.members.push_back(k);
    std::sort(out.members.begin(), out.members.end());
    out.closed = out.closed || (extra != s->end() && extra->is_boolean() && !extra->get<bool>());
    if (const auto t = s->find("type"); t != s->end() && t->is_string() && *t != "object")
        out.type = t->get<std::string>();
    return false;
}

// Whether the path steps[i..] from `sub` crosses a subschema marked readOnly.
bool read_only_along(const nlohmann::json& root, const nlohmann::json& sub,
                     const std::vector<std::string_view>& steps, std::size_t i, int depth) {
    if (depth > 64) return false;
    const nlohmann::json* s = follow_ref(root, sub);
    if (s == nullptr) return false;
    if (const auto ro = s->find("readOnly"); ro != s->end() && ro->is_boolean() && ro->get<bool>())
        return true;
    if (i == steps.size()) return false;
    for (const char* combinator : {"allOf", "anyOf", "oneOf"})
        if (const auto it = s->find(combinator); it != s->end() && it->is_array())
            for (const auto& branch : *it)
                if (read_only_along(root, branch, steps, i, depth + 1)) return true;
    if (const auto items = s->find("items"); items != s->end() && items->is_object())
        if (read_only_along(root, *items, steps, i, depth + 1)) return true;
    if (const auto props = s->find("properties"); props != s->end() && props->is_object())
        if (const auto p = props->find(std::string(steps[i])); p != props->end())
            return read_only_along(root, *p, steps, i + 1, depth + 1);
    if (const auto extra = s->find("additionalProperties"); extra != s->end() && extra->is_object())
        return read_only_along(root, *extra, steps, i + 1, depth + 1);
    return false;
}

// valijson's Validator caches compiled regexes and is not thread-safe: one per thread and
// schema.
valijson::Validator& thread_validator(const void* schema) {
    thread_local std::unordered_map<const void*, valijson::Validator> validators;
    return validators[schema];
}

// Walks a document along a failure's context, so that a member named "2026" is told from
// item 2026 (valijson writes both as "[2026]"). A cursor that loses its way (which it should
// not) leaves the choice to the spelling: digits are an index.
struct nlohmann_cursor {
    const nlohmann::json* at;
    [[nodiscard]] bool is_array() const { return at != nullptr && at->is_array(); }
    [[nodiscard]] bool lost() const { return at == nullptr; }
    void index(std::size_t i) { at = is_array() && i < at->size() ? &(*at)[i] : nullptr; }
    void key(std::string_view k) {
        if (at == nullptr || !at->is_object()) {
            at = nullptr;
            return;
        }
        const auto it = at->find(k);
        at = it == at->end() ? nullptr : &*it;
    }
};

struct value_cursor {
    const value* at;
    [[nodiscard]] bool is_array() const { return at != nullptr && at->kind() == kind::list; }
    [[nodiscard]] bool lost() const { return at == nullptr; }
    void index(std::size_t i) {
        at = is_array() && i < at->size() ? at->list_begin() + i : nullptr;
    }
    void key(std::string_view k) { at = at == nullptr ? nullptr : at->find(k); }
};

// The deepest failure: it names the offending value rather than an enclosing one. Of equally
// deep ones, the first valijson met.

// A step of a failure's path: a member name or an item index.
struct path_step {
    std::string key;
    std::optional<std::size_t> index;
};

// The schema node that governs the value at `steps` (best effort: $ref into the document,
// properties, patternProperties, additionalProperties, items, and the branches of
// allOf/anyOf/oneOf), or nullptr.
const nlohmann::json* schema_node_at(const nlohmann::json& root, const nlohmann::json* node,
                                     std::span<const path_step> steps, int depth = 0) {
    if (node == nullptr || !node->is_object() || depth > 64) return nullptr;
    if (const auto ref = node->find("$ref"); ref != node->end() && ref->is_string()) {
        const std::string& r = ref->get_ref<const std::string&>();
        if (!r.starts_with("#/")) return nullptr;
        try {
            return schema_node_at(root, &root.at(nlohmann::json::json_pointer(r.substr(1))), steps,
                                  depth + 1);
        } catch (const nlohmann::json::exception&) {
            return nullptr;
        }
    }
    if (steps.empty()) return node;
    for (const char* combo : {"allOf", "anyOf", "oneOf"})
        if (const auto c = node->find(combo); c != node->end() && c->is_array())
            for (const auto& branch : *c)
                if (const auto* found = schema_node_at(root, &branch, steps, depth + 1))
                    return found;
    const auto& step = steps.front();
    const auto rest = steps.subspan(1);
    if (step.index) {
        if (const auto items = node->find("items"); items != node->end())
            return schema_node_at(root, &*items, rest, depth + 1);
        return nullptr;
    }
    if (const auto props = node->find("properties"); props != node->end() && props->is_object())
        if (const auto it = props->find(step.key); it != props->end())
            return schema_node_at(root, &*it, rest, depth + 1);
    if (const auto pats = node->find("patternProperties"); pats != node->end() && pats->is_object())
        for (const auto& [pattern, sub] : pats->items())
            if (RE2::PartialMatch(step.key, RE2(pattern, RE2::Quiet)))
                return schema_node_at(root, &sub, rest, depth + 1);
    if (const auto add = node->find("additionalProperties"); add != node->end() && add->is_object())
        return schema_node_at(root, &*add, rest, depth + 1);
    return nullptr;
}

// " (allowed: a, b, c)" when the schema at `steps` is an enum, else "".
std::string allowed_values(const nlohmann::json& schema, std::span<const path_step> steps) {
    const auto* node = schema_node_at(schema, &schema, steps);
    if (node == nullptr) return {};
    const auto e = node->find("enum");
    if (e == node->end() || !e->is_array()) return {};
    std::string out;
    for (const auto& v : *e)
        out += (out.empty() ? "" : ", ") +
               v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return " (allowed: " + out + ")";
}

template <class Cursor>
json_schema::failure deepest_failure(const valijson::ValidationResults& results, Cursor cur,
                                     const nlohmann::json& schema) {
    const valijson::ValidationResults::Error* best = nullptr;
    for (const auto& e : results)
        if (best == nullptr || e.context.size() > best->context.size()) best = &e;
    json_schema::failure f;
    f.json_path = "$";
    if (best == nullptr) {
        f.message = "the document does not match the schema";
        return f;
    }
    std::vector<path_step> steps;
    for (const auto& c : best->context) {
        if (c == "<root>") continue;
        // valijson writes "[key]" for properties and "[3]" for items
        std::string_view tok = c;
        if (tok.size() >= 2 && tok.front() == '[' && tok.back() == ']')
            tok = tok.substr(1, tok.size() - 2);
        std::size_t idx = 0;
        const auto [end, ec] = std::from_chars(tok.data(), tok.data() + tok.size(), idx);
        const bool digits = !tok.empty() && ec == std::errc() && end == tok.data() + tok.size();
        if (digits && (cur.is_array() || cur.lost())) {
            f.json_path = json_path_append_index(std::move(f.json_path), idx);
            cur.index(idx);
            steps.push_back({{}, idx});
        } else {
            f.json_path = json_path_append_key(std::move(f.json_path), tok);
            cur.key(tok);
            steps.push_back({std::string(tok), std::nullopt});
        }
    }
    f.message = best->description;
    // valijson says only that no value matched: say which ones would
    if (f.message.find("enum") != std::string::npos) f.message += allowed_values(schema, steps);
    return f;
}

}  // namespace

std::optional<json_schema::failure> json_schema::validate(const nlohmann::json& doc) const {
    if (!impl_) return std::nullopt;
    valijson::ValidationResults results;
    valijson::adapters::NlohmannJsonAdapter target(doc);
    if (thread_validator(impl_.get()).validate(impl_->schema, target, &results))
        return std::nullopt;
    return deepest_failure(results, nlohmann_cursor{&doc}, impl_->source);
}

std::optional<json_schema::failure> json_schema::validate(const value& doc) const {
    if (!impl_) return std::nullopt;
    // valid to the compiled validator: valid to valijson; anything else is valijson's to say
    if (impl_->compiled.check(doc) == schema_validator::verdict::valid) return std::nullopt;
    valijson::ValidationResults results;
    const value_schema_adapter target(doc);
    if (thread_validator(impl_.get()).validate(impl_->schema, target, &results))
        return std::nullopt;
    return deepest_failure(results, value_cursor{&doc}, impl_->source);
}

bool json_schema::knows_path(std::string_view dotted_path) const {
    if (!impl_ || dotted_path.empty()) return false;
    const auto steps = split_path(dotted_path);
    if (std::any_of(steps.begin(), steps.end(), [](std::string_view s) { return s.empty(); }))
        return false;
    return describes(impl_->source, impl_->source, steps, 0, 0);
}

bool json_schema::read_only(std::string_view dotted_path) const {
    if (!impl_ || dotted_path.empty()) return false;
    const auto steps = split_path(dotted_path);
    return read_only_along(impl_->source, impl_->source, steps, 0, 0);
}

json_schema::path_lookup json_schema::lookup_path(std::string_view dotted_path) const {
    path_lookup out;
    if (!impl_) {
        out.known = true;
        return out;
    }
    const auto steps = split_path(dotted_path);
    out.known = lookup(impl_->source, impl_->source, steps, 0, 0, out);
    return out;
}

}  // namespace telecomply::detail
