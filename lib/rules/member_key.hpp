#pragma once
/// \file member_key.hpp
/// A member name a schema knows, matched against the keys of a map value as value::find
/// matches them: the first 8 bytes of a string value hold its kind, length and first 3 bytes
/// (value.hpp), so one word comparison rules out almost every other key, and the key's text is
/// read only when that word matches. Private to the library (the compiled validator, the walks
/// over the places the schema says "integer").

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

#include "telecomply/expr/value.hpp"

namespace telecomply::detail {

class member_key {
  public:
    explicit member_key(std::string name)
        : head_(head_of(value::from_string(name))), name_(std::move(name)) {}

    [[nodiscard]] const std::string& name() const noexcept { return name_; }
    /// Whether `key` (a map key of any kind) is a string equal to this name.
    [[nodiscard]] bool matches(const value& key) const noexcept {
        if (head_of(key) != head_) return false;  // kind, length or first 3 bytes differ
        const std::string_view k = key.as_string();
        for (std::size_t i = 3; i < k.size(); ++i)
            if (k[i] != name_[i]) return false;
        return true;
    }

  private:
    static std::uint64_t head_of(const value& v) noexcept {
        std::uint64_t h;
        std::memcpy(&h, static_cast<const void*>(&v), sizeof h);
        return h;
    }
    std::uint64_t head_;  // before name_: computed from the argument, before it is moved
    std::string name_;
};

}  // namespace telecomply::detail
