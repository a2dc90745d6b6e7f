#pragma once
/// \file call_batch.hpp
/// A batch of call records turned into numbers, column by column: what the readers (CSV,
/// Arrow) produce and the kernel judges. Private to the library.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "telecomply/screening/call_findings.hpp"
#include "telecomply/screening/screener.hpp"

namespace telecomply::detail {

/// Rows first_row .. first_row + size() - 1. A row with `bad[i]` set has an entry in `errors`
/// and its other columns are meaningless.
struct call_batch {
    std::int64_t first_row = 1;
    std::vector<std::uint64_t> caller, callee;  ///< phone_key()s
    std::vector<std::int64_t> start;            ///< Unix seconds
    std::vector<std::int64_t> duration;         ///< seconds
    std::vector<std::uint8_t> bad;              ///< 1: the row has an error
    std::vector<call_row_error> errors;         ///< in row order, one per bad row

    [[nodiscard]] std::size_t size() const noexcept { return bad.size(); }
    /// Makes room for `n` rows, all good, starting at `first`.
    void reset(std::int64_t first, std::size_t n) {
        first_row = first;
        caller.assign(n, 0);
        callee.assign(n, 0);
        start.assign(n, 0);
        duration.assign(n, 0);
        bad.assign(n, 0);
        errors.clear();
        lines.clear();
    }
    /// Marks row `i` bad (the first problem of a row is the one reported).
    void fail(std::size_t i, std::string column, std::string message) {
        if (bad[i]) return;
        bad[i] = 1;
        errors.push_back({first_row + static_cast<std::int64_t>(i), line_of(i), std::move(column),
                          std::move(message)});
    }
    /// The line of row `i` in a text file, 0 when the batch has no lines.
    [[nodiscard]] std::int64_t line_of(std::size_t i) const noexcept {
        return i < lines.size() ? lines[i] : 0;
    }
    std::vector<std::int64_t> lines;  ///< each row's line in a text file (CSV), else empty
    /// Puts errors in row order (columns are read one after another).
    void sort_errors();
};

}  // namespace telecomply::detail

/// One pass over a call_source's records.
struct telecomply::call_source::reader {
    virtual ~reader() = default;
    /// Fills `batch` with the next rows; false when there are none left.
    virtual bool next(detail::call_batch& batch) = 0;
};
