#include "telecomply/rules/engine.hpp"

#include <limits>
#include <vector>

#include "base/json_io.hpp"
#include "expr/document_access.hpp"
#include "rules/batch.hpp"
#include "rules/default_rulesets.hpp"
#include "rules/json_schema.hpp"
#include "telecomply/rules/input.hpp"

namespace telecomply {

engine::engine(const std::filesystem::path& rulesets_dir) : engine(catalogue::load(rulesets_dir)) {}
engine::engine(const std::filesystem::path& rulesets_dir,
               const std::vector<std::filesystem::path>& overlays)
    : engine(catalogue::load(rulesets_dir, overlays)) {}

engine::engine(std::shared_ptr<const catalogue> rules)
    : catalogue_(std::move(rules)), schema_(std::make_unique<detail::json_schema>()) {
    if (!catalogue_) throw usage_error("engine: no catalogue");
    auto file = catalogue_->dir() / "schema" / "application.schema.json";
    if (!std::filesystem::exists(file))
        if (const auto fallback = detail::find_default_rulesets())
            file = *fallback / "schema" / "application.schema.json";
    if (std::filesystem::exists(file)) *schema_ = detail::json_schema::load(file);
}

engine::~engine() = default;
engine::engine(engine&&) noexcept = default;
engine& engine::operator=(engine&&) noexcept = default;

document engine::validate(const nlohmann::json& app, std::string_view source, std::uint32_t line,
                          std::string_view text) const {
    // One validation for every source: build the document (which bounds its nesting), then
    // validate it as parse() does.
    document doc;
    try {
        doc = document::from_json(app);
    } catch (const input_error& e) {
        throw input_error(std::string(source), line, "$", e.message());
    }
    conform_integers(doc);
    validate_located(doc, source, line, text);
    return doc;
}

bool engine::application_path_known(std::string_view dotted_path) const {
    return schema_->knows_path(dotted_path);
}

bool engine::application_path_read_only(std::string_view dotted_path) const {
    return schema_->read_only(dotted_path);
}

void engine::validate(document& app, std::string_view source) const {
    conform_integers(app);
    validate_located(app, source, 0, {});
}

void engine::conform_integers(document& app) const {
    // draft-07: 100.0 is an integer; the rules must see the int
    if (app.root().kind() == kind::map)
        schema_->conform_integers(detail::document_access::root(app));
}

void engine::validate_located(const document& app, std::string_view source,
                              std::uint32_t first_line, std::string_view text) const {
    const auto src = [&] { return std::string(source); };  // errors only
    // The line of a JSON path inside the text (multi-line documents), or the first line.
    auto line_for = [&](const std::string& path) -> std::uint32_t {
        if (text.empty()) return first_line;
        const auto l = detail::line_of(text, path);
        return l == 0 ? first_line : (first_line == 0 ? 1 : first_line) + l - 1;
    };
    if (app.root().kind() != kind::map)
        throw input_error(src(), first_line, "$", "an application must be a JSON object");
    // a number the schema calls an integer but int64 does not hold: said so, not "wrong type"
    if (auto f = schema_->integer_beyond_int64(app.root()))
        throw input_error(src(), line_for(f->json_path), f->json_path, f->message);
    if (auto f = schema_->validate(app.root()))
        throw input_error(src(), line_for(f->json_path), f->json_path, f->message);
    // Facts the schema cannot say: dates must be real calendar days.
    const value* submitted = app.root().find("submitted_on");
    if (submitted != nullptr && submitted->kind() == kind::string &&
        !date::parse(submitted->as_string()))
        throw input_error(src(), line_for("$.submitted_on"), "$.submitted_on",
                          "'" + std::string(submitted->as_string()) + "' is not a calendar date");
}

document engine::parse(std::string_view json, std::string_view source,
                       std::uint32_t first_line) const {
    document doc;
    try {
        doc = document::parse(json, source);
    } catch (const input_error& e) {
        // document::parse counts lines from 1 within the text
        throw input_error(e.file(), e.line() == 0 ? first_line : first_line + e.line() - 1,
                          e.json_path(), e.message());
    }
    conform_integers(doc);
    validate_located(doc, source, first_line, json);
    return doc;
}

verdict engine::check(const document& app, const check_options& opts) const {
    const value& root = app.root();
    const value* region = root.find("region");
    const value* submitted = root.find("submitted_on");
    if (region == nullptr || region->kind() != kind::string)
        throw input_error("<input>", 0, "$.region", "the application has no region");
    std::optional<date> on = opts.as_of;
    if (!on && submitted != nullptr && submitted->kind() == kind::string)
        on = date::parse(submitted->as_string());
    if (!on)
        throw input_error("<input>", 0, "$.submitted_on",
                          "the application has no valid submitted_on");
    auto rs = catalogue_->resolve(region->as_string(), *on);
    thread_local eval_context ctx;
    check_options o = opts;
    o.as_of = on;
    return rs->check(app, o, ctx);
}

verdict engine::check_version(const document& app, std::string_view version,
                              const check_options& opts) const {
    const value* region = app.root().find("region");
    if (region == nullptr || region->kind() != kind::string)
        throw input_error("<input>", 0, "$.region", "the application has no region");
    const auto rs = catalogue_->get(region->as_string(), version);
    thread_local eval_context ctx;
    return rs->check(app, opts, ctx);
}

verdict engine::check_json(std::string_view json, const check_options& opts,
                           std::string_view source, std::uint32_t first_line) const {
    return check(parse(json, source, first_line), opts);
}

namespace {
// Turns the errors of one application into an input_error result (keeps the batch going).
engine::result checked(const engine& e, std::string_view text, std::string_view source,
                       std::uint32_t line, const check_options& opts) {
    try {
        return e.check(e.parse(text, source, line), opts);
    } catch (const input_error& err) {
        return err;
    } catch (const not_found_error& err) {
        return input_error(std::string(source), line, "$.region", err.what());
    } catch (const calendar_error& err) {
        return input_error(std::string(source), line, "$", err.what());
    }
}
}  // namespace

std::size_t engine::check_stream(std::istream& in, bool jsonl, std::string_view source,
                                 const check_options& opts,
                                 const std::function<void(std::size_t, result&&)>& sink,
                                 unsigned threads) const {
    threads = detail::batch_threads(threads, std::numeric_limits<std::size_t>::max());
    std::size_t index = 0;
    if (!jsonl) {
        const std::string text((std::istreambuf_iterator<char>(in)),
                               std::istreambuf_iterator<char>());
        nlohmann::json j;
        try {
            j = parse_input_json(text, source);
        } catch (const input_error& err) {
            sink(index++, err);
            return index;
        }
        if (j.is_array()) {
            // each element is an application; errors name it by its index in the array
            for (std::size_t i = 0; i < j.size(); ++i) {
                const std::string base = detail::json_path_append_index("$", i);
                result r = [&]() -> result {
                    try {
                        return check(validate(j[i], source, 0, {}), opts);
                    } catch (const input_error& err) {
                        const std::string path = base + err.json_path().substr(1);
                        return input_error(std::string(source), detail::line_of(text, path), path,
                                           err.message());
                    } catch (const not_found_error& err) {
                        return input_error(std::string(source), 0, base + ".region", err.what());
                    } catch (const calendar_error& err) {
                        return input_error(std::string(source), 0, base, err.what());
                    }
                }();
                sink(index++, std::move(r));
            }
        } else {
            sink(index++, checked(*this, text, source, 1, opts));
        }
        return index;
    }

    // JSON Lines: read a batch of lines, check it (in parallel when asked), hand the results
    // over in order, repeat. Memory is bounded by the batch size.
    // A batch's lines sit one after the other in one buffer, and each line is read into one
    // string: both are reused, so that reading allocates nothing per line. One line at a time
    // (one thread), the line is checked where it was read.
    const std::size_t batch_size = threads > 1 ? 1024 : 1;
    jsonl_reader reader(in);
    input_line line;
    std::string text;
    struct span {
        std::size_t offset = 0, size = 0;
        std::uint32_t number = 0;
    };
    std::vector<span> lines;
    std::vector<std::optional<result>> results;
    bool more = true;
    while (more) {
        text.clear();
        lines.clear();
        while (lines.size() < batch_size) {
            if (!reader.next(line)) {
                more = false;
                break;
            }
            lines.push_back({text.size(), line.text.size(), line.number});
            if (batch_size > 1) text += line.text;
        }
        if (lines.empty()) break;
        results.assign(lines.size(), std::nullopt);
        detail::parallel_for(lines.size(), threads, [&](std::size_t i) {
            const std::string_view json =
                batch_size > 1 ? std::string_view(text).substr(lines[i].offset, lines[i].size)
                               : std::string_view(line.text);
            results[i] = checked(*this, json, source, lines[i].number, opts);
        });
        for (auto& r : results)
            sink(index++, std::move(*r));
    }
    return index;
}

std::size_t engine::parse_jsonl(
    std::istream& in, std::string_view source,
    const std::function<void(std::uint32_t line, parsed&&)>& sink) const {
    jsonl_reader reader(in);
    std::size_t count = 0;
    while (auto line = reader.next()) {
        ++count;
        parsed p = [&]() -> parsed {
            try {
                return parse(line->text, source, line->number);
            } catch (const input_error& err) {
                return err;
            }
        }();
        sink(line->number, std::move(p));
    }
    return count;
}

std::vector<engine::outcome> engine::check_each(const std::vector<batch_item>& items,
                                                const check_options& opts, unsigned threads,
                                                bool validate_documents,
                                                std::string_view source) const {
    std::vector<outcome> out(items.size());
    detail::parallel_for(items.size(), threads, [&](std::size_t i) {
        const std::string where = std::string(source) + "[" + std::to_string(i) + "]";
        try {
            if (const auto* text = std::get_if<std::string>(&items[i])) {
                out[i] = check(parse(*text, where), opts);
                return;
            }
            const auto& doc = std::get<document>(items[i]);
            if (validate_documents && schema_->has_integers_to_conform(doc.root())) {
                // 100.0 where the schema says integer: judged on a conformed copy, the
                // caller's document stays as given
                document copy =
                    document::build([&](value_builder& b) { return b.copy(doc.root()); });
                validate(copy, where);
                out[i] = check(copy, opts);
                return;
            }
            if (validate_documents) validate_located(doc, where, 0, {});
            out[i] = check(doc, opts);
        } catch (...) {
            out[i] = std::current_exception();
        }
    });
    return out;
}

std::vector<verdict> engine::check_many(const std::vector<batch_item>& items,
                                        const check_options& opts, unsigned threads,
                                        bool validate_documents, std::string_view source) const {
    auto each = check_each(items, opts, threads, validate_documents, source);
    std::vector<verdict> verdicts;
    verdicts.reserve(each.size());
    for (auto& o : each) {
        // the first failing application (lowest index), with its own type
        if (auto* e = std::get_if<std::exception_ptr>(&o)) std::rethrow_exception(*e);
        verdicts.push_back(std::move(std::get<verdict>(o)));
    }
    return verdicts;
}

}  // namespace telecomply
