// Writing files durably (lib/base/file_io.hpp).

#include "base/file_io.hpp"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>

#include <fcntl.h>
#include <unistd.h>

namespace telecomply::detail {

namespace {

namespace fs = std::filesystem;

[[noreturn]] void os_fail(errc code, const std::string& doing, const fs::path& file) {
    const std::string message =
        "cannot " + doing + " '" + file.string() + "': " + std::strerror(errno);
    if (code == errc::calendar_error) throw calendar_error(message);
    if (code == errc::seal_error) throw seal_error(message);
    throw store_error(message);
}

// Writes all of `bytes` to `fd` and syncs it; closes it. On failure removes `file` and throws.
void write_all(int fd, std::string_view bytes, const fs::path& file, errc code) {
    std::size_t done = 0;
    while (done < bytes.size()) {
        const auto n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            const int err = errno;
            ::close(fd);
            ::unlink(file.c_str());
            errno = err;
            os_fail(code, "write", file);
        }
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        const int err = errno;
        ::unlink(file.c_str());
        errno = err;
        os_fail(code, "write", file);
    }
}

// The folder's entries are durable once it is synced (a new name, a rename).
void sync_folder(const fs::path& file) {
    const fs::path parent = file.parent_path().empty() ? fs::path(".") : file.parent_path();
    const int dir = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
        (void)::fsync(dir);
        ::close(dir);
    }
}

}  // namespace

void replace_file(const fs::path& target, std::string_view bytes, errc code) {
    std::error_code ec;
    const fs::path real = fs::is_symlink(target, ec) ? fs::canonical(target) : target;
    static std::atomic<unsigned> counter{0};
    const fs::path tmp =
        real.parent_path() / ("." + real.filename().string() + ".tmp-" +
                              std::to_string(::getpid()) + "-" + std::to_string(counter++));
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) os_fail(code, "create", tmp);
    write_all(fd, bytes, tmp, code);
    if (::rename(tmp.c_str(), real.c_str()) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        errno = err;
        os_fail(code, "replace", real);
    }
    sync_folder(real);
}

void create_file(const fs::path& file, std::string_view bytes, mode_t mode, errc code) {
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) os_fail(code, "create", file);
    write_all(fd, bytes, file, code);
    sync_folder(file);
}

}  // namespace telecomply::detail
