// JSON reading with locations (lib/base/json_io.hpp).

#include "base/json_io.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

namespace telecomply::detail {

namespace {
[[noreturn]] void throw_data(errc code, const std::string& file, std::uint32_t line,
                             const std::string& path, const std::string& msg) {
    if (code == errc::ruleset_error) throw ruleset_error(file, line, path, msg);
    if (code == errc::seal_error) throw seal_error(file, line, path, msg);
    if (code == errc::calendar_error) throw calendar_error(file, line, path, msg);
    if (code == errc::workflow_error) throw workflow_error(file, line, path, msg);
    throw input_error(file, line, path, msg);
}
}  // namespace

std::string read_file(const std::filesystem::path& file, errc code) {
    std::error_code ec;
    if (std::filesystem::is_directory(file, ec))
        throw_data(code, file.string(), 0, "", "is a folder, not a file");
    std::ifstream in(file, std::ios::binary);
    if (!in) throw_data(code, file.string(), 0, "", "cannot open the file");
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) throw_data(code, file.string(), 0, "", "cannot read the file");
    return std::move(ss).str();
}

std::string json_error_message(const nlohmann::json::exception& e) {
    std::string msg = e.what();
    if (const auto p = msg.find("] "); msg.starts_with("[json.") && p != std::string::npos)
        msg.erase(0, p + 2);
    return msg;
}

std::uint32_t parse_error_line(const nlohmann::json::parse_error& e, std::string_view text,
                               std::uint32_t first_line) {
    // e.byte is 1-based: the byte where the parser stopped
    return line_at_byte(text, e.byte, first_line);
}

nlohmann::json parse_json(std::string_view text, const std::string& file, errc code,
                          std::uint32_t first_line) {
    text = without_bom(text);
    try {
        return nlohmann::json::parse(text.begin(), text.end());
    } catch (const nlohmann::json::exception& e) {
        // a syntax error, or well-formed text that is not representable (the number 1e400):
        // either way the file, the line and the JSON path of the value
        throw_json_failure(code, file, text, e, first_line);
    }
}

void throw_json_failure(errc code, const std::string& file, std::string_view text,
                        const nlohmann::json::exception& e, std::uint32_t first_line) {
    const auto f = find_json_failure(text);
    if (!f) throw_data(code, file, 0, "", "invalid JSON: " + json_error_message(e));
    throw_data(code, file, line_at_byte(text, f->byte, first_line), f->path,
               "invalid JSON: " + f->message);
}

// ------------------------------------------------------------------ JSON paths

namespace {
bool plain_key(std::string_view k) {
    if (k.empty()) return false;
    for (char c : k)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) return false;
    return !std::isdigit(static_cast<unsigned char>(k[0]));
}
}  // namespace

std::string json_path_append_key(std::string path, std::string_view key) {
    if (plain_key(key)) {
        path += ".";
        path += key;
    } else {
        path += "[" + nlohmann::json(std::string(key)).dump() + "]";
    }
    return path;
}

std::string json_path_append_index(std::string path, std::size_t index) {
    return path + "[" + std::to_string(index) + "]";
}

namespace {
// A minimal JSON tokenizer that walks to the value at a path and reports its line.
class locator {
  public:
    explicit locator(std::string_view t) : t_(t) {}

    std::uint32_t find(std::string_view path) {
        if (path.empty() || path[0] != '$') return 0;
        path.remove_prefix(1);
        skip_ws();
        while (!path.empty()) {
            if (path[0] == '.') {
                path.remove_prefix(1);
                const auto end = path.find_first_of(".[");
                const std::string key(path.substr(0, end));
                path = end == std::string_view::npos ? std::string_view{} : path.substr(end);
                if (!enter_key(key)) return 0;
            } else if (path[0] == '[') {
                const auto close = path.find(']');
                if (close == std::string_view::npos) return 0;
                const auto inner = path.substr(1, close - 1);
                path.remove_prefix(close + 1);
                if (!inner.empty() && inner[0] == '"') {
                    std::string key;
                    try {
                        key = nlohmann::json::parse(inner).get<std::string>();
                    } catch (...) {
                        return 0;
                    }
                    if (!enter_key(key)) return 0;
                } else {
                    std::size_t idx = 0;
                    for (char c : inner) {
                        if (c < '0' || c > '9') return 0;
                        idx = idx * 10 + static_cast<std::size_t>(c - '0');
                    }
                    if (!enter_index(idx)) return 0;
                }
            } else {
                return 0;
            }
        }
        return line_at(pos_);
    }

