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

namespace {
// Whether `text` may hold what nlohmann's DOM parser reads without complaint but the SAX pass of
// find_json_failure() refuses: a NUL byte, nesting beyond max_json_nesting, a run of 19 digits or
// more (an integer beyond 64 bits). One linear scan, no allocation.
bool may_fail_in_sax(std::string_view text) noexcept {
    std::size_t digits = 0;
    for (const char c : text) {
        if (c == '\0') return true;
        digits = (c >= '0' && c <= '9') ? digits + 1 : 0;
        if (digits >= 19) return true;
    }
    return nesting_overflow_byte(text, max_json_nesting) != 0;
}
}  // namespace

std::string read_file(const std::filesystem::path& file, errc code) {
    std::error_code ec;
    if (std::filesystem::is_directory(file, ec))
        throw_data(code, file.string(), 0, "", "is a folder, not a file");
    // said as `check` says it of a missing file: every command the same
    if (!std::filesystem::exists(file, ec)) throw_data(code, file.string(), 0, "", "no such file");
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
    // nlohmann reads a NUL byte as the end of the text (what follows is silently dropped),
    // nests without limit and rounds an integer beyond 64 bits to a double: each is refused
    // here, where and why, as by the other reader (simdjson)
    if (may_fail_in_sax(text))
        if (const auto f = find_json_failure(text))
            throw_data(code, file, line_at_byte(text, f->byte, first_line), f->path,
                       "invalid JSON: " + f->message);
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

    // The 1-based line of the value at `path`, 0 when not found.
    std::uint32_t find(std::string_view path) { return walk(path) ? line_at(pos_) : 0; }
    // The 1-based byte where the value at `path` starts, 0 when not found.
    std::size_t byte(std::string_view path) { return walk(path) ? pos_ + 1 : 0; }

  private:
    bool walk(std::string_view path) {
        if (path.empty() || path[0] != '$') return false;
        path.remove_prefix(1);
        skip_ws();
        while (!path.empty()) {
            if (path[0] == '.') {
                path.remove_prefix(1);
                const auto end = path.find_first_of(".[");
                const std::string key(path.substr(0, end));
                path = end == std::string_view::npos ? std::string_view{} : path.substr(end);
                if (!enter_key(key)) return false;
            } else if (path[0] == '[') {
                const auto close = path.find(']');
                if (close == std::string_view::npos) return false;
                const auto inner = path.substr(1, close - 1);
                path.remove_prefix(close + 1);
                if (!inner.empty() && inner[0] == '"') {
                    std::string key;
                    try {
                        key = nlohmann::json::parse(inner).get<std::string>();
                    } catch (...) {
                        return false;
                    }
                    if (!enter_key(key)) return false;
                } else {
                    std::size_t idx = 0;
                    for (char c : inner) {
                        if (c < '0' || c > '9') return false;
                        idx = idx * 10 + static_cast<std::size_t>(c - '0');
                    }
                    if (!enter_index(idx)) return false;
                }
            } else {
                return false;
            }
        }
        return true;
    }

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
std::size_t byte_of(std::string_view text, std::string_view json_path) {
    try {
        return locator(text).byte(json_path);
    } catch (...) {
        return 0;
    }
}
}  // namespace

namespace {

// A SAX pass that knows the JSON path of every value it meets: it collects keys given twice in
// one object, and where and why the text stops being JSON, or nests too deep. A path is spelt
// only when one is reported: memory stays linear in the depth, whatever the text.
class path_tracker : public nlohmann::json::json_sax_t {
  public:
    explicit path_tracker(key_path_fn append_key) : append_key_(append_key) {}
    std::vector<std::string> duplicates;
    std::optional<json_failure> failure;
    bool too_deep = false;  // `failure` is the nesting limit (its byte is not known here)
    bool unplaced = false;  // `failure` is a value whose byte is not known here

