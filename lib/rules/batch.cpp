// The batch thread pool (lib/rules/batch.hpp).

#include "rules/batch.hpp"

#include <algorithm>
#include <exception>
#include <thread>
#include <vector>

namespace telecomply::detail {

unsigned batch_threads(unsigned threads, std::size_t items) noexcept {
    if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
    return static_cast<unsigned>(std::min<std::size_t>(threads, std::max<std::size_t>(items, 1)));
}

void parallel_for(std::size_t n, unsigned threads, const std::function<void(std::size_t)>& fn) {
    const unsigned t_count = batch_threads(threads, n);
    if (t_count == 1) {
        std::exception_ptr first;
        for (std::size_t i = 0; i < n; ++i) {
            try {
                fn(i);
            } catch (...) {
                if (!first) first = std::current_exception();
            }
        }
        if (first) std::rethrow_exception(first);
        return;
    }
    // one slot per thread: the first failure (lowest index) each thread met
    std::vector<std::pair<std::size_t, std::exception_ptr>> failed(t_count, {n, nullptr});
    auto work = [&](unsigned t) {
        for (std::size_t i = t; i < n; i += t_count) {
            try {
                fn(i);
            } catch (...) {
                if (!failed[t].second) failed[t] = {i, std::current_exception()};
            }
        }
    };
    std::vector<std::thread> pool;
    pool.reserve(t_count - 1);
    for (unsigned t = 1; t < t_count; ++t)
        pool.emplace_back(work, t);
    work(0);
    for (auto& th : pool)
        th.join();
    const auto first =
        std::min_element(failed.begin(), failed.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
    if (first->second) std::rethrow_exception(first->second);
}

}  // namespace telecomply::detail
