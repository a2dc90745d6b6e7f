// A JSON Schema compiled into a validator over values (lib/rules/schema_validator.hpp).

#include "rules/schema_validator.hpp"

#include <algorithm>
#include <iterator>
#include <map>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "rules/member_key.hpp"
#include "rules/schema_pattern.hpp"
#include "rules/schema_type.hpp"

namespace telecomply::detail {

namespace {

using verdict = schema_validator::verdict;

constexpr std::uint16_t bit(schema_type t) noexcept {
    return static_cast<std::uint16_t>(1U << static_cast<unsigned>(t));
}

// An `enum` or `const` value as valijson holds it: numbers as doubles (integers through int64,
// as its nlohmann adapter reads them).
struct literal {
    enum class of : std::uint8_t { null_, boolean, number, string, array, object };
    of kind = of::null_;
    bool b = false;
    double d = 0;
    std::string s;
    std::vector<std::string> keys;  // object: the member names, beside `items`
    std::vector<literal> items;     // array elements, object member values
};

// A member name an object schema knows: in `properties` (child >= 0) or only in `required`.
struct member_name {
    member_key key;
    std::int32_t child = -1;
};

enum class additional : std::uint8_t { any, forbidden, schema };

struct node {
    bool always_invalid = false;  // the schema `false`
    bool trivial = true;          // no constraint at all (`true`, `{}`)
    bool type_only = false;       // `type` and nothing else (judged without a call)
    bool has_type = false;
    std::uint16_t types = 0;
    // strings
    bool string_checks = false;
    std::optional<std::uint64_t> min_length, max_length;
    std::int32_t pattern = -1;
    // numbers
    bool number_checks = false;
    std::optional<double> minimum, maximum, exclusive_minimum, exclusive_maximum;
    // arrays
    bool array_checks = false;
    std::optional<std::uint64_t> min_items, max_items;
    std::int32_t items = -1;
    // objects
    bool object_checks = false;
    std::vector<member_name> names;
    std::uint64_t required = 0;  // bits of `names`
    additional extra = additional::any;
    std::int32_t extra_schema = -1;
    // values
    std::optional<std::vector<literal>> enum_values;
    std::optional<literal> const_value;
    // combinators
    std::vector<std::uint32_t> all_of, any_of, one_of;
};

// valijson's utils::u8_strlen: over the text up to its first NUL, a character is a byte and the
// continuation bytes (10xxxxxx) after it; a sequence that decodes to 0 (an overlong NUL) ends
// the count. nullopt for a sequence of more than 6 bytes, which valijson reads out of bounds.
std::optional<std::uint64_t> u8_length(std::string_view s) noexcept {
    static constexpr std::uint64_t offsets[6] = {0x00000000UL, 0x00003080UL, 0x000E2080UL,
                                                 0x03C82080UL, 0xFA082080UL, 0x82082080UL};
    const std::size_t n = std::min(s.size(), s.find('\0'));
    std::uint64_t count = 0;
    for (std::size_t i = 0; i < n;) {
        std::uint64_t ch = 0;
        std::size_t size = 0;
        do {
            ch = (ch << 6) + static_cast<unsigned char>(s[i++]);
            ++size;
        } while (i < n && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80);
        if (size > 6) return std::nullopt;
        if (ch - offsets[size - 1] == 0) break;
        ++count;
    }
    return count;
}

// A number as valijson's adapter hands it to minimum/maximum and to numeric equality.
double number_of(const value& v, schema_type t) noexcept {
    if (t == schema_type::integer)
        return v.kind() == kind::int_ ? static_cast<double>(v.as_int())
                                      : static_cast<double>(static_cast<std::int64_t>(v.as_uint()));
    return v.kind() == kind::uint_ ? static_cast<double>(v.as_uint()) : v.as_double();
}

// Unsure results are remembered; an invalid one decides at once.
struct tally {
    bool unsure = false;
    // true when `r` decides (invalid)
    bool operator()(verdict r) noexcept {
        unsure = unsure || r == verdict::undecided;
        return r == verdict::invalid;
    }
    [[nodiscard]] verdict result() const noexcept {
        return unsure ? verdict::undecided : verdict::valid;
    }
};

// Valid when `judge` finds one of `items` valid; else undecided when it could not judge one,
// else invalid (enum, anyOf).
template <class Items, class Judge>
verdict any_valid(const Items& items, const Judge& judge) noexcept {
    bool unsure = false;
    for (const auto& item : items) {
        const verdict r = judge(item);
        if (r == verdict::valid) return verdict::valid;
        unsure = unsure || r == verdict::undecided;
    }
    return unsure ? verdict::undecided : verdict::invalid;
}

// valijson's equalTo(target, strict), the schema's literal on the left.
verdict equals(const literal& l, const value& v, schema_type t) noexcept {
    switch (l.kind) {
        case literal::of::null_:
            return t == schema_type::null_ ? verdict::valid : verdict::invalid;
        case literal::of::boolean:
            return t == schema_type::boolean && v.as_bool() == l.b ? verdict::valid
                                                                   : verdict::invalid;
        case literal::of::number:
            if (t != schema_type::integer && t != schema_type::number) return verdict::invalid;
            return number_of(v, t) == l.d ? verdict::valid : verdict::invalid;
        case literal::of::string:
            if (t == schema_type::rendered) return verdict::undecided;
            return t == schema_type::string && v.as_string() == l.s ? verdict::valid
                                                                    : verdict::invalid;
        case literal::of::array: {
            if (t != schema_type::array || v.size() != l.items.size()) return verdict::invalid;
            tally all;
            for (std::uint32_t i = 0; i < v.size(); ++i) {
                const value& e = v.list_begin()[i];
                if (all(equals(l.items[i], e, schema_type_of(e)))) return verdict::invalid;
            }
            return all.result();
        }
        case literal::of::object: {
            if (t != schema_type::object || v.size() != l.items.size()) return verdict::invalid;
            tally all;
            for (const map_entry* e = v.map_begin(); e != v.map_end(); ++e) {
                const std::string_view key = e->key.as_string();
                std::size_t k = 0;
                while (k < l.keys.size() && l.keys[k] != key)
                    ++k;
                if (k == l.keys.size()) return verdict::invalid;
                if (all(equals(l.items[k], e->val, schema_type_of(e->val))))
                    return verdict::invalid;
            }
            return all.result();
        }
    }
    return verdict::invalid;
}

}  // namespace

struct schema_validator::impl {
    std::vector<node> nodes;  // nodes[0]: the root
    std::vector<schema_pattern> patterns;

