#pragma once
// The batch thread pool: engine::check_stream() (JSON Lines, `telecomply check --threads`) and
// engine::check_many() / check_each() check their applications through it. (Python's
// Engine.check_many has a pool of its own, bindings/python/check_many.cpp, that checks while
// the calling thread still converts.) Private to the library.

#include <cstddef>
#include <functional>

namespace telecomply::detail {

/// The threads a batch of `items` uses: `threads` (0: std::thread::hardware_concurrency()),
/// at most `items`, at least 1.
unsigned batch_threads(unsigned threads, std::size_t items) noexcept;

/// Calls fn(i) for every i in [0, n) on batch_threads(threads, n) threads, the calling thread
/// included (thread t takes t, t + T, t + 2T...), and returns when all calls are done. With one
/// thread everything runs on the calling thread, in order. An exception thrown by fn(i) does not
/// stop the other calls; the one of the lowest i is rethrown once all are done. `fn` must be
/// safe to call from several threads at once for different i.
void parallel_for(std::size_t n, unsigned threads, const std::function<void(std::size_t)>& fn);

}  // namespace telecomply::detail
