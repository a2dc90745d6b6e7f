#include "telecomply/base/error.hpp"

#include "base/enum_names.hpp"

#include "base/utf8.hpp"

namespace telecomply {

namespace {
constexpr auto k_errc_names = detail::make_enum_names<errc>({
    {errc::parse_error, "parse_error"},
    {errc::compile_error, "compile_error"},
    {errc::evaluation_error, "evaluation_error"},
    {errc::limit_exceeded, "limit_exceeded"},
    {errc::invalid_input, "invalid_input"},
    {errc::ruleset_error, "ruleset_error"},
    {errc::calendar_error, "calendar_error"},
    {errc::workflow_error, "workflow_error"},
    {errc::transition_refused, "transition_refused"},
    {errc::store_error, "store_error"},
    {errc::conflict, "conflict"},
    {errc::integrity_error, "integrity_error"},
    {errc::not_found, "not_found"},
    {errc::usage_error, "usage_error"},
    {errc::seal_error, "seal_error"},
});
}  // namespace

std::string_view to_string(errc code) noexcept {
    return k_errc_names.name(code, "unknown_error");
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

data_error::data_error(errc code, const std::string& message)
    : error(code, detail::utf8::sanitize(message)),
      line_(0),
      message_(detail::utf8::sanitize(message)) {}

diagnostic data_error::to_diagnostic() const {
    diagnostic d;
    d.file = file_;
    d.line = line_;
    d.json_path = json_path_;
    d.message = message_;
    d.code = std::string(to_string(code()));
    return d;
}

}  // namespace telecomply