    // Deeper than this (a recursive schema over a deep document) is left to valijson.
    static constexpr unsigned max_depth = 2048;

    verdict check(std::uint32_t at, const value& v, unsigned depth) const noexcept;
    verdict check_object(const node& n, const value& v, unsigned depth) const noexcept;
    // check(), with the schemas that need no more than a look judged in place
    verdict check_child(std::uint32_t at, const value& v, unsigned depth) const noexcept {
        const node& n = nodes[at];
        if (n.trivial) return verdict::valid;
        if (n.type_only)
            return (n.types & bit(schema_type_of(v))) != 0 ? verdict::valid : verdict::invalid;
        return check(at, v, depth);
    }
};

verdict schema_validator::impl::check_object(const node& n, const value& v,
                                             unsigned depth) const noexcept {
    tally all;
    std::uint64_t seen = 0;
    const member_name* names = n.names.data();
    const std::size_t count = n.names.size();
    for (const map_entry* e = v.map_begin(); e != v.map_end(); ++e) {
        std::size_t k = 0;
        while (k < count && !names[k].key.matches(e->key))
            ++k;
        std::int32_t child = -1;
        if (k < count) {
            const std::uint64_t b = std::uint64_t{1} << k;
            // valijson finds the first of two equal names only: not judged here
            if ((seen & b) != 0) return verdict::undecided;
            seen |= b;
            child = names[k].child;
        }
        if (child >= 0) {
            if (all(check_child(static_cast<std::uint32_t>(child), e->val, depth + 1)))
                return verdict::invalid;
        } else if (n.extra == additional::forbidden) {
            return verdict::invalid;
        } else if (n.extra == additional::schema) {
            if (all(check_child(static_cast<std::uint32_t>(n.extra_schema), e->val, depth + 1)))
                return verdict::invalid;
        }
    }
    if ((seen & n.required) != n.required) return verdict::invalid;
    return all.result();
}

verdict schema_validator::impl::check(std::uint32_t at, const value& v,
                                      unsigned depth) const noexcept {
    const node& n = nodes[at];
    if (n.trivial) return verdict::valid;
    if (n.always_invalid) return verdict::invalid;
    if (depth > max_depth) return verdict::undecided;
    const schema_type t = schema_type_of(v);
    if (n.has_type && (n.types & bit(t)) == 0) return verdict::invalid;
    tally all;
    if (n.enum_values &&
        all(any_valid(*n.enum_values, [&](const literal& l) { return equals(l, v, t); })))
        return verdict::invalid;
    if (n.const_value && all(equals(*n.const_value, v, t))) return verdict::invalid;
    switch (t) {
        case schema_type::rendered:
            // its text exists only once rendered: valijson's to judge
            if (n.string_checks) all(verdict::undecided);
            break;
        case schema_type::string:
            if (n.string_checks) {
                const std::string_view s = v.as_string();
                if (n.min_length || n.max_length) {
                    const auto length = u8_length(s);
                    if (!length) {
                        all(verdict::undecided);
                    } else if ((n.min_length && *length < *n.min_length) ||
                               (n.max_length && *length > *n.max_length)) {
                        return verdict::invalid;
                    }
                }
                if (n.pattern >= 0 && !patterns[static_cast<std::size_t>(n.pattern)].search(s))
                    return verdict::invalid;
            }
            break;
        case schema_type::integer:
        case schema_type::number:
            if (n.number_checks) {
                const double d = number_of(v, t);
                // the comparisons valijson makes (NaN passes them all)
                if ((n.minimum && d < *n.minimum) || (n.maximum && d > *n.maximum) ||
                    (n.exclusive_minimum && d <= *n.exclusive_minimum) ||
                    (n.exclusive_maximum && d >= *n.exclusive_maximum))
                    return verdict::invalid;
            }
            break;
        case schema_type::array:
            if (n.array_checks) {
                if ((n.min_items && v.size() < *n.min_items) ||
                    (n.max_items && v.size() > *n.max_items))
                    return verdict::invalid;
                if (n.items >= 0)
                    for (const value* e = v.list_begin(); e != v.list_end(); ++e)
                        if (all(check_child(static_cast<std::uint32_t>(n.items), *e, depth + 1)))
                            return verdict::invalid;
            }
            break;
        case schema_type::object:
            if (n.object_checks && all(check_object(n, v, depth))) return verdict::invalid;
            break;
        default:
            break;
    }
    for (const auto c : n.all_of)
        if (all(check_child(c, v, depth + 1))) return verdict::invalid;
    if (!n.any_of.empty() &&
        all(any_valid(n.any_of, [&](std::uint32_t c) { return check_child(c, v, depth + 1); })))
        return verdict::invalid;
    if (!n.one_of.empty()) {
        unsigned matched = 0;
        bool unsure = false;
        for (const auto c : n.one_of) {
            const verdict r = check_child(c, v, depth + 1);
            matched += r == verdict::valid ? 1 : 0;
            unsure = unsure || r == verdict::undecided;
            if (matched > 1) return verdict::invalid;
        }
        if (unsure)
            all(verdict::undecided);
        else if (matched == 0)
            return verdict::invalid;
    }
    return all.result();
}

// ------------------------------------------------------------------ compiling

namespace {

struct refusal {
    std::string why;
};

bool has_nul(const std::string& s) {
    return s.find('\0') != std::string::npos;
}

class compiler {
  public:
    compiler(const nlohmann::json& root, std::vector<node>& nodes,
             std::vector<schema_pattern>& patterns)
        : root_(root), nodes_(nodes), patterns_(patterns) {}

