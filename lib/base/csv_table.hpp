#pragma once
/// \file csv_table.hpp
/// A small CSV file (RFC 4180, read with libcsv) as a header and rows, each with its line:
/// what refusal lists and complaint files are. Call records, which can be large, are read in
/// batches instead (screening/csv_calls.cpp). Private to the library.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace telecomply::detail {

struct csv_table {
    std::vector<std::string> header;  ///< names, blanks around them trimmed
    struct row {
        std::uint32_t line = 0;  ///< where the row starts (1-based)
        std::vector<std::string> fields;
    };
    std::vector<row> rows;  ///< blank lines skipped

    /// The index of a header name, or nullopt.
    [[nodiscard]] std::optional<std::size_t> column(std::string_view name) const;
};

/// Parses CSV text (a UTF-8 BOM is dropped); throws input_error naming `file` when it has no
/// header row or libcsv refuses it.
[[nodiscard]] csv_table parse_csv_table(std::string_view text, const std::string& file);

}  // namespace telecomply::detail
