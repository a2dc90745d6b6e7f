#include "check_many.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>

#include "convert.hpp"

namespace telecomply::python {

namespace {

// One application of a batch: what the calling thread made of it, then its outcome.
struct item {
    std::optional<document> doc;  // a mapping's application
    json_text text;               // or a JSON text (its object is released with the GIL held)
    bool is_text = false;
    bool decided = false;  // `out` holds already the error that stopped its conversion
    engine::outcome out;
};

// Consecutive applications, checked by one thread; items[k] is apps[first + k].
struct chunk {
    std::size_t first = 0;
    std::vector<item> items;
    // Set by the thread that checked it: the calling thread then drops the chunk's references
    // to the JSON texts, so that a stream of lines is not kept until the batch ends.
    std::atomic<bool> checked{false};
};

// Chunks converted and not yet taken by a thread.
class work_queue {
  public:
    void push(chunk* c) {
        {
            const std::lock_guard lock(m_);
            q_.push_back(c);
        }
        cv_.notify_one();
    }
    chunk* try_pop() {
        const std::lock_guard lock(m_);
        return pop_locked();
    }
    /// The next chunk, waiting for one; nullptr once closed and empty.
    chunk* pop_wait() {
        std::unique_lock lock(m_);
        cv_.wait(lock, [&] { return !q_.empty() || closed_; });
        return pop_locked();
    }
    void close() {
        {
            const std::lock_guard lock(m_);
            closed_ = true;
        }
        cv_.notify_all();
    }
    std::size_t size() {
        const std::lock_guard lock(m_);
        return q_.size();
    }

  private:
    chunk* pop_locked() {
        if (q_.empty()) return nullptr;
        chunk* c = q_.front();
        q_.pop_front();
        return c;
    }
    std::mutex m_;
    std::condition_variable cv_;
    std::deque<chunk*> q_;
    bool closed_ = false;
};

// What engine::check_each() does with one item, named apps[i]; needs no GIL.
void check_chunk(const engine& e, chunk& c, const check_options& opts, bool validate) {
    for (std::size_t k = 0; k < c.items.size(); ++k) {
        item& it = c.items[k];
        if (it.decided) continue;
        try {
            const std::string where = "apps[" + std::to_string(c.first + k) + "]";
            if (it.is_text) {
                it.out = e.check(e.parse(it.text.text, where), opts);
            } else {
                // the document is the batch's own: integers written as floats are conformed in
                // place (check_each() conforms a copy of a document it does not own)
                if (validate) e.validate(*it.doc, where);
                it.out = e.check(*it.doc, opts);
            }
        } catch (...) {
            it.out = std::current_exception();
        }
        it.doc.reset();  // its memory back while the rest of the batch is checked
    }
    c.checked.store(true, std::memory_order_release);
}

// Drops the JSON texts of the checked chunks from `from` on, in order; needs the GIL.
void release_texts(std::vector<std::unique_ptr<chunk>>& chunks, std::size_t& from) {
    while (from < chunks.size() && chunks[from]->checked.load(std::memory_order_acquire)) {
        chunk& c = *chunks[from++];
        for (auto& it : c.items)
            if (it.is_text) it.text = {};
    }
}

// apps[i] as an item; needs the GIL. An application that cannot be built is its own error.
void convert(py::handle app, std::size_t i, item& it) {
    const std::string where = "apps[" + std::to_string(i) + "]";
    try {
        if (is_json_text(app)) {
            it.text = read_json_text(app, where);
            it.is_text = true;
            return;
        }
        if (!PyDict_Check(app.ptr()) && !PyMapping_Check(app.ptr()))
            throw input_error(where, 0, "$", "an application is a dict or a JSON string");
        it.doc = to_application(app);
    } catch (const input_error& err) {
        it.out = std::make_exception_ptr(input_error(where, 0, err.json_path(), err.message()));
        it.decided = true;
    }
}

}  // namespace

std::vector<engine::outcome> check_applications(const engine& e, const py::iterable& apps,
                                                const check_options& opts, unsigned threads,
                                                bool validate) {
    unsigned pool = threads == 0 ? std::max(1u, std::thread::hardware_concurrency()) : threads;
    // Chunks small enough that every thread gets several, large enough that a thread takes
    // one rarely; a chunk's documents stay in the cache from conversion to check.
    std::size_t chunk_size = 32;
    if (PyList_Check(apps.ptr()) || PyTuple_Check(apps.ptr()))
        chunk_size = std::clamp<std::size_t>(
            static_cast<std::size_t>(Py_SIZE(apps.ptr())) / (4 * std::size_t{pool}), 1, 32);
    // The calling thread converts, and checks a chunk itself whenever more than `backlog` wait:
    // alone, each chunk as soon as it is built; with helpers, it keeps them fed and memory flat.
    const std::size_t backlog = pool == 1 ? 0 : 4 * std::size_t{pool};

    std::vector<std::unique_ptr<chunk>> chunks;
    std::size_t unreleased = 0;  // the first chunk whose texts may still be held
    work_queue queue;
    std::vector<std::thread> helpers;
    // every helper stops before the chunks go, whatever way this function is left
    struct joiner {
        work_queue& q;
        std::vector<std::thread>& ts;
        ~joiner() {
            q.close();
            for (auto& t : ts)
                t.join();
        }
    } join_helpers{queue, helpers};

    auto help = [&] {
        if (chunk* c = queue.try_pop()) {
            py::gil_scoped_release release;
            check_chunk(e, *c, opts, validate);
        }
    };
    auto publish = [&] {
        queue.push(chunks.back().get());
        if (helpers.size() + 1 < pool && queue.size() >= 2) {
            try {
                helpers.emplace_back([&] {
                    while (chunk* c = queue.pop_wait())
                        check_chunk(e, *c, opts, validate);
                });
            } catch (const std::system_error&) {
                pool = static_cast<unsigned>(helpers.size()) + 1;  // no more threads: fewer
            }
        }
        if (queue.size() > backlog) help();
    };

    std::size_t i = 0;
    for (py::handle app : apps) {
        if (chunks.empty() || chunks.back()->items.size() == chunk_size) {
            if (!chunks.empty()) publish();
            release_texts(chunks, unreleased);
            chunks.push_back(std::make_unique<chunk>());
            chunks.back()->first = i;
            chunks.back()->items.reserve(chunk_size);
        }
        convert(app, i, chunks.back()->items.emplace_back());
        ++i;
    }
    if (!chunks.empty()) publish();
    {
        py::gil_scoped_release release;
        queue.close();
        while (chunk* c = queue.try_pop())
            check_chunk(e, *c, opts, validate);
        for (auto& t : helpers)
            t.join();
        helpers.clear();
    }

    std::vector<engine::outcome> out;
    out.reserve(i);
    for (auto& c : chunks)
        for (auto& it : c->items)
            out.push_back(std::move(it.out));
    return out;
}

}  // namespace telecomply::python
