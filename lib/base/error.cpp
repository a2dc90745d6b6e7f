#include "telecomply/base/error.hpp"

#include "base/utf8.hpp"

namespace telecomply {

std::string_view to_string(errc code) noexcept {
    switch (code) {
        case errc::parse_error:
            return "parse_error";
        case errc::compile_error:
            return "compile_error";
        case errc::evaluation_error:
            return "evaluation_error";
        case errc::limit_exceeded:
            return "limit_exceeded";
        case errc::invalid_input:
            return "invalid_input";
        case errc::ruleset_error:
            return "ruleset_error";
        case errc::calendar_error:
            return "calendar_error";
        case errc::workflow_error:
            return "workflow_error";
        case errc::transition_refused:
            return "transition_refused";
        case errc::store_error:
            return "store_error";
        case errc::conflict:
            return "conflict";
        case errc::integrity_error:
            return "integrity_error";
        case errc::not_found:
            return "not_found";
        case errc::usage_error:
            return "usage_error";
    }
    return "unknown_error";
}

std::string expression_error::format(source_location where, const std::string& message) {
    if (where.line == 0) return message;
    return std::to_string(where.line) + ":" + std::to_string(where.column) + ": " + message;
}

namespace {
std::string locate(const std::string& file, std::uint32_t line, const std::string& path,
                   const std::string& message) {
    std::string out = file.empty() ? std::string("<input>") : file;
    if (line != 0) out += ":" + std::to_string(line);
    if (!path.empty()) out += ": " + path;
    out += ": " + message;
    return out;
}
}  // namespace

// Messages quote inputs, which may not be valid UTF-8: they are made printable (and fit for
// JSON) here, once, for every data error.
data_error::data_error(errc code, std::string file, std::uint32_t line, std::string json_path,
                       const std::string& message)
    : error(code, locate(detail::utf8::sanitize(file), line, detail::utf8::sanitize(json_path),
                         detail::utf8::sanitize(message))),
      file_(detail::utf8::sanitize(file)),
      line_(line),
      json_path_(detail::utf8::sanitize(json_path)),
      message_(detail::utf8::sanitize(message)) {}

}  // namespace telecomply
