// Call records from a CSV file, read with libcsv (RFC 4180 quoting) in chunks: one batch of
// about k_batch_rows rows at a time, whatever the file's size.

#include <csv.h>

#include <array>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "screening/call_batch.hpp"
#include "screening/call_columns.hpp"
#include "telecomply/base/error.hpp"

namespace telecomply {

namespace {

using detail::call_batch;

constexpr std::size_t k_batch_rows = 65536;
constexpr std::size_t k_chunk_bytes = 1 << 18;
constexpr std::size_t k_columns = 4;  // caller, callee, start, duration_s
constexpr std::array<std::string_view, k_columns> k_names = {detail::k_caller, detail::k_callee,
                                                             detail::k_start, detail::k_duration};

struct file_closer {
    void operator()(std::FILE* f) const noexcept { std::fclose(f); }
};

/// The text of one column for a batch's rows: their bytes one after another.
struct text_column {
    std::string bytes;
    std::vector<std::uint32_t> ends;
    [[nodiscard]] std::string_view at(std::size_t i) const noexcept {
        const std::uint32_t begin = i == 0 ? 0 : ends[i - 1];
        return {bytes.data() + begin, ends[i] - begin};
    }
};

class csv_reader final : public call_source::reader {
  public:
    explicit csv_reader(const std::filesystem::path& file, std::string name)
        : name_(std::move(name)) {
        file_.reset(std::fopen(file.c_str(), "rb"));
        if (!file_)
            throw input_error(name_, 0, "",
                              "cannot read the file: " + std::string(std::strerror(errno)));
        csv_init(&parser_, CSV_REPALL_NL);
        chunk_.resize(k_chunk_bytes);
    }
    ~csv_reader() override { csv_free(&parser_); }
    csv_reader(const csv_reader&) = delete;
    csv_reader& operator=(const csv_reader&) = delete;

    /// Reads until the header row has been seen (the first chunk, as a rule); throws as next()
    /// when it lacks a column.
    void read_header() {
        while (!header_seen_ && !done_)
            read_chunk();
    }

    bool next(call_batch& batch) override {
        for (auto& c : text_) {
            // The bytes after the last whole row are the fields already read of a row that a
            // chunk boundary cut: they belong to the next batch.
            c.bytes.erase(0, c.ends.empty() ? 0 : c.ends.back());
            c.ends.clear();
        }
        fields_short_.clear();
        lines_.clear();
        while (lines_.size() < k_batch_rows && !done_)
            read_chunk();
        if (lines_.empty()) return false;
        const std::size_t n = lines_.size();
        batch.reset(next_row_, n);
        batch.lines.swap(lines_);
        for (const auto& [i, count] : fields_short_)
            batch.fail(i, "",
                       "the row has " + std::to_string(count) + " fields; the header has " +
                           std::to_string(header_size_));
        for (std::size_t i = 0; i < n; ++i) {
            if (batch.bad[i]) continue;
            detail::read_number(batch, i, detail::k_caller, text_[0].at(i), batch.caller[i]);
        }
        for (std::size_t i = 0; i < n; ++i) {
            if (batch.bad[i]) continue;
            detail::read_number(batch, i, detail::k_callee, text_[1].at(i), batch.callee[i]);
        }
        for (std::size_t i = 0; i < n; ++i)
            if (!batch.bad[i]) detail::read_start(batch, i, text_[2].at(i));
        for (std::size_t i = 0; i < n; ++i)
            if (!batch.bad[i]) detail::read_duration(batch, i, text_[3].at(i));
        batch.sort_errors();
        next_row_ += static_cast<std::int64_t>(n);
        return true;
    }

  private:
    void read_chunk() {
        std::size_t got = std::fread(chunk_.data(), 1, chunk_.size(), file_.get());
        if (got == 0) {
            if (std::ferror(file_.get()))
                throw input_error(name_, 0, "",
                                  "cannot read the file: " + std::string(std::strerror(errno)));
            csv_fini(&parser_, &on_field, &on_row, this);
            done_ = true;
            if (!header_seen_)
                throw input_error(name_, 1, "", "the file has no header row (" + names() + ")");
            return;
        }
        const char* data = chunk_.data();
        if (first_chunk_) {
            first_chunk_ = false;
            if (got >= 3 && std::memcmp(data, "\xEF\xBB\xBF", 3) == 0) {  // a UTF-8 BOM
                data += 3;
                got -= 3;
            }
        }
        if (csv_parse(&parser_, data, got, &on_field, &on_row, this) != got)
            throw input_error(name_, line_, "", csv_strerror(csv_error(&parser_)));
        if (error_) std::rethrow_exception(error_);
    }

    static std::string names() { return "caller, callee, start, duration_s"; }

