#include "telecomply/expr/arena.hpp"

#include <algorithm>
#include <string>

#include "telecomply/base/error.hpp"

namespace telecomply {

void* arena::allocate_slow(std::size_t size, std::size_t align) {
    if (limit_ != 0 && used() - limit_base_ + size + align > limit_)
        throw limit_error("memory limit of " + std::to_string(limit_) +
                          " bytes per evaluation exceeded");
    // Reuse a later chunk kept by reset() when it is big enough.
    const std::size_t need = size + align;
    std::size_t idx = chunks_.size();
    for (std::size_t i = 0; i < chunks_.size(); ++i) {
        if (reinterpret_cast<std::uintptr_t>(chunks_[i].data.get()) == begin_) {
            idx = i;
            break;
        }
    }
    if (begin_ != 0) used_before_ += cur_ - begin_;
    if (idx + 1 < chunks_.size() && chunks_[idx + 1].size >= need) {
        auto& c = chunks_[idx + 1];
        begin_ = cur_ = reinterpret_cast<std::uintptr_t>(c.data.get());
        end_ = begin_ + c.size;
    } else {
        // The limit is checked here, when a chunk is taken: chunks no bigger than the limit keep
        // an evaluation within twice its bound however large earlier ones grew the arena.
        const std::size_t sz =
            std::max(limit_ != 0 ? std::min(next_chunk_, limit_) : next_chunk_, need);
        next_chunk_ = std::min<std::size_t>(next_chunk_ * 2, std::size_t{1} << 24);
        chunk c{std::make_unique_for_overwrite<std::byte[]>(sz), sz};  // not zeroed
        begin_ = cur_ = reinterpret_cast<std::uintptr_t>(c.data.get());
        end_ = begin_ + sz;
        chunks_.push_back(std::move(c));
    }
    return allocate(size, align);
}

void arena::reset() noexcept {
    limit_base_ = 0;  // first: every way out of reset() must drop the old base
    if (chunks_.empty()) return;
    if (chunks_.size() == 1) {  // the steady state
        cur_ = begin_;
        used_before_ = 0;
        return;
    }
    // Keep only the largest chunk: steady-state evaluations then never allocate.
    auto largest = std::max_element(chunks_.begin(), chunks_.end(),
                                    [](const chunk& a, const chunk& b) { return a.size < b.size; });
    if (chunks_.size() > 1) {
        chunk keep = std::move(*largest);
        chunks_.clear();
        chunks_.push_back(std::move(keep));
    }
    begin_ = cur_ = reinterpret_cast<std::uintptr_t>(chunks_[0].data.get());
    end_ = begin_ + chunks_[0].size;
    used_before_ = 0;
}

}  // namespace telecomply
