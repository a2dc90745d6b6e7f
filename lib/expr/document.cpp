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

// The values of a document read off the tape simdjson's DOM parser writes (its format is
// documented with simdjson, "tape.md") into one arena allocation sized from the tape. Each tape
// word is a type (its top byte) and a payload: a container's start holds the number of its items
// (saturated at 2^24 - 1) and the index after its end; a string, its place in the parser's string
// buffer, where it sits unescaped behind its 32-bit length; a number, nothing (the next word holds
// it).
class tape_builder {
  public:
    tape_builder(const simdjson::dom::document& doc, std::string_view json,
                 std::string_view source) noexcept
        : tape_(doc.tape.get()), strings_(doc.string_buf.get()), json_(json), source_(source) {}

    value build(telecomply::arena& a) {
        // A first pass over the tape sizes the block exactly: the items of every container, the
        // bytes of every string. (Bounds from the tape's length and the text's would make it
        // about a fifth larger, and documents kept in memory cost what they touch.)
        const std::size_t words = tape_[0] & simdjson::internal::JSON_VALUE_MASK;
        std::size_t slots = 0, text = 0;
        for (std::size_t i = 1; i < words; ++i) {
            const std::uint64_t w = tape_[i];
            const unsigned char t = type_of(w);
            if (t == '"') {
                text += length_at(payload_of(w));
            } else if (t == '{' || t == '[') {
                slots += (t == '{' ? 2 : 1) * static_cast<std::size_t>(count(i));
            } else if (t == 'l' || t == 'u' || t == 'd') {
                ++i;  // the number's word
            }
        }
        const std::size_t value_bytes = slots * sizeof(value);
        auto* block = static_cast<char*>(a.allocate(value_bytes + text + k_spare, alignof(value)));
        slots_ = reinterpret_cast<value*>(block);
        text_ = block + value_bytes;
        std::size_t i = 1;
        return next(i);
    }

  private:
    static unsigned char type_of(std::uint64_t w) noexcept {
        return static_cast<unsigned char>(w >> 56);
    }
    static std::uint64_t payload_of(std::uint64_t w) noexcept {
        return w & simdjson::internal::JSON_VALUE_MASK;
    }
    std::uint32_t length_at(std::uint64_t offset) const noexcept {
        std::uint32_t n = 0;
        std::memcpy(&n, strings_ + offset, sizeof n);
        return n;
    }

    // The number of items of the container whose start is at tape_[i].
    std::uint32_t count(std::size_t i) const noexcept {
        const std::uint64_t w = tape_[i];
        const auto n =
            static_cast<std::uint32_t>((payload_of(w) >> 32) & simdjson::internal::JSON_COUNT_MASK);
        if (n < simdjson::internal::JSON_COUNT_MASK) return n;
        // saturated: count them (objects: keys and values both)
        const auto end = static_cast<std::uint32_t>(payload_of(w)) - 1;
        std::uint32_t items = 0;
        for (std::size_t k = i + 1; k < end; ++items) {
            const std::uint64_t x = tape_[k];
            const auto t = type_of(x);
            k = t == '{' || t == '['               ? static_cast<std::uint32_t>(payload_of(x))
                : t == 'l' || t == 'u' || t == 'd' ? k + 2
                                                   : k + 1;
        }
        return type_of(w) == '{' ? items / 2 : items;
    }

    // Short strings (most keys and values) are copied 16 or 32 bytes at a time, without a
    // call: simdjson pads its string buffer (it may be read that far past any string's start),
    // and the text's part of the block has as much to spare after its last string.
    static constexpr std::size_t k_spare = 32;
    static_assert(simdjson::SIMDJSON_PADDING >= k_spare);
    value string_at(std::uint64_t offset) noexcept {
        const std::uint32_t n = length_at(offset);
        const std::uint8_t* from = strings_ + offset + sizeof(std::uint32_t);
        char* p = text_;
        if (n <= 16)
            std::memcpy(p, from, 16);
        else if (n <= k_spare)
            std::memcpy(p, from, k_spare);
        else
            std::memcpy(p, from, n);
        text_ += n;
        return value::from_string({p, n});
    }

