// JSON Schema validation through valijson (lib/rules/json_schema.hpp).

#include "rules/json_schema.hpp"

#include <charconv>
#include <unordered_map>

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include "base/json_io.hpp"
#include "rules/value_schema_adapter.hpp"

namespace telecomply::detail {

// ------------------------------------------------------------------ JSON Schema

struct json_schema::impl {
    valijson::Schema schema;
    std::string name;
};

json_schema::json_schema() = default;
json_schema::~json_schema() = default;
json_schema::json_schema(json_schema&&) noexcept = default;
json_schema& json_schema::operator=(json_schema&&) noexcept = default;

json_schema json_schema::from_json(const nlohmann::json& schema, const std::string& name) {
    json_schema s;
    s.impl_ = std::make_unique<impl>();
    s.impl_->name = name;
    try {
        valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
        valijson::adapters::NlohmannJsonAdapter adapter(schema);
        parser.populateSchema(adapter, s.impl_->schema);
    } catch (const std::exception& e) {
        throw ruleset_error(name, 0, "", std::string("not a usable JSON Schema: ") + e.what());
    }
    return s;
}

json_schema json_schema::load(const std::filesystem::path& file) {
    const std::string text = read_file(file, errc::ruleset_error);
    return from_json(parse_json(text, file.string(), errc::ruleset_error), file.string());
}

namespace {

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
template <class Cursor>
json_schema::failure deepest_failure(const valijson::ValidationResults& results, Cursor cur) {
    const valijson::ValidationResults::Error* best = nullptr;
    for (const auto& e : results)
        if (best == nullptr || e.context.size() > best->context.size()) best = &e;
    json_schema::failure f;
    f.json_path = "$";
    if (best == nullptr) {
        f.message = "the document does not match the schema";
        return f;
    }
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
        } else {
            f.json_path = json_path_append_key(std::move(f.json_path), tok);
            cur.key(tok);
        }
    }
    f.message = best->description;
    return f;
}

}  // namespace

std::optional<json_schema::failure> json_schema::validate(const nlohmann::json& doc) const {
    if (!impl_) return std::nullopt;
    valijson::ValidationResults results;
    valijson::adapters::NlohmannJsonAdapter target(doc);
    if (thread_validator(impl_.get()).validate(impl_->schema, target, &results))
        return std::nullopt;
    return deepest_failure(results, nlohmann_cursor{&doc});
}

std::optional<json_schema::failure> json_schema::validate(const value& doc) const {
    if (!impl_) return std::nullopt;
    valijson::ValidationResults results;
    const value_schema_adapter target(doc);
    if (thread_validator(impl_.get()).validate(impl_->schema, target, &results))
        return std::nullopt;
    return deepest_failure(results, value_cursor{&doc});
}

}  // namespace telecomply::detail
