// Embedding telecomply in a C++ application: load the shipped rulesets, check one application
// and print the decision and the findings with their remedies.
//
//   example_check_application [APPLICATION.json] [RULESETS_DIR]
//
// Built with the project (TELECOMPLY_BUILD_EXAMPLES); an application of your own links the
// installed package instead:
//   find_package(telecomply CONFIG REQUIRED)
//   target_link_libraries(app PRIVATE telecomply::telecomply)

#include <fstream>
#include <iostream>
#include <iterator>
#include <string>

#include <telecomply/rules/engine.hpp>

int main(int argc, char** argv) {
    const std::string file = argc > 1 ? argv[1] : "examples/applications/gd-retail-eligible.json";
    try {
        const telecomply::engine engine(argc > 2 ? std::filesystem::path(argv[2])
                                                 : telecomply::catalogue::default_dir());
        std::ifstream in(file, std::ios::binary);
        if (!in) {
            std::cerr << file << ": cannot open\n";
            return 2;
        }
        const std::string text((std::istreambuf_iterator<char>(in)), {});
        // parse() validates against the application schema; check() picks the rules in force
        // on the application's submission date.
        const telecomply::verdict v = engine.check(engine.parse(text, file));
        std::cout << v.application << " (" << v.region << "): " << to_string(v.outcome) << " under "
                  << v.rules->id() << "@" << v.rules->version() << "\n";
        for (const auto& f : v.findings) {
            std::cout << "  " << to_string(f.level) << " " << f.code();
            if (!f.subject.empty()) std::cout << " [" << f.subject << "]";
            std::cout << ": " << f.message().en << "\n    remedy: " << f.remedy().en << "\n";
        }
        for (const auto& o : v.obligations)
            std::cout << "  obligation: " << o.code << "\n";
        return 0;
    } catch (const telecomply::error& e) {
        std::cerr << e.what() << "\n";
        return 2;
    }
}