    std::uint32_t schema(const nlohmann::json& j, std::string path) {
        const nlohmann::json* at = &j;
        for (int hops = 0; at->is_object() && at->contains("$ref"); ++hops) {
            if (hops >= 32) refuse(path, "a cycle of $refs");
            const auto& ref = (*at)["$ref"];
            if (!ref.is_string()) refuse(path, "a $ref that is not a string");
            path = ref.get<std::string>();
            at = &resolve(path);
        }
        if (const auto it = memo_.find(at); it != memo_.end()) return it->second;
        const auto index = static_cast<std::uint32_t>(nodes_.size());
        nodes_.emplace_back();
        memo_[at] = index;
        if (at->is_boolean()) {
            nodes_[index].always_invalid = !at->get<bool>();
            nodes_[index].trivial = at->get<bool>();
            return index;
        }
        if (!at->is_object()) refuse(path, "a schema that is neither an object nor a boolean");
        node n;
        for (auto it = at->begin(); it != at->end(); ++it)
            keyword(n, it.key(), it.value(), path, at == &root_);
        finish(n, path);
        nodes_[index] = std::move(n);
        return index;
    }

    // A combinator (allOf, anyOf, oneOf) or a `$ref` chain that comes back to a schema without
    // descending into the value would make validation recurse for ever.
    void refuse_cycles() {
        std::vector<std::uint8_t> state(nodes_.size(), 0);  // 1: on the path, 2: done
        for (std::uint32_t i = 0; i < nodes_.size(); ++i)
            visit(i, state);
    }

