// A program built against the installed package, with no rulesets folder of its own: says which
// folder catalogue::default_dir() and a default telecomply::engine read, and checks one
// application with it (tests/install_consumer.cmake runs it after moving the install).
//   consumer_default_rulesets APPLICATION.json

#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>

#include <telecomply/rules/engine.hpp>

namespace {
// during static initialisation too, before main
const std::string k_at_start = [] {
    try {
        return telecomply::catalogue::default_dir().string();
    } catch (const telecomply::error& e) {
        return std::string("none: ") + e.what();
    }
}();
}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: consumer_default_rulesets APPLICATION.json\n";
        return 2;
    }
    try {
        std::cout << "at static initialisation: " << k_at_start << "\n";
        std::cout << "default_dir: " << telecomply::catalogue::default_dir().string() << "\n";
        const telecomply::engine engine;
        std::cout << "engine reads: " << engine.rules().dir().string() << "\n";
        std::ifstream in(argv[1], std::ios::binary);
        const std::string text((std::istreambuf_iterator<char>(in)), {});
        const telecomply::verdict v = engine.check(engine.parse(text, argv[1]));
        std::cout << v.application << ": " << to_string(v.outcome) << " under " << v.rules->id()
                  << "@" << v.rules->version() << "\n";
        for (const auto& f : v.findings)
            std::cout << "  " << f.code() << "\n";
        return 0;
    } catch (const telecomply::error& e) {
        std::cerr << e.what() << "\n";
        return 2;
    }
}
