#include "telecomply/expr/document.hpp"

#include "base/json_io.hpp"

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include <simdjson.h>
#include <nlohmann/json.hpp>

#include "base/utf8.hpp"
#include "telecomply/base/error.hpp"

namespace telecomply {

// ------------------------------------------------------------------ value_builder

value value_builder::list(std::size_t n, value*& items) {
    items = arena_->allocate_array<value>(n);
    return value::from_list(items, static_cast<std::uint32_t>(n));
}

value value_builder::list(const value* items, std::size_t n) {
    value* out = nullptr;
    auto v = list(n, out);
    if (n != 0) std::memcpy(static_cast<void*>(out), items, n * sizeof(value));
    return v;
}

value value_builder::map(std::size_t n, map_entry*& entries) {
    entries = arena_->allocate_array<map_entry>(n);
    return value::from_map(entries, static_cast<std::uint32_t>(n));
}

value value_builder::map(const map_entry* entries, std::size_t n) {
    map_entry* out = nullptr;
    auto v = map(n, out);
    if (n != 0) std::memcpy(static_cast<void*>(out), entries, n * sizeof(map_entry));
    return v;
}

value value_builder::error(eval_errc code, std::string_view message, std::uint32_t offset,
                           std::string_view path, const error_info* next) {
    auto* e = arena_->make<error_info>(
        error_info{code, offset, arena_->copy(message), arena_->copy(path), next});
    return value::from_error(e);
}

value value_builder::copy(const value& v) {
    switch (v.kind()) {
        case kind::string:
            return string(v.as_string());
        case kind::bytes:
            return bytes(v.as_string());
        case kind::list: {
            value* items = nullptr;
            auto out = list(v.size(), items);
            for (std::uint32_t i = 0; i < v.size(); ++i)
                items[i] = copy(v.list_begin()[i]);
            return out;
        }
        case kind::map: {
            map_entry* entries = nullptr;
            auto out = map(v.size(), entries);
            for (std::uint32_t i = 0; i < v.size(); ++i) {
                entries[i].key = copy(v.map_begin()[i].key);
                entries[i].val = copy(v.map_begin()[i].val);
            }
            return out;
        }
        case kind::error: {
            const auto& e = v.as_error();
            return error(e.code, e.message, e.offset, e.path,
                         e.next != nullptr ? &copy(value::from_error(e.next)).as_error() : nullptr);
        }
        default:
            return v;
    }
}

namespace {
value from_json_at(value_builder& b, const nlohmann::json& j, std::uint32_t depth);
}

value value_builder::from_json(const nlohmann::json& j) {
    return from_json_at(*this, j, 0);
}

namespace {
value from_json_at(value_builder& b, const nlohmann::json& j, std::uint32_t depth) {
    using t = nlohmann::json::value_t;
    // the root is level 1: containers at depth max_nesting would be one level too many
    if (depth >= value_builder::max_nesting && (j.is_array() || j.is_object()))
        throw input_error("<input>", 0, "",
                          "the document nests deeper than " +
                              std::to_string(value_builder::max_nesting) + " levels");
    switch (j.type()) {
        case t::null:
            return value{};
        case t::boolean:
            return value::from_bool(j.get<bool>());
        case t::number_integer:
            return value::from_int(j.get<std::int64_t>());
        case t::number_unsigned: {
            const auto u = j.get<std::uint64_t>();
            if (u <= static_cast<std::uint64_t>(INT64_MAX))
                return value::from_int(static_cast<std::int64_t>(u));
            return value::from_uint(u);
        }
        case t::number_float:
            return value::from_double(j.get<double>());
        case t::string:
            return b.string(j.get_ref<const std::string&>());
        case t::array: {
            value* items = nullptr;
            auto out = b.list(j.size(), items);
            std::size_t i = 0;
            for (const auto& e : j)
                items[i++] = from_json_at(b, e, depth + 1);
            return out;
        }
        case t::object: {
            map_entry* entries = nullptr;
            auto out = b.map(j.size(), entries);
            std::size_t i = 0;
            for (const auto& [k, e] : j.items()) {
                entries[i].key = b.string(k);
                entries[i].val = from_json_at(b, e, depth + 1);
                ++i;
            }
            return out;
        }
        case t::binary:
            return b.bytes(
                {reinterpret_cast<const char*>(j.get_binary().data()), j.get_binary().size()});
        case t::discarded:
            return value{};
    }
    return value{};
}
}  // namespace

// ------------------------------------------------------------------ document

document::document() : arena_(std::make_unique<telecomply::arena>(1024)) {}
document::document(document&&) noexcept = default;
document& document::operator=(document&&) noexcept = default;
document::~document() = default;

telecomply::arena& document::arena() {
    return *arena_;
}

namespace {

// A key given twice in one object of `json`: refused as every reader refuses it, with the
// line and the JSON path of the second.
[[noreturn]] void throw_duplicate_key(std::string_view json, std::string_view source,
                                      std::string_view key) {
    const auto dups = detail::duplicate_keys(json);
    if (dups.empty())  // not found again (it should be): the key at least
        throw input_error(std::string(source), 0, "",
                          "duplicate object key \"" + std::string(key) + "\"");
    throw input_error(std::string(source), detail::line_of(json, dups.front()), dups.front(),
                      "this key appears twice in its object (JSON readers would silently keep "
                      "one of them)");
}

struct sj_builder {
    value_builder& b;
    std::string_view source;
    std::string_view json;
    std::vector<std::string_view> scratch;