  private:
    const nlohmann::json& root_;
    std::vector<node>& nodes_;
    std::vector<schema_pattern>& patterns_;
    std::map<const nlohmann::json*, std::uint32_t> memo_;

    [[noreturn]] static void refuse(const std::string& path, const std::string& why) {
        throw refusal{why + " at " + (path.empty() ? "#" : path)};
    }

    void visit(std::uint32_t i, std::vector<std::uint8_t>& state) {
        if (state[i] == 2) return;
        if (state[i] == 1) refuse("#", "a combinator that contains itself");
        state[i] = 1;
        for (const auto* list : {&nodes_[i].all_of, &nodes_[i].any_of, &nodes_[i].one_of})
            for (const auto c : *list)
                visit(c, state);
        state[i] = 2;
    }

    // "#" or "#/a/b": plain names and indexes only (no ~ or % escapes).
    const nlohmann::json& resolve(const std::string& ref) {
        if (ref == "#") return root_;
        if (!ref.starts_with("#/")) refuse(ref, "a $ref other than a local JSON pointer");
        const nlohmann::json* at = &root_;
        std::size_t start = 2;
        while (true) {
            const auto slash = ref.find('/', start);
            const std::string token = ref.substr(start, slash - start);
            if (token.empty()) refuse(ref, "a $ref with an empty step");
            for (const char c : token)
                if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '_' || c == '-' || c == '.'))
                    refuse(ref, "a $ref with an escaped step");
            if (at->is_object()) {
                const auto it = at->find(token);
                if (it == at->end()) refuse(ref, "a $ref that leads nowhere");
                at = &*it;
            } else if (at->is_array() &&
                       token.find_first_not_of("0123456789") == std::string::npos &&
                       token.size() < 9 && std::stoul(token) < at->size()) {
                at = &(*at)[std::stoul(token)];
            } else {
                refuse(ref, "a $ref that leads nowhere");
            }
            if (slash == std::string::npos) break;
            start = slash + 1;
        }
        return *at;
    }

    static literal make_literal(const nlohmann::json& j) {
        literal l;
        switch (j.type()) {
            case nlohmann::json::value_t::null:
                l.kind = literal::of::null_;
                break;
            case nlohmann::json::value_t::boolean:
                l.kind = literal::of::boolean;
                l.b = j.get<bool>();
                break;
            case nlohmann::json::value_t::number_float:
                l.kind = literal::of::number;
                l.d = j.get<double>();
                break;
            case nlohmann::json::value_t::number_integer:
            case nlohmann::json::value_t::number_unsigned:
                // valijson's nlohmann adapter reads every integer as an int64
                l.kind = literal::of::number;
                l.d = static_cast<double>(j.get<std::int64_t>());
                break;
            case nlohmann::json::value_t::string:
                l.kind = literal::of::string;
                l.s = j.get<std::string>();
                break;
            case nlohmann::json::value_t::array:
                l.kind = literal::of::array;
                for (const auto& e : j)
                    l.items.push_back(make_literal(e));
                break;
            case nlohmann::json::value_t::object:
                l.kind = literal::of::object;
                for (auto it = j.begin(); it != j.end(); ++it) {
                    l.keys.push_back(it.key());
                    l.items.push_back(make_literal(it.value()));
                }
                break;
            default:
                throw refusal{"a binary value"};
        }
        return l;
    }

