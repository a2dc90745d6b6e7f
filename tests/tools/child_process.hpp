#pragma once
// A child process whose stdout is a pipe read line by line: what the case store's crash tests
// (tests/cpp/test_case_store.cpp, tests/tools/crash_check.cpp) need to run writers they can
// SIGKILL at any moment and still know exactly which lines the writer completed.
//
// Only complete lines are ever returned: a line cut short by a kill was never acknowledged.
// Errors throw std::runtime_error; not thread-safe.

#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;  // NOLINT: POSIX, for posix_spawn

namespace telecomply::testing {

class child_process {
  public:
    /// Starts `argv[0]` (a path) with `argv`; its stdout is the pipe, stdin and stderr are ours.
    explicit child_process(const std::vector<std::string>& argv) {
        if (argv.empty()) throw std::runtime_error("child_process: no program");
        int fds[2];
        // CLOEXEC: no other child inherits this pipe's ends, so EOF means this child is gone.
        if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error(errno_text("pipe2"));
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
        std::vector<char*> args;
        for (const auto& a : argv)
            args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        const int rc = posix_spawn(&pid_, argv[0].c_str(), &actions, nullptr, args.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        ::close(fds[1]);
        out_ = fds[0];
        if (rc != 0) {
            pid_ = -1;
            throw std::runtime_error("cannot spawn " + argv[0] + ": " + std::strerror(rc));
        }
    }
    child_process(const child_process&) = delete;
    child_process& operator=(const child_process&) = delete;
    /// Kills and reaps a child still running: a failing test leaves no writer behind.
    ~child_process() {
        if (pid_ > 0) {
            kill();
            (void)wait();
        }
        if (out_ >= 0) ::close(out_);
    }

    [[nodiscard]] pid_t pid() const noexcept { return pid_; }
    /// The read end of the child's stdout, for poll().
    [[nodiscard]] int fd() const noexcept { return out_; }
    /// True once the child closed its stdout (exited or was killed) and every byte was read.
    [[nodiscard]] bool at_eof() const noexcept { return eof_; }

    /// One read() of what the pipe holds (blocks if it holds nothing yet). False at end of
    /// output.
    bool read_some() {
        if (eof_) return false;
        char chunk[4096];
        ssize_t n = 0;
        do {
            n = ::read(out_, chunk, sizeof chunk);
        } while (n < 0 && errno == EINTR);
        if (n < 0) throw std::runtime_error(errno_text("read"));
        if (n == 0) {
            eof_ = true;
            return false;
        }
        buffer_.append(chunk, static_cast<std::size_t>(n));
        return true;
    }

    /// A complete line already read (without its newline), or nullopt.
    std::optional<std::string> take_line() {
        const auto nl = buffer_.find('\n');
        if (nl == std::string::npos) return std::nullopt;
        std::string line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        return line;
    }

    /// The next complete line, waiting up to `timeout` for it; nullopt at end of output.
    /// Throws when the child printed nothing for that long (a hung child fails, not hangs).
    std::optional<std::string> next_line(std::chrono::milliseconds timeout) {
        for (;;) {
            if (auto line = take_line()) return line;
            if (eof_) return std::nullopt;
            pollfd p{out_, POLLIN, 0};
            const int ready = ::poll(&p, 1, static_cast<int>(timeout.count()));
            if (ready == 0)
                throw std::runtime_error("child " + std::to_string(pid_) + " printed nothing for " +
                                         std::to_string(timeout.count()) + " ms");
            if (ready < 0 && errno != EINTR) throw std::runtime_error(errno_text("poll"));
            if (ready > 0) (void)read_some();
        }
    }

    void kill() const {
        if (pid_ > 0) ::kill(pid_, SIGKILL);
    }

    /// Reaps the child; its wait status.
    int wait() {
        int status = 0;
        while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
        }
        pid_ = -1;
        return status;
    }

    /// "killed by signal 9", "exit status 1": a wait status for a failure message.
    static std::string describe_status(int status) {
        if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
        if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
        return "wait status " + std::to_string(status);
    }

  private:
    static std::string errno_text(const char* what) {
        return std::string(what) + ": " + std::strerror(errno);
    }

    pid_t pid_ = -1;
    int out_ = -1;
    bool eof_ = false;
    std::string buffer_;
};

}  // namespace telecomply::testing