    static void on_field(void* data, std::size_t size, void* self_ptr) {
        auto& self = *static_cast<csv_reader*>(self_ptr);
        const std::string_view text(static_cast<const char*>(data), data ? size : 0);
        if (self.row_fields_ == 0) self.row_line_ = self.line_;
        for (char c : text)
            self.line_ += c == '\n';
        if (!self.header_seen_) {
            self.header_.emplace_back(text);
        } else {
            for (std::size_t c = 0; c < k_columns; ++c)
                if (self.index_[c] == self.row_fields_) {
                    auto& col = self.text_[c];
                    col.bytes.append(text.data(), text.size());
                }
        }
        ++self.row_fields_;
    }

    static void on_row(int c, void* self_ptr) {
        auto& self = *static_cast<csv_reader*>(self_ptr);
        if (self.row_fields_ > 0) {
            if (!self.header_seen_)
                self.take_header();
            else
                self.end_row();
        }
        self.row_fields_ = 0;
        if (c == '\n') ++self.line_;
    }

    void take_header() {
        header_seen_ = true;
        header_size_ = header_.size();
        for (std::size_t c = 0; c < k_columns; ++c) {
            for (std::size_t i = 0; i < header_.size(); ++i) {
                std::string_view h = header_[i];
                while (!h.empty() && (h.front() == ' ' || h.front() == '\t'))
                    h.remove_prefix(1);
                while (!h.empty() && (h.back() == ' ' || h.back() == '\t' || h.back() == '\r'))
                    h.remove_suffix(1);
                if (h != k_names[c]) continue;
                if (index_[c] == k_none) {
                    index_[c] = i;
                } else if (!error_) {
                    // which of the two holds the calls is not for screening to guess
                    error_ = std::make_exception_ptr(input_error(
                        name_, row_line_, "",
                        "the header names the column '" + std::string(k_names[c]) +
                            "' twice (fields " + std::to_string(index_[c] + 1) + " and " +
                            std::to_string(i + 1) + "): which one to screen is ambiguous"));
                }
            }
            if (index_[c] == k_none && !error_) {
                std::string has;
                for (const auto& h : header_)
                    has += (has.empty() ? "" : ", ") + h;
                error_ = std::make_exception_ptr(
                    input_error(name_, row_line_, "",
                                "the header has no column '" + std::string(k_names[c]) +
                                    "' (call records need " + names() + "; it has: " + has + ")"));
            }
        }
    }

    void end_row() {
        const std::size_t i = lines_.size();
        lines_.push_back(static_cast<std::int64_t>(row_line_));
        if (row_fields_ < header_size_) fields_short_.emplace_back(i, row_fields_);
        for (auto& col : text_) {
            // a column the row does not reach is empty
            col.ends.push_back(static_cast<std::uint32_t>(col.bytes.size()));
        }
    }

    static constexpr std::size_t k_none = static_cast<std::size_t>(-1);
    std::string name_;
    std::unique_ptr<std::FILE, file_closer> file_;
    csv_parser parser_{};
    std::vector<char> chunk_;
    bool first_chunk_ = true, done_ = false, header_seen_ = false;
    std::vector<std::string> header_;
    std::size_t header_size_ = 0;
    std::array<std::size_t, k_columns> index_{k_none, k_none, k_none, k_none};
    std::array<text_column, k_columns> text_;
    std::vector<std::int64_t> lines_;
    std::vector<std::pair<std::size_t, std::size_t>> fields_short_;
    std::size_t row_fields_ = 0;
    std::uint32_t line_ = 1, row_line_ = 1;
    std::int64_t next_row_ = 1;
    std::exception_ptr error_;
};

class csv_source final : public call_source {
  public:
    csv_source(std::filesystem::path file, std::string name)
        : file_(std::move(file)), name_(name.empty() ? file_.string() : std::move(name)) {}
    [[nodiscard]] const std::string& name() const override { return name_; }
    [[nodiscard]] const std::filesystem::path& file() const noexcept { return file_; }
    [[nodiscard]] std::unique_ptr<reader> read() override {
        return std::make_unique<csv_reader>(file_, name_);
    }

  private:
    std::filesystem::path file_;
    std::string name_;
};

}  // namespace

std::unique_ptr<call_source> call_source::csv_file(std::filesystem::path file, std::string name) {
    std::error_code ec;
    if (name.empty()) name = file.string();
    if (std::filesystem::is_directory(file, ec))
        throw input_error(name, 0, "", "is a folder, not a file");
    if (!std::filesystem::exists(file, ec)) throw input_error(name, 0, "", "no such file");
    // the header is read now, so that a missing column is reported before any work
    auto source = std::make_unique<csv_source>(std::move(file), std::move(name));
    csv_reader(source->file(), source->name()).read_header();
    return source;
}

}  // namespace telecomply