    static std::uint64_t count(const nlohmann::json& j, const std::string& path,
                               const std::string& key) {
        if (!j.is_number_integer() || j.get<std::int64_t>() < 0)
            refuse(path, "'" + key + "' that is not a non-negative integer");
        return static_cast<std::uint64_t>(j.get<std::int64_t>());
    }

    static double number(const nlohmann::json& j, const std::string& path, const std::string& key) {
        if (!j.is_number()) refuse(path, "'" + key + "' that is not a number");
        // as valijson's nlohmann adapter reads it
        return j.is_number_float() ? j.get<double>() : static_cast<double>(j.get<std::int64_t>());
    }

    std::vector<std::uint32_t> schemas(const nlohmann::json& j, const std::string& path,
                                       const std::string& key) {
        if (!j.is_array() || j.empty()) refuse(path, "'" + key + "' that is not a list of schemas");
        std::vector<std::uint32_t> out;
        for (std::size_t i = 0; i < j.size(); ++i) {
            if (!j[i].is_object() && !j[i].is_boolean())
                refuse(path, "'" + key + "' that is not a list of schemas");
            out.push_back(schema(j[i], path + "/" + key + "/" + std::to_string(i)));
        }
        return out;
    }

    std::int32_t name_slot(node& n, const std::string& name, const std::string& path) {
        if (has_nul(name)) refuse(path, "a member name with a NUL character");
        for (std::size_t i = 0; i < n.names.size(); ++i)
            if (n.names[i].key.name() == name) return static_cast<std::int32_t>(i);
        if (n.names.size() == 64) refuse(path, "more than 64 member names in one object schema");
        n.names.push_back({member_key(name), -1});
        return static_cast<std::int32_t>(n.names.size() - 1);
    }

    // the keywords that hold a count, and those that hold a bound on numbers
    static constexpr std::pair<const char*, std::optional<std::uint64_t> node::*> counts[] = {
        {"minLength", &node::min_length},
        {"maxLength", &node::max_length},
        {"minItems", &node::min_items},
        {"maxItems", &node::max_items}};
    static constexpr std::pair<const char*, std::optional<double> node::*> bounds[] = {
        {"minimum", &node::minimum},
        {"maximum", &node::maximum},
        {"exclusiveMinimum", &node::exclusive_minimum},
        {"exclusiveMaximum", &node::exclusive_maximum}};

