#pragma once
/// \file result_spill.hpp
/// Where each row's result waits until the last pass of a screening run: a temporary file (it
/// disappears with the process), so that memory does not grow with the input. Private.

#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "telecomply/screening/call_findings.hpp"

namespace telecomply::detail {

/// One row's result as the spill keeps it.
struct row_result {
    std::uint8_t codes = 0;    ///< call_finding bits
    std::uint8_t bad = 0;      ///< 1: the row has an error (in the error file)
    std::uint16_t region = 0;  ///< 1 + the region's index; 0 when the caller is not listed
    std::int32_t day = 0;      ///< the local day of the call (days since 1970-01-01)
};

/// Row results appended in row order, corrected in place, then read back in order. Not
/// thread-safe.
class result_spill {
  public:
    /// Throws store_error when no temporary file can be made.
    result_spill();
    /// Appends the results of the next rows, and their errors.
    void append(std::span<const row_result> rows, std::span<const call_row_error> errors);
    /// The result of row `row` (1-based), as appended or corrected.
    [[nodiscard]] row_result get(std::int64_t row);
    /// Replaces the result of row `row`.
    void put(std::int64_t row, const row_result& r);
    /// Reads the results back in order: calls `each(first_row, results, errors)` per chunk of
    /// rows, with the errors of those rows.
    void replay(const std::function<void(std::int64_t, std::span<const row_result>,
                                         std::span<const call_row_error>)>& each);
    [[nodiscard]] std::int64_t rows() const noexcept { return rows_; }

  private:
    void flush();
    struct closer {
        void operator()(std::FILE* f) const noexcept { std::fclose(f); }
    };
    std::unique_ptr<std::FILE, closer> results_, errors_;
    std::vector<row_result> pending_;
    std::int64_t rows_ = 0, flushed_ = 0;
};

}  // namespace telecomply::detail
