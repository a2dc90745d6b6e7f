#include "screening/result_spill.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

#include "telecomply/base/error.hpp"

namespace telecomply::detail {

namespace {

constexpr std::size_t k_pending_rows = 65536;

[[noreturn]] void fail(const char* what) {
    throw store_error(std::string("screening's temporary results: ") + what + ": " +
                      std::strerror(errno));
}

void write_all(std::FILE* f, const void* data, std::size_t size) {
    if (size != 0 && std::fwrite(data, 1, size, f) != size) fail("cannot write");
}

void write_text(std::FILE* f, const std::string& s) {
    const auto n = static_cast<std::uint32_t>(s.size());
    write_all(f, &n, sizeof n);
    write_all(f, s.data(), s.size());
}

bool read_all(std::FILE* f, void* data, std::size_t size) {
    if (size == 0) return true;
    const std::size_t got = std::fread(data, 1, size, f);
    if (got == size) return true;
    if (std::ferror(f)) fail("cannot read");
    return false;
}

std::string read_text(std::FILE* f) {
    std::uint32_t n = 0;
    if (!read_all(f, &n, sizeof n)) fail("truncated");
    std::string s(n, '\0');
    if (!read_all(f, s.data(), n)) fail("truncated");
    return s;
}

}  // namespace

result_spill::result_spill() : results_(std::tmpfile()), errors_(std::tmpfile()) {
    if (!results_ || !errors_) fail("cannot create a temporary file");
    pending_.reserve(k_pending_rows);
}

void result_spill::append(std::span<const row_result> rows,
                          std::span<const call_row_error> errors) {
    for (const auto& e : errors) {
        write_all(errors_.get(), &e.row, sizeof e.row);
        write_all(errors_.get(), &e.line, sizeof e.line);
        write_text(errors_.get(), e.column);
        write_text(errors_.get(), e.message);
    }
    pending_.insert(pending_.end(), rows.begin(), rows.end());
    rows_ += static_cast<std::int64_t>(rows.size());
    if (pending_.size() >= k_pending_rows) flush();
}

void result_spill::flush() {
    write_all(results_.get(), pending_.data(), pending_.size() * sizeof(row_result));
    flushed_ += static_cast<std::int64_t>(pending_.size());
    pending_.clear();
    if (std::fflush(results_.get()) != 0 || std::fflush(errors_.get()) != 0) fail("cannot write");
}

row_result result_spill::get(std::int64_t row) {
    if (row > flushed_) return pending_[static_cast<std::size_t>(row - flushed_ - 1)];
    row_result r;
    const auto at = static_cast<off_t>((row - 1) * static_cast<std::int64_t>(sizeof r));
    if (::pread(fileno(results_.get()), &r, sizeof r, at) != static_cast<ssize_t>(sizeof r))
        fail("cannot read");
    return r;
}

void result_spill::put(std::int64_t row, const row_result& r) {
    if (row > flushed_) {
        pending_[static_cast<std::size_t>(row - flushed_ - 1)] = r;
        return;
    }
    const auto at = static_cast<off_t>((row - 1) * static_cast<std::int64_t>(sizeof r));
    if (::pwrite(fileno(results_.get()), &r, sizeof r, at) != static_cast<ssize_t>(sizeof r))
        fail("cannot write");
}

void result_spill::replay(const std::function<void(std::int64_t, std::span<const row_result>,
                                                   std::span<const call_row_error>)>& each) {
    flush();
    std::rewind(results_.get());
    std::rewind(errors_.get());
    std::vector<row_result> chunk;
    std::vector<call_row_error> errs;
    bool have_next = false;
    call_row_error next;
    auto read_error = [&] {
        std::int64_t row = 0;
        if (!read_all(errors_.get(), &row, sizeof row)) return false;
        next.row = row;
        if (!read_all(errors_.get(), &next.line, sizeof next.line)) fail("truncated");
        next.column = read_text(errors_.get());
        next.message = read_text(errors_.get());
        return true;
    };
    have_next = read_error();
    for (std::int64_t first = 1; first <= rows_;) {
        const auto want = static_cast<std::size_t>(
            std::min<std::int64_t>(rows_ - first + 1, static_cast<std::int64_t>(k_pending_rows)));
        chunk.resize(want);
        if (!read_all(results_.get(), chunk.data(), want * sizeof(row_result))) fail("truncated");
        const std::int64_t last = first + static_cast<std::int64_t>(want) - 1;
        errs.clear();
        while (have_next && next.row <= last) {
            errs.push_back(next);
            have_next = read_error();
        }
        each(first, chunk, errs);
        first = last + 1;
    }
}

}  // namespace telecomply::detail