    [[noreturn]] void duplicate(std::string_view key) const {
        throw_duplicate_key(json, source, key);
    }

    void check_duplicates(const map_entry* e, std::size_t n) {
        if (n < 2) return;
        if (n <= 16) {
            for (std::size_t i = 1; i < n; ++i)
                for (std::size_t k = 0; k < i; ++k)
                    if (e[i].key.as_string() == e[k].key.as_string())
                        duplicate(e[i].key.as_string());
            return;
        }
        scratch.clear();
        for (std::size_t i = 0; i < n; ++i)
            scratch.push_back(e[i].key.as_string());
        std::sort(scratch.begin(), scratch.end());
        auto it = std::adjacent_find(scratch.begin(), scratch.end());
        if (it != scratch.end()) duplicate(*it);
    }

    value build(simdjson::dom::element el) {
        using simdjson::dom::element_type;
        switch (el.type()) {
            case element_type::NULL_VALUE:
                return value{};
            case element_type::BOOL:
                return value::from_bool(bool(el));
            case element_type::INT64:
                return value::from_int(int64_t(el));
            case element_type::UINT64:
                return value::from_uint(uint64_t(el));
            case element_type::DOUBLE:
                return value::from_double(double(el));
            case element_type::STRING:
                return b.string(std::string_view(el));
            case element_type::ARRAY: {
                auto arr = simdjson::dom::array(el);
                value* items = nullptr;
                auto out = b.list(arr.size(), items);
                std::size_t i = 0;
                for (auto e : arr)
                    items[i++] = build(e);
                return out;
            }
            case element_type::OBJECT: {
                auto obj = simdjson::dom::object(el);
                map_entry* entries = nullptr;
                auto out = b.map(obj.size(), entries);
                std::size_t i = 0;
                for (auto [k, e] : obj) {
                    entries[i].key = b.string(k);
                    entries[i].val = build(e);
                    ++i;
                }
                check_duplicates(entries, i);
                return out;
            }
        }
        return value{};
    }
};

// simdjson reports what went wrong but not where: nlohmann's SAX parser names the line, the
// column and the JSON path, also for well-formed text it cannot represent (the number 1e400).
[[noreturn]] void report_syntax_error(std::string_view json, std::string_view source,
                                      const char* simd_message) {
    if (const auto f = detail::find_json_failure(json))
        throw input_error(std::string(source), detail::line_at_byte(json, f->byte), f->path,
                          "invalid JSON: " + f->message);
    throw input_error(std::string(source), 0, "", std::string("invalid JSON: ") + simd_message);
}

}  // namespace

static_assert(value_builder::max_nesting == detail::max_json_nesting);

document document::parse(std::string_view json, std::string_view source) {
    json = detail::without_bom(json);
    thread_local simdjson::dom::parser parser;
    simdjson::padded_string padded(json);
    simdjson::dom::element root;
    if (auto err = parser.parse(padded).get(root); err != simdjson::SUCCESS)
        report_syntax_error(json, source, simdjson::error_message(err));
    document d;
    value_builder b(d.arena());
    sj_builder sb{b, source, json, {}};
    d.root_ = sb.build(root);
    return d;
}

document document::from_json(const nlohmann::json& j) {
    return build([&](value_builder& b) { return b.from_json(j); });
}

const value* document::at(std::string_view path) const noexcept {
    const value* cur = &root_;
    while (!path.empty()) {
        const auto dot = path.find('.');
        const auto key = path.substr(0, dot);
        cur = cur->find(key);
        if (cur == nullptr) return nullptr;
        path = dot == std::string_view::npos ? std::string_view{} : path.substr(dot + 1);
    }
    return cur;
}

nlohmann::json document::to_json() const {
    return telecomply::to_json(root_);
}

}  // namespace telecomply