  private:
    std::uint32_t line_at(std::size_t p) const {
        return static_cast<std::uint32_t>(
            1 +
            std::count(t_.begin(), t_.begin() + static_cast<long>(std::min(p, t_.size())), '\n'));
    }
    void skip_ws() {
        while (pos_ < t_.size() &&
               (t_[pos_] == ' ' || t_[pos_] == '\n' || t_[pos_] == '\r' || t_[pos_] == '\t'))
            ++pos_;
    }
    bool read_string(std::string* out) {
        if (pos_ >= t_.size() || t_[pos_] != '"') return false;
        const std::size_t start = pos_++;
        while (pos_ < t_.size() && t_[pos_] != '"')
            pos_ += t_[pos_] == '\\' ? 2 : 1;
        if (pos_ >= t_.size()) return false;
        ++pos_;
        if (out != nullptr) {
            try {
                *out = nlohmann::json::parse(t_.substr(start, pos_ - start)).get<std::string>();
            } catch (...) {
                return false;
            }
        }
        return true;
    }
    bool skip_value() {
        skip_ws();
        if (pos_ >= t_.size()) return false;
        const char c = t_[pos_];
        if (c == '"') return read_string(nullptr);
        if (c == '{' || c == '[') {
            int depth = 0;
            while (pos_ < t_.size()) {
                const char d = t_[pos_];
                if (d == '"') {
                    if (!read_string(nullptr)) return false;
                    continue;
                }
                if (d == '{' || d == '[') ++depth;
                if (d == '}' || d == ']') {
                    if (--depth == 0) {
                        ++pos_;
                        return true;
                    }
                }
                ++pos_;
            }
            return false;
        }
        while (pos_ < t_.size() && t_[pos_] != ',' && t_[pos_] != '}' && t_[pos_] != ']')
            ++pos_;
        return true;
    }
    bool enter_key(const std::string& key) {
        skip_ws();
        if (pos_ >= t_.size() || t_[pos_] != '{') return false;
        ++pos_;
        for (;;) {
            skip_ws();
            std::string k;
            if (!read_string(&k)) return false;
            skip_ws();
            if (pos_ >= t_.size() || t_[pos_] != ':') return false;
            ++pos_;
            skip_ws();
            if (k == key) return true;
            if (!skip_value()) return false;
            skip_ws();
            if (pos_ >= t_.size() || t_[pos_] != ',') return false;
            ++pos_;
        }
    }
    bool enter_index(std::size_t idx) {
        skip_ws();
        if (pos_ >= t_.size() || t_[pos_] != '[') return false;
        ++pos_;
        for (std::size_t i = 0;; ++i) {
            skip_ws();
            if (i == idx) return pos_ < t_.size() && t_[pos_] != ']';
            if (!skip_value()) return false;
            skip_ws();
            if (pos_ >= t_.size() || t_[pos_] != ',') return false;
            ++pos_;
        }
    }

    std::string_view t_;
    std::size_t pos_ = 0;
};
}  // namespace

std::uint32_t line_of(std::string_view text, std::string_view json_path) {
    try {
        return locator(text).find(json_path);
    } catch (...) {
        return 0;
    }
}

namespace {

// A SAX pass that knows the JSON path of every value it meets: it collects keys given twice in
// one object, and where and why the text stops being JSON.
class path_tracker : public nlohmann::json::json_sax_t {
  public:
    explicit path_tracker(key_path_fn append_key) : append_key_(append_key) {}
    std::vector<std::string> duplicates;
    std::optional<json_failure> failure;

    bool null() override { return value(); }
    bool boolean(bool) override { return value(); }
    bool number_integer(number_integer_t) override { return value(); }
    bool number_unsigned(number_unsigned_t) override { return value(); }
    bool number_float(number_float_t, const string_t&) override { return value(); }
    bool string(string_t&) override { return value(); }
    bool binary(binary_t&) override { return value(); }
    bool start_object(std::size_t) override {
        stack_.push_back({true, {}, child_path(), 0, {}, false});
        return true;
    }
    bool key(string_t& k) override {
        auto& f = stack_.back();
        if (!f.keys.insert(k).second) duplicates.push_back(append_key_(f.path, k));
        f.key = k;
        f.has_key = true;
        return true;
    }
    bool end_object() override { return close(); }
    bool start_array(std::size_t) override {
        stack_.push_back({false, {}, child_path(), 0, {}, false});
        return true;
    }
    bool end_array() override { return close(); }
    bool parse_error(std::size_t position, const std::string&,
                     const nlohmann::json::exception& e) override {
        // the value being read when the text failed: a member after its key, the next element
        // of an array, the object itself while its keys are read
        std::string path = "$";
        if (!stack_.empty()) {
            const auto& f = stack_.back();
            path = f.object ? (f.has_key ? append_key_(f.path, f.key) : f.path) : child_path();
        }
        failure = json_failure{position, std::move(path), json_error_message(e)};
        return false;
    }

  private:
    struct frame {
        bool object;
        std::set<std::string> keys;
        std::string path;
        std::size_t index;
        std::string key;
        bool has_key;
    };
    std::string child_path() const {
        if (stack_.empty()) return "$";
        const auto& f = stack_.back();
        return f.object ? append_key_(f.path, f.key) : f.path + "[" + std::to_string(f.index) + "]";
    }
    bool value() {
        if (!stack_.empty()) {
            auto& f = stack_.back();
            if (f.object)
                f.has_key = false;
            else
                ++f.index;
        }
        return true;
    }
    bool close() {
        stack_.pop_back();
        return value();
    }
    std::vector<frame> stack_;
    key_path_fn append_key_;
};

}  // namespace

std::vector<std::string> duplicate_keys(std::string_view text, key_path_fn append_key) {
    path_tracker tracker(append_key != nullptr ? append_key : &json_path_append_key);
    (void)nlohmann::json::sax_parse(text, &tracker);
    return tracker.duplicates;
}

std::optional<json_failure> find_json_failure(std::string_view text, key_path_fn append_key) {
    path_tracker tracker(append_key != nullptr ? append_key : &json_path_append_key);
    try {
        (void)nlohmann::json::sax_parse(text, &tracker);
    } catch (const nlohmann::json::exception& e) {
        // not reported through parse_error (none known today): no position, but never lost
        return json_failure{0, "$", json_error_message(e)};
    }
    return tracker.failure;
}

std::uint32_t line_at_byte(std::string_view text, std::size_t byte, std::uint32_t first_line) {
    const std::size_t upto = std::min(byte == 0 ? 0 : byte - 1, text.size());
    return static_cast<std::uint32_t>(
        first_line + std::count(text.begin(), text.begin() + static_cast<long>(upto), '\n'));
}

}  // namespace telecomply::detail
