// `telecomply check`: applications (JSON, a JSON array, JSON Lines; - for stdin) against the
// rules in force; text, JSON or JSON Lines out.

#include "options.hpp"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "telecomply/base/error.hpp"
#include "telecomply/cases/cases.hpp"
#include "telecomply/rules/engine.hpp"
#include "telecomply/rules/input.hpp"

namespace telecomply::cli {

namespace {

// The applications of one file, each checked with what the case store knows (docs/policy.md
// §7): one at a time (a store is one connection), in input order. The application's own case,
// if it is one, is left out of the facts.
void check_with_store_file(const engine& e, const case_service& service, std::istream& in,
                           bool jsonl, const std::string& name, const check_options& opts,
                           const std::function<void(std::size_t, engine::result&&)>& sink) {
    std::size_t index = 0;
    // `text`: the file's text when `app` is all of it, so that an error names its line
    auto one = [&](const nlohmann::json& app, const std::string& source, std::string_view text) {
        try {
            (void)e.validate(app, source, text.empty() ? 0 : 1, text);
            const std::string id = app.value("id", "");
            sink(index++, service.check(app, opts, id));
        } catch (const input_error& err) {
            sink(index++, err);
        }
    };
    if (jsonl) {
        (void)e.parse_jsonl(in, name, [&](std::size_t line, engine::parsed&& p) {
            if (auto* err = std::get_if<input_error>(&p)) {
                sink(index++, std::move(*err));
                return;
            }
            one(std::get<document>(p).to_json(), name + ":" + std::to_string(line), {});
        });
        return;
    }
    const std::string text(std::istreambuf_iterator<char>(in), {});
    nlohmann::json doc;
    try {
        doc = parse_input_json(text, name);
    } catch (const input_error& err) {
        sink(index++, err);
        return;
    }
    if (!doc.is_array()) {
        one(doc, name, text);
        return;
    }
    for (std::size_t i = 0; i < doc.size(); ++i)
        one(doc[i], name + "[" + std::to_string(i) + "]", {});
}

int run_check(const common& c, const std::vector<std::string>& files, unsigned threads,
              const std::string& store_file) {
    auto rules = std::make_shared<const engine>(c.load_rules());
    const engine& e = *rules;
    // with --store: the store's facts join every check
    std::optional<case_manager> manager;
    std::optional<case_store> store;
    std::optional<case_service> service;
    if (!store_file.empty()) {
        std::error_code ec;
        if (!std::filesystem::exists(store_file, ec))
            throw not_found_error("no case store '" + store_file +
                                  "' (`telecomply case new` creates one)");
        manager.emplace(rules);
        store.emplace(case_store::open(store_file));
        service.emplace(*store, *manager);
    }
    check_options opts;
    opts.as_of = c.as_of_date();
    std::size_t eligible = 0, ineligible = 0, needs_evidence = 0, bad = 0;
    std::vector<verdict> json_out;  // --format json collects (one object or an array)
    std::ios::sync_with_stdio(false);
    // --format jsonl: lines gather here and reach stdout a block at a time (also when an
    // exception leaves early)
    struct output_buffer {
        std::string text;
        void flush() {
            std::cout.write(text.data(), static_cast<std::streamsize>(text.size()));
            text.clear();
        }
        void line_done() {
            text.push_back('\n');
            if (text.size() >= (std::size_t{1} << 16)) flush();
        }
        ~output_buffer() { flush(); }
    } out;

    for (const auto& file : files) {
        application_input input;
        if (const auto why = open_applications(file, input); !why.empty()) {
            std::cerr << "telecomply: " << file << ": " << why << "\n";
            ++bad;
            continue;
        }
        std::istream* in = input.in;
        const std::string& name = input.name;
        const bool jsonl = input.jsonl;
        const std::function<void(std::size_t, engine::result &&)> sink = [&](std::size_t,
                                                                             engine::result&& r) {
            if (auto* err = std::get_if<input_error>(&r)) {
                ++bad;
                std::cerr << "telecomply: " << err->what() << "\n";
                if (c.format == "jsonl") {
                    out.text += json_text(nlohmann::json{{"error",
                                                          {{"file", err->file()},
                                                           {"line", err->line()},
                                                           {"json_path", err->json_path()},
                                                           {"message", err->message()}}}});
                    out.line_done();
                }
                return;
            }
            auto& v = std::get<verdict>(r);
            switch (v.outcome) {
                case decision::eligible:
                    ++eligible;
                    break;
                case decision::ineligible:
                    ++ineligible;
                    break;
                case decision::needs_evidence:
                    ++needs_evidence;
                    break;
            }
            if (c.format == "jsonl") {
                v.write_json(out.text);
                out.line_done();
            } else if (c.format == "json") {
                json_out.push_back(std::move(v));
            } else {
                std::cout << v.to_text(c.lang) << "\n";
            }
        };
        try {
            if (service)
                check_with_store_file(e, *service, *in, jsonl, name, opts, sink);
            else
                e.check_stream(*in, jsonl, name, opts, sink, threads);
        } catch (const store_error&) {
            throw;  // the store, not this file, failed: the rest cannot be judged either
        } catch (const std::exception& ex) {
            // a file that cannot be read to its end (a read error): bad input, and the rest
            // of the batch still runs
            sink(0, input_error(name, 0, "", ex.what()));
        }
    }
    out.flush();
    if (c.format == "json") {
        // as nlohmann pretty-prints one verdict, or an array of them
        if (json_out.size() == 1) {
            json_out.front().write_json(out.text, 2);
        } else if (json_out.empty()) {
            out.text += "[]";
        } else {
            out.text += "[";
            for (std::size_t i = 0; i < json_out.size(); ++i) {
                out.text += i == 0 ? "\n  " : ",\n  ";
                json_out[i].write_json(out.text, 2, 2);
                if (out.text.size() >= (std::size_t{1} << 16)) out.flush();
            }
            out.text += "\n]";
        }
        out.line_done();
        out.flush();
    } else if (c.format == "text") {
        const std::size_t total = eligible + ineligible + needs_evidence;
        std::cout << total << " application" << (total == 1 ? "" : "s") << ": " << eligible
                  << " eligible, " << ineligible << " ineligible, " << needs_evidence
                  << " need evidence";
        if (bad != 0) std::cout << "; " << bad << " rejected as bad input";
        std::cout << "\n";
    }
    std::cout.flush();
    if (bad != 0) return exit_bad;
    return (ineligible + needs_evidence) != 0 ? exit_findings : exit_ok;
}

}  // namespace

command add_check(CLI::App& app, common& c) {
    struct args {
        std::vector<std::string> files;
        unsigned threads = 0;
        std::string store;
    };
    auto a = std::make_shared<args>();
    auto* check =
        app.add_subcommand("check", "check applications (JSON or JSON Lines files; - for stdin)");
    check->add_option("files", a->files, "application files")->required();
    add_rulesets_option(check, c);
    check->add_option("--as-of", c.as_of, "use the rules in force on this date (YYYY-MM-DD)");
    check->add_option("--format", c.format, "output format")
        ->check(CLI::IsMember({"text", "json", "jsonl"}));
    check->add_option(
        "--threads", a->threads,
        "worker threads for JSON Lines input (default 0: all cores; output order is kept)");
    check->add_option("--store", a->store,
                      "a case store: judge each application with what it knows of the "
                      "applicant (USCC) and its numbers (HISTORY_MISMATCH, "
                      "NUMBER_ALREADY_REGISTERED); applications are then checked one at a time");
    add_lang_option(check, c);
    return {check, [&c, a] { return run_check(c, a->files, a->threads, a->store); }};
}

}  // namespace telecomply::cli
