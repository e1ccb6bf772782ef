// platform/helper_process.hpp on Linux: the walls, each tried in a forked child (they cannot be
// lifted, and this test process must keep reading its files), and the supervisor.

#include "platform/helper_process.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <random>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace warden::platform {
namespace {

namespace fs = std::filesystem;

// Runs `body` in a child; returns what it wrote to `out` (the child's findings), or why not.
std::string in_child(const std::function<void(std::string& out)>& body) {
  int p[2];
  if (::pipe(p) != 0) return "no pipe";
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(p[0]);
    std::string out;
    body(out);
    (void)!::write(p[1], out.data(), out.size());
    ::_exit(0);
  }
  ::close(p[1]);
  std::string out;
  char buf[512];
  for (ssize_t n; (n = ::read(p[0], buf, sizeof buf)) > 0;)
    out.append(buf, static_cast<std::size_t>(n));
  ::close(p[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFEXITED(status))
    out += " [child killed by signal " + std::to_string(WTERMSIG(status)) + "]";
  return out;
}

// "ok" when the file opens for reading, else the errno's name.
std::string try_read(const fs::path& file) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno == EACCES ? "EACCES" : "errno " + std::to_string(errno);
  ::close(fd);
  return "ok";
}

class Walls : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::path(testing::TempDir()) / ("warden-walls-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_ / "state");
    fs::create_directories(dir_ / "conf");
    for (const fs::path& f : {dir_ / "state" / "ca.key", dir_ / "state" / "ca.pem",
                              dir_ / "conf" / "policy.toml", dir_ / "beside.txt"})
      std::ofstream(f) << "x";
    key_ = dir_ / "state" / "ca.key";
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_, key_;
};

TEST_F(Walls, TheKeyIsUnreadableEverythingElseReads) {
  const std::string seen = in_child([&](std::string& out) {
    if (auto ok = forbid_reading(key_, {(dir_ / "conf" / "policy.toml").string()}); !ok) {
      out = "forbid_reading: " + ok.error().context;
      return;
    }
    out += "key " + try_read(key_);
    out += ", cert " + try_read(dir_ / "state" / "ca.pem");
    out += ", policy " + try_read(dir_ / "conf" / "policy.toml");
    out += ", beside " + try_read(dir_ / "beside.txt");
    out += ", /etc/passwd " + try_read("/etc/passwd");
    std::thread([&] { out += ", key from a new thread " + try_read(key_); }).join();
    // Nor through a new name in a folder where reading is allowed.
    const bool linked = ::link(key_.c_str(), (dir_ / "conf" / "k").c_str()) == 0;
    out += linked ? ", linked: " + try_read(dir_ / "conf" / "k") : ", no link";
    // The documented limit: a file made later beside the key.
    std::ofstream(dir_ / "state" / "later.txt") << "x";
    out += ", later " + try_read(dir_ / "state" / "later.txt");
  });
  EXPECT_EQ(seen,
            "key EACCES, cert ok, policy ok, beside ok, /etc/passwd ok, key from a new thread "
            "EACCES, no link, later EACCES");
  EXPECT_EQ(try_read(key_), "ok");  // this process was not walled
}

TEST_F(Walls, AFolderThereNowIsReadableWithWhatIsMadeInItLater) {
  fs::create_directories(dir_ / "state" / "lists");
  const std::string seen = in_child([&](std::string& out) {
    auto ok = forbid_reading(key_, {(dir_ / "state" / "lists").string()});
    out = ok ? "walled" : ok.error().context;
    std::ofstream(dir_ / "state" / "lists" / "new.txt") << "x";
    out += ", new list " + try_read(dir_ / "state" / "lists" / "new.txt");
    out += ", key " + try_read(key_);
  });
  EXPECT_EQ(seen, "walled, new list ok, key EACCES");
}

TEST_F(Walls, AFileReadLaterBesideTheKeyOrAboveItIsRefusedByName) {
  for (const fs::path& later :
       {dir_ / "beside.txt", dir_ / "state" / "policy.toml", dir_ / "state" / "lists", dir_}) {
    const std::string seen = in_child([&](std::string& out) {
      auto ok = forbid_reading(key_, {"/etc/hosts", later.string()});
      out = ok ? "walled" : ok.error().context;
      out += ", key " + try_read(key_);
    });
    EXPECT_NE(seen.find(later.string() + " is in a folder above the CA key"), std::string::npos)
        << seen;
    EXPECT_NE(seen.find("key ok"), std::string::npos) << seen;  // not walled at all
  }
}

TEST(SigningSyscalls, AnythingElseEndsTheProcess) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (!allow_only_signing_syscalls()) ::_exit(3);
    char c = 'x';
    (void)!::write(STDERR_FILENO, &c, 0);  // allowed
    ::socket(AF_INET, SOCK_STREAM, 0);     // not: SIGSYS
    ::_exit(4);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status)) << "exit code " << WEXITSTATUS(status);
  EXPECT_EQ(WTERMSIG(status), SIGSYS);
}

TEST(Supervise, RestartsAChildThatDiesAndStopsWhenItEndsCleanly) {
  const fs::path runs =
      fs::path(testing::TempDir()) / ("warden-supervise-" + std::to_string(std::random_device{}()));
  // A supervisor in a child of its own: its child is killed twice, then ends with 0.
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int code = supervise(
        [&] {
          std::ofstream(runs, std::ios::app) << "r";
          if (fs::file_size(runs) < 3) ::kill(::getpid(), SIGKILL);
          return 0;
        },
        "test child", 2);
    ::_exit(code == 0 ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  std::ifstream in(runs);
  std::string seen;
  in >> seen;
  EXPECT_EQ(seen, "rrr");
  fs::remove(runs);
}

TEST(Supervise, GivesUpOnTheCodeThatSaysRetryingWouldNotHelp) {
  const pid_t pid = ::fork();
  if (pid == 0) ::_exit(supervise([] { return 2; }, "test child", 2));
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 2);
}

}  // namespace
}  // namespace warden::platform
