#pragma once
/// \file document.hpp
/// An immutable tree of values that owns its memory: a parsed JSON document (an application,
/// a call record) or any data built with value_builder. Expressions evaluate over it without
/// copying.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "telecomply/expr/arena.hpp"
#include "telecomply/expr/value.hpp"

namespace telecomply {

/// Builds values whose storage lives in an arena (a document's or an evaluation context's).
class value_builder {
  public:
    explicit value_builder(telecomply::arena& a) noexcept : arena_(&a) {}
    /// A string copied into the arena (the caller guarantees valid UTF-8).
    value string(std::string_view s) { return value::from_string(arena_->copy(s)); }
    value bytes(std::string_view s) { return value::from_bytes(arena_->copy(s)); }
    /// A list of n elements to fill in through the returned pointer before use.
    value list(std::size_t n, value*& items);
    value list(const value* items, std::size_t n);
    /// A map of n entries to fill in through the returned pointer before use.
    value map(std::size_t n, map_entry*& entries);
    value map(const map_entry* entries, std::size_t n);
    /// An error value with a message (copied).
    value error(eval_errc code, std::string_view message, std::uint32_t offset = 0,
                std::string_view path = {}, const error_info* next = nullptr);
    /// A deep copy of `v` into this arena (so it outlives v's owner).
    value copy(const value& v);
    /// From JSON: objects become maps with string keys, integers int (uint above INT64_MAX),
    /// other numbers double.
    /// Throws input_error for documents nested deeper than max_nesting.
    value from_json(const nlohmann::json& j);
    /// How deep documents may nest (objects and arrays): deeper input is refused rather than
    /// risking the stack.
    static constexpr std::uint32_t max_nesting = 1024;
    [[nodiscard]] telecomply::arena& arena() const noexcept { return *arena_; }

  private:
    telecomply::arena* arena_;
};

/// An immutable document: a root value and the arena that holds it. Move-only; cheap to move.
namespace detail {
struct document_access;
}

class document {
  public:
    document();
    document(document&&) noexcept;
    document& operator=(document&&) noexcept;
    ~document();

    /// Parses JSON text (RFC 8259, UTF-8). Throws input_error naming `source` and the line on
    /// malformed input; duplicate keys are an error.
    static document parse(std::string_view json, std::string_view source = "<input>");
    /// From a nlohmann::json value.
    static document from_json(const nlohmann::json& j);
    /// Built by a callback that receives a value_builder on the document's arena.
    template <class F>
    static document build(F&& f) {
        document d;
        value_builder b(d.arena());
        d.root_ = std::forward<F>(f)(b);
        return d;
    }

    [[nodiscard]] const value& root() const noexcept { return root_; }
    /// The value at a dotted field path from the root ("applicant.history"), or nullptr.
    [[nodiscard]] const value* at(std::string_view dotted_path) const noexcept;
    [[nodiscard]] nlohmann::json to_json() const;

  private:
    friend struct detail::document_access;  // the library's in-place normalisation
    telecomply::arena& arena();
    std::unique_ptr<telecomply::arena> arena_;
    value root_;
};

}  // namespace telecomply