    bool null() override { return value(); }
    bool boolean(bool) override { return value(); }
    bool number_integer(number_integer_t) override { return value(); }
    bool number_unsigned(number_unsigned_t) override { return value(); }
    bool number_float(number_float_t, const string_t& text) override {
        // an integer literal nlohmann could hold only as a double: beyond int64 and uint64
        if (text.find_first_of(".eE") == std::string::npos) {
            const std::string shown = text.size() <= 40 ? text : text.substr(0, 30) + "...";
            failure = json_failure{0, path(stack_.size()),
                                   "the integer " + shown +
                                       " is beyond 64 bits (from -2^63 to 2^64-1): a reader "
                                       "would round it"};
            unplaced = true;
            return false;
        }
        return value();
    }
    bool string(string_t&) override { return value(); }
    bool binary(binary_t&) override { return value(); }
    bool start_object(std::size_t) override { return open(true); }
    bool key(string_t& k) override {
        auto& f = stack_.back();
        if (!f.keys.insert(k).second) duplicates.push_back(append_key_(path(stack_.size() - 1), k));
        f.key = k;
        f.has_key = true;
        return true;
    }
    bool end_object() override { return close(); }
    bool start_array(std::size_t) override { return open(false); }
    bool end_array() override { return close(); }
    bool parse_error(std::size_t position, const std::string&,
                     const nlohmann::json::exception& e) override {
        // the value being read when the text failed: a member after its key, the next element
        // of an array, the object itself while its keys are read
        const bool between_members =
            !stack_.empty() && stack_.back().object && !stack_.back().has_key;
        failure = json_failure{position, path(between_members ? stack_.size() - 1 : stack_.size()),
                               json_error_message(e)};
        return false;
    }

  private:
    struct frame {
        bool object;
        std::set<std::string> keys;
        std::size_t index = 0;
        std::string key;
        bool has_key = false;
    };
    // The path of the value the first `levels` open containers lead to: "$" for none, the
    // innermost container's own path for stack_.size() - 1, the value being read in it for
    // stack_.size().
    std::string path(std::size_t levels) const {
        std::string p = "$";
        for (std::size_t i = 0; i < levels; ++i) {
            const auto& f = stack_[i];
            p = f.object ? append_key_(std::move(p), f.key) : json_path_append_index(p, f.index);
        }
        return p;
    }
    bool open(bool object) {
        if (stack_.size() >= max_json_nesting) {
            failure = json_failure{
                0, path(stack_.size()),
                "the document nests deeper than " + std::to_string(max_json_nesting) + " levels"};
            too_deep = true;
            return false;
        }
        stack_.push_back(frame{object, {}, 0, {}, false});
        return true;
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

std::size_t nesting_overflow_byte(std::string_view text, std::size_t limit) noexcept {
    std::size_t depth = 0;
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > limit) return i + 1;
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
    return 0;
}

std::vector<std::string> duplicate_keys(std::string_view text, key_path_fn append_key) {
    path_tracker tracker(append_key != nullptr ? append_key : &json_path_append_key);
    (void)nlohmann::json::sax_parse(text, &tracker);
    return tracker.duplicates;
}

void refuse_duplicate_keys(std::string_view text, const std::string& file, errc code) {
    const auto dups = duplicate_keys(text);
    if (dups.empty()) return;
    throw_data(code, file, line_of(text, dups.front()), dups.front(),
               "this key appears twice in its object (the last would silently win)");
}

std::optional<json_failure> find_json_failure(std::string_view text, key_path_fn append_key) {
    path_tracker tracker(append_key != nullptr ? append_key : &json_path_append_key);
    // nlohmann stops at a NUL byte as at the end of the text: the text before it is what it
    // reads, and the NUL itself is the failure when nothing before it failed
    const auto nul = text.find('\0');
    try {
        (void)nlohmann::json::sax_parse(text.substr(0, nul), &tracker);
    } catch (const nlohmann::json::exception& e) {
        // not reported through parse_error (none known today): no position, but never lost
        return json_failure{0, "$", json_error_message(e)};
    }
    if (tracker.too_deep)
        tracker.failure->byte = nesting_overflow_byte(text, max_json_nesting);
    else if (tracker.unplaced)
        tracker.failure->byte = byte_of(text, tracker.failure->path);
    if (nul != std::string_view::npos && (!tracker.failure || tracker.failure->byte > nul)) {
        return json_failure{nul + 1, tracker.failure ? tracker.failure->path : "$",
                            "a NUL byte (U+0000), which JSON text cannot hold (inside a string, "
                            "write \\u0000)"};
    }
    return tracker.failure;
}

std::uint32_t line_at_byte(std::string_view text, std::size_t byte, std::uint32_t first_line) {
    const std::size_t upto = std::min(byte == 0 ? 0 : byte - 1, text.size());
    return static_cast<std::uint32_t>(
        first_line + std::count(text.begin(), text.begin() + static_cast<long>(upto), '\n'));
}

}  // namespace telecomply::detail
