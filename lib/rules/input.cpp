// Reading application input (include/telecomply/rules/input.hpp).

#include "telecomply/rules/input.hpp"

#include <istream>

#include <nlohmann/json.hpp>

#include "base/json_io.hpp"

namespace telecomply {

std::string read_input_file(const std::filesystem::path& file) {
    return detail::read_file(file, errc::invalid_input);
}

nlohmann::json parse_input_json(std::string_view text, std::string_view source,
                                std::uint32_t first_line) {
    text = detail::without_bom(text);
    auto j = detail::parse_json(text, std::string(source), errc::invalid_input, first_line);
    // as strict as the application reader: a key given twice is refused, never resolved
    if (const auto dups = detail::duplicate_keys(text); !dups.empty()) {
        const auto line = detail::line_of(text, dups.front());
        throw input_error(std::string(source), line == 0 ? 0 : line + first_line - 1, dups.front(),
                          "this key appears twice in its object (JSON readers would silently "
                          "keep one of them)");
    }
    return j;
}

bool jsonl_reader::next(input_line& line) {
    while (std::getline(*in_, line.text)) {
        ++lines_;
        if (lines_ == 1 && detail::without_bom(line.text).size() != line.text.size())
            line.text.erase(0, 3);
        if (line.text.find_first_not_of(" \t\r") == std::string::npos) continue;
        line.number = lines_;
        return true;
    }
    return false;
}

std::optional<input_line> jsonl_reader::next() {
    input_line out;
    if (!next(out)) return std::nullopt;
    return out;
}

}  // namespace telecomply
