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
    return detail::parse_json(text, std::string(source), errc::invalid_input, first_line);
}

std::optional<input_line> jsonl_reader::next() {
    input_line out;
    while (std::getline(*in_, out.text)) {
        ++lines_;
        if (out.text.find_first_not_of(" \t\r") == std::string::npos) continue;
        out.number = lines_;
        return out;
    }
    return std::nullopt;
}

}  // namespace telecomply