    void keyword(node& n, const std::string& key, const nlohmann::json& j, const std::string& path,
                 bool root) {
        static const char* const annotations[] = {"$schema",     "$comment", "title",
                                                  "description", "default",  "examples",
                                                  "definitions", "readOnly", "writeOnly"};
        for (const char* a : annotations)
            if (key == a) return;
        if (key == "$id") {
            if (!root) refuse(path, "'$id' below the root");
            return;
        }
        if (key == "type") {
            n.has_type = true;
            auto add = [&](const nlohmann::json& name) {
                static const std::pair<const char*, std::uint16_t> names[] = {
                    {"null", bit(schema_type::null_)},
                    {"boolean", bit(schema_type::boolean)},
                    {"integer", bit(schema_type::integer)},
                    {"number", bit(schema_type::integer) | bit(schema_type::number)},
                    {"string", bit(schema_type::string) | bit(schema_type::rendered)},
                    {"array", bit(schema_type::array)},
                    {"object", bit(schema_type::object)}};
                if (name.is_string())
                    for (const auto& [text, bits] : names)
                        if (name == text) return void(n.types |= bits);
                refuse(path, "a type other than the draft-07 names");
            };
            if (j.is_array()) {
                for (const auto& t : j)
                    add(t);
            } else {
                add(j);
            }
        } else if (key == "enum") {
            if (!j.is_array()) refuse(path, "'enum' that is not a list");
            n.enum_values.emplace();
            for (const auto& e : j)
                n.enum_values->push_back(make_literal(e));
        } else if (key == "const") {
            n.const_value = make_literal(j);
        } else if (key == "pattern") {
            if (!j.is_string()) refuse(path, "'pattern' that is not a string");
            auto p = schema_pattern::compile(j.get<std::string>());
            if (!p) refuse(path, "a pattern outside the understood subset");
            n.pattern = static_cast<std::int32_t>(patterns_.size());
            patterns_.push_back(std::move(*p));
        } else if (const auto c = std::find_if(std::begin(counts), std::end(counts),
                                               [&key](const auto& e) { return key == e.first; });
                   c != std::end(counts)) {
            n.*(c->second) = count(j, path, key);
        } else if (const auto b = std::find_if(std::begin(bounds), std::end(bounds),
                                               [&key](const auto& e) { return key == e.first; });
                   b != std::end(bounds)) {
            n.*(b->second) = number(j, path, key);
        } else if (key == "properties") {
            if (!j.is_object()) refuse(path, "'properties' that is not an object");
            for (auto it = j.begin(); it != j.end(); ++it) {
                if (!it.value().is_object() && !it.value().is_boolean())
                    refuse(path, "a property whose schema is neither an object nor a boolean");
                const auto child = schema(it.value(), path + "/properties/" + it.key());
                const auto slot = name_slot(n, it.key(), path);
                n.names[static_cast<std::size_t>(slot)].child = static_cast<std::int32_t>(child);
            }
            n.object_checks = true;
        } else if (key == "additionalProperties") {
            if (j.is_boolean()) {
                n.extra = j.get<bool>() ? additional::any : additional::forbidden;
            } else if (j.is_object()) {
                n.extra = additional::schema;
                n.extra_schema =
                    static_cast<std::int32_t>(schema(j, path + "/additionalProperties"));
            } else {
                refuse(path, "'additionalProperties' that is neither a boolean nor a schema");
            }
            n.object_checks = true;
        } else if (key == "required") {
            if (!j.is_array()) refuse(path, "'required' that is not a list");
            for (const auto& r : j) {
                if (!r.is_string()) refuse(path, "a required name that is not a string");
                n.required |= std::uint64_t{1} << name_slot(n, r.get<std::string>(), path);
            }
            n.object_checks = true;
        } else if (key == "items") {
            if (!j.is_object() && !j.is_boolean()) refuse(path, "'items' other than one schema");
            n.items = static_cast<std::int32_t>(schema(j, path + "/items"));
        } else if (key == "allOf") {
            n.all_of = schemas(j, path, key);
        } else if (key == "anyOf") {
            n.any_of = schemas(j, path, key);
        } else if (key == "oneOf") {
            n.one_of = schemas(j, path, key);
        } else {
            refuse(path, "keyword '" + key + "'");
        }
    }

    static void finish(node& n, const std::string&) {
        n.string_checks = n.min_length || n.max_length || n.pattern >= 0;
        n.number_checks = n.minimum || n.maximum || n.exclusive_minimum || n.exclusive_maximum;
        n.array_checks = n.min_items || n.max_items || n.items >= 0;
        const bool others = n.string_checks || n.number_checks || n.array_checks ||
                            n.object_checks || n.enum_values || n.const_value ||
                            !n.all_of.empty() || !n.any_of.empty() || !n.one_of.empty();
        n.trivial = !n.has_type && !others;
        n.type_only = n.has_type && !others;
    }
};

}  // namespace

schema_validator::schema_validator() = default;
schema_validator::~schema_validator() = default;
schema_validator::schema_validator(schema_validator&&) noexcept = default;
schema_validator& schema_validator::operator=(schema_validator&&) noexcept = default;

schema_validator schema_validator::compile(const nlohmann::json& schema) {
    schema_validator out;
    auto built = std::make_unique<impl>();
    try {
        compiler c(schema, built->nodes, built->patterns);
        if (c.schema(schema, "") != 0) throw refusal{"the root is not the first schema"};
        c.refuse_cycles();
    } catch (const refusal& r) {
        out.unsupported_ = r.why;
        return out;
    }
    out.impl_ = std::move(built);
    return out;
}

schema_validator::verdict schema_validator::check(const value& doc) const noexcept {
    if (!impl_) return verdict::undecided;
    return impl_->check(0, doc, 0);
}

}  // namespace telecomply::detail