    // The value at tape_[i]; i moves past it.
    value next(std::size_t& i) {
        const std::uint64_t w = tape_[i];
        switch (type_of(w)) {
            case '"':
                ++i;
                return string_at(payload_of(w));
            case 'l': {
                const auto v = static_cast<std::int64_t>(tape_[i + 1]);
                i += 2;
                return value::from_int(v);
            }
            case 'u': {
                const std::uint64_t v = tape_[i + 1];
                i += 2;
                return value::from_uint(v);
            }
            case 'd': {
                double d = 0;
                std::memcpy(&d, &tape_[i + 1], sizeof d);
                i += 2;
                return value::from_double(d);
            }
            case 't':
                ++i;
                return value::from_bool(true);
            case 'f':
                ++i;
                return value::from_bool(false);
            case '[': {
                const std::uint32_t n = count(i);
                value* items = n == 0 ? nullptr : slots_;
                slots_ += n;
                ++i;
                for (std::uint32_t k = 0; k < n; ++k)
                    items[k] = next(i);
                ++i;  // ']'
                return value::from_list(items, n);
            }
            case '{': {
                const std::uint32_t n = count(i);
                auto* entries = n == 0 ? nullptr : reinterpret_cast<map_entry*>(slots_);
                slots_ += 2 * static_cast<std::size_t>(n);
                ++i;
                for (std::uint32_t k = 0; k < n; ++k) {
                    entries[k].key = string_at(payload_of(tape_[i++]));
                    entries[k].val = next(i);
                }
                ++i;  // '}'
                check_duplicates(entries, n);
                return value::from_map(entries, n);
            }
            default:  // 'n'
                ++i;
                return value{};
        }
    }

    void check_duplicates(const map_entry* e, std::size_t n) {
        if (n < 2) return;
        if (n <= 16) {
            for (std::size_t i = 1; i < n; ++i) {
                const std::string_view k = e[i].key.as_string();
                for (std::size_t j = 0; j < i; ++j)
                    if (e[j].key.as_string() == k) throw_duplicate_key(json_, source_, k);
            }
            return;
        }
        scratch_.clear();
        for (std::size_t i = 0; i < n; ++i)
            scratch_.push_back(e[i].key.as_string());
        std::sort(scratch_.begin(), scratch_.end());
        if (auto it = std::adjacent_find(scratch_.begin(), scratch_.end()); it != scratch_.end())
            throw_duplicate_key(json_, source_, *it);
    }

    const std::uint64_t* tape_;
    const std::uint8_t* strings_;
    std::string_view json_;
    std::string_view source_;
    value* slots_ = nullptr;
    char* text_ = nullptr;
    std::vector<std::string_view> scratch_;
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

// A document simdjson found too deep and nlohmann reads (find_json_failure found nothing):
// the same values, duplicate keys refused the same way. Rare, so not fast.
document parse_at_nesting_limit(std::string_view json, std::string_view source) {
    if (!detail::duplicate_keys(json).empty()) throw_duplicate_key(json, source, {});
    return document::from_json(nlohmann::json::parse(json));
}

}  // namespace

static_assert(value_builder::max_nesting == detail::max_json_nesting);

document document::parse(std::string_view json, std::string_view source) {
    json = detail::without_bom(json);
    thread_local simdjson::dom::parser parser;
    // simdjson reads past the end of its input: it copies the text into a padded buffer of its
    // own (kept by the parser: no allocation per document)
    simdjson::dom::element root;
    if (auto err = parser.parse(json.data(), json.size(), true).get(root);
        err != simdjson::SUCCESS) {
        // simdjson counts a scalar in the innermost container as a level of its own, so it
        // refuses a document nested exactly to the limit with one there: nlohmann reads that
        if (err == simdjson::DEPTH_ERROR && !detail::find_json_failure(json))
            return parse_at_nesting_limit(json, source);
        report_syntax_error(json, source, simdjson::error_message(err));
    }
    document d;
    d.root_ = tape_builder(parser.doc, json, source).build(d.arena());
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
