#pragma once
/// \file arena.hpp
/// A monotonic arena: bump allocation in chunks, freed all at once. Documents and evaluation
/// contexts own one; values point into it, so copying a value never allocates. A CEL function
/// returning a new string or list allocates it in its context's arena (`ctx.arena().copy(s)`).
/// Not thread-safe: one arena per thread (each eval_context has its own).

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace telecomply {

class arena {
  public:
    /// `limit` bounds the bytes this arena may hand out before reset (0 = unbounded); going over
    /// throws telecomply::limit_error, so hostile expressions cannot exhaust memory.
    explicit arena(std::size_t first_chunk = 4096, std::size_t limit = 0) noexcept
        : next_chunk_(first_chunk < 256 ? 256 : first_chunk), limit_(limit) {}
    arena(const arena&) = delete;
    arena& operator=(const arena&) = delete;
    arena(arena&&) noexcept = default;
    arena& operator=(arena&&) noexcept = default;
    ~arena() = default;

    void* allocate(std::size_t size, std::size_t align = alignof(std::max_align_t)) {
        auto p = (cur_ + (align - 1)) & ~static_cast<std::uintptr_t>(align - 1);
        if (p + size > end_ || cur_ == 0) return allocate_slow(size, align);
        cur_ = p + size;
        return reinterpret_cast<void*>(p);  // NOLINT(performance-no-int-to-ptr)
    }

    template <class T>
    T* allocate_array(std::size_t n) {
        static_assert(std::is_trivially_destructible_v<T>, "arena objects are never destroyed");
        if (n == 0) return nullptr;
        return static_cast<T*>(allocate(sizeof(T) * n, alignof(T)));
    }

    template <class T, class... A>
    T* make(A&&... args) {
        static_assert(std::is_trivially_destructible_v<T>, "arena objects are never destroyed");
        return ::new (allocate(sizeof(T), alignof(T))) T(std::forward<A>(args)...);
    }

    /// Copies bytes into the arena; the view stays valid until reset.
    std::string_view copy(std::string_view s) {
        if (s.empty()) return {};
        char* p = static_cast<char*>(allocate(s.size(), 1));
        std::memcpy(p, s.data(), s.size());
        return {p, s.size()};
    }

    /// Frees everything allocated, keeping the largest chunk for reuse (no allocation in steady
    /// state).
    void reset() noexcept;

    /// Bytes handed out since the last reset (approximately; includes alignment padding).
    [[nodiscard]] std::size_t used() const noexcept { return used_before_ + (cur_ - begin_); }
    void set_limit(std::size_t limit) noexcept { limit_ = limit; }
    /// Counts the limit from here on: the bytes handed out so far no longer count against it.
    void rebase_limit() noexcept { limit_base_ = used(); }
    [[nodiscard]] std::size_t limit() const noexcept { return limit_; }

  private:
    void* allocate_slow(std::size_t size, std::size_t align);

    struct chunk {
        std::unique_ptr<std::byte[]> data;
        std::size_t size;
    };
    std::vector<chunk> chunks_;
    std::uintptr_t begin_ = 0, cur_ = 0, end_ = 0;
    std::size_t used_before_ = 0;  // bytes in chunks before the current one
    std::size_t next_chunk_;
    std::size_t limit_;
    std::size_t limit_base_ = 0;  // used() when the limit started counting
};

}  // namespace telecomply
