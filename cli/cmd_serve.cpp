// `telecomply serve`: the HTTP API and web pages. The server is Python (FastAPI on uvicorn:
// the telecomply.server package), so this command runs `python -m telecomply serve` with the
// interpreter the build was configured with, or $TELECOMPLY_PYTHON, passing its arguments on.

#include "options.hpp"

#include <CLI/CLI.hpp>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include <unistd.h>

namespace telecomply::cli {

namespace {

#ifdef TELECOMPLY_PYTHON_EXECUTABLE
constexpr const char* configured_python = TELECOMPLY_PYTHON_EXECUTABLE;
#else
constexpr const char* configured_python = "python3";
#endif
#ifdef TELECOMPLY_PYTHON_PACKAGE_DIR
constexpr const char* package_dir = TELECOMPLY_PYTHON_PACKAGE_DIR;  // the build tree's copy
#else
constexpr const char* package_dir = "";
#endif

}  // namespace

command add_serve(CLI::App& app, common&) {
    auto* serve =
        app.add_subcommand("serve",
                           "run the HTTP API (/v1, OpenAPI at /docs) over a case store; Python's "
                           "telecomply[server] (telecomply serve --help for its options)");
    // everything after `serve` is the server's own (--host, --port, --store, --auth, ...)
    serve->prefix_command();
    serve->set_help_flag();
    return {serve, [serve] {
                const char* env = std::getenv("TELECOMPLY_PYTHON");
                const std::string python = env != nullptr && *env != 0 ? env : configured_python;
                if (*package_dir != 0) {
                    const char* old = std::getenv("PYTHONPATH");
                    std::string path = package_dir;
                    if (old != nullptr && *old != 0) path += std::string(":") + old;
                    ::setenv("PYTHONPATH", path.c_str(), 1);
                }
                std::vector<std::string> args = {python, "-m", "telecomply", "serve"};
                for (const auto& a : serve->remaining())
                    args.push_back(a);
                std::vector<char*> argv;
                for (auto& a : args)
                    argv.push_back(a.data());
                argv.push_back(nullptr);
                std::cout.flush();
                ::execvp(argv[0], argv.data());
                // only reached when the interpreter cannot be run
                std::cerr << "telecomply serve: cannot run " << python << ": "
                          << std::strerror(errno)
                          << " (set TELECOMPLY_PYTHON to a Python with telecomply[server] "
                             "installed)\n";
                return exit_bad;
            }};
}

}  // namespace telecomply::cli
