// SignIn: answers from its cache for the TTL and asks the directory otherwise, on its own
// threads; a directory that cannot say is Unavailable (fail closed); too many checks at once
// are refused rather than queued; the cache holds no password and forgets on expiry.
#include "identity/sign_in.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace warden::identity {
namespace {

using namespace std::chrono_literals;
using Status = CheckResult::Status;

// A directory that knows ann/secret (groups year7, choir), counts its checks and can be told
// to be down or to hold every check until released.
class FakeDirectory final : public Directory {
 public:
  CheckResult check(std::string_view user, std::string_view password) const override {
    checks.fetch_add(1);
    checked_on = std::this_thread::get_id();
    {
      std::unique_lock lock(mutex);
      held.fetch_add(1);
      released.wait(lock, [&] { return !hold; });
    }
    CheckResult r;
    if (down) {
      r.status = Status::Unavailable;
      r.why = "the directory did not answer";
    } else if (user == "ann" && password == "secret") {
      r.status = Status::SignedIn;
      r.identity = {"ann", {"year7", "choir"}};
    }
    return r;
  }
  std::string describe() const override { return "fake"; }
  void release() {
    {
      std::lock_guard lock(mutex);
      hold = false;
    }
    released.notify_all();
  }

  mutable std::atomic<int> checks{0};
  mutable std::atomic<int> held{0};
  mutable std::thread::id checked_on;
  std::atomic<bool> down{false};
  mutable std::mutex mutex;
  mutable std::condition_variable released;
  bool hold = false;
};

// As the flow asks: the cache, else a check.
SignInResult check(SignIn& s, std::string user, std::string password) {
  const BasicCredentials c{std::move(user), std::move(password)};
  const std::string value = basic_credentials_value(c);
  if (auto known = s.cached(value)) return *known;
  net::asio::io_context io;
  auto f = net::asio::co_spawn(io, s.check(c, value), net::asio::use_future);
  io.run();
  return f.get();
}

struct Fixture {
  explicit Fixture(SignInSettings settings = {}) {
    auto d = std::make_unique<FakeDirectory>();
    directory = d.get();
    sign_in = std::make_unique<SignIn>(std::move(d), settings);
  }
  FakeDirectory* directory;
  std::unique_ptr<SignIn> sign_in;
};

TEST(SignIn, ARightPasswordSignsInOnAnotherThreadThenComesFromTheCache) {
  Fixture f;
  const SignInResult first = check(*f.sign_in, "ann", "secret");
  ASSERT_EQ(first.status, Status::SignedIn);
  ASSERT_TRUE(first.identity);
  EXPECT_EQ(first.identity->user, "ann");
  EXPECT_EQ(first.identity->groups, (std::vector<std::string>{"year7", "choir"}));
  EXPECT_NE(f.directory->checked_on, std::this_thread::get_id());
  const SignInResult again = check(*f.sign_in, "ann", "secret");
  EXPECT_EQ(again.status, Status::SignedIn);
  EXPECT_EQ(again.identity, first.identity);
  EXPECT_EQ(f.directory->checks.load(), 1);
}

TEST(SignIn, AWrongPasswordIsRefusedAndNeverCached) {
  Fixture f;
  EXPECT_EQ(check(*f.sign_in, "ann", "guess").status, Status::Refused);
  EXPECT_EQ(check(*f.sign_in, "ann", "guess").status, Status::Refused);
  EXPECT_EQ(f.directory->checks.load(), 2);
  EXPECT_EQ(f.sign_in->cached(), 0u);
  // A cached sign-in is not a way in with another password.
  ASSERT_EQ(check(*f.sign_in, "ann", "secret").status, Status::SignedIn);
  EXPECT_EQ(check(*f.sign_in, "ann", "secret2").status, Status::Refused);
}

TEST(SignIn, ADirectoryThatCannotSayIsUnavailableNotOpen) {
  Fixture f;
  f.directory->down = true;
  const SignInResult r = check(*f.sign_in, "ann", "secret");
  EXPECT_EQ(r.status, Status::Unavailable);
  EXPECT_EQ(r.identity, nullptr);
  EXPECT_EQ(r.why, "the directory did not answer");
}

TEST(SignIn, TheCacheForgetsAfterItsTtl) {
  SignInSettings settings;
  settings.cache_ttl = 500ms;  // (long enough for the second check on a slow machine)
  Fixture f(settings);
  ASSERT_EQ(check(*f.sign_in, "ann", "secret").status, Status::SignedIn);
  f.directory->down = true;  // from now on only the cache can say yes
  EXPECT_EQ(check(*f.sign_in, "ann", "secret").status, Status::SignedIn);
  const auto until = net::Clock::now() + 5s;
  Status s = Status::SignedIn;
  while (s == Status::SignedIn && net::Clock::now() < until)
    s = check(*f.sign_in, "ann", "secret").status;
  EXPECT_EQ(s, Status::Unavailable);
}

TEST(SignIn, TooManyChecksAtOnceAreRefusedNotQueued) {
  SignInSettings settings;
  settings.threads = 1;
  settings.max_pending = 2;
  Fixture f(settings);
  f.directory->hold = true;
  net::asio::io_context io;
  std::vector<std::future<SignInResult>> waiting;
  for (int i = 0; i < 2; ++i)
    waiting.push_back(net::asio::co_spawn(
        io, f.sign_in->check({"ann", "secret"}, basic_credentials_value({"ann", "secret"})),
        net::asio::use_future));
  std::thread runner([&] { io.run(); });
  // Two are taken (one held in the directory, one queued behind it): the third is refused.
  const auto until = net::Clock::now() + 5s;
  while ((f.directory->held.load() < 1 || f.sign_in->pending() < 2) && net::Clock::now() < until)
    std::this_thread::yield();
  if (f.sign_in->pending() != 2u) {
    f.directory->release();
    runner.join();
    FAIL() << "the two checks were not both taken within 5 s";
  }
  const SignInResult third = check(*f.sign_in, "ann", "secret");
  EXPECT_EQ(third.status, Status::Unavailable);
  EXPECT_EQ(third.why, "too many sign-ins are being checked at once");
  f.directory->release();
  runner.join();
  for (auto& w : waiting) EXPECT_EQ(w.get().status, Status::SignedIn);
}

TEST(SignInCache, KeysAreDigestsThatDifferForEveryPairAndEveryStart) {
  SignInCache cache(1min);
  const std::string value = basic_credentials_value({"ann", "secret"});
  const std::string k = cache.key(value);
  EXPECT_EQ(k.size(), 32u);
  EXPECT_EQ(k, cache.key(value));
  EXPECT_NE(k, cache.key(basic_credentials_value({"ann", "secreT"})));
  EXPECT_NE(k, SignInCache(1min).key(value));  // a key of its own per start
}

TEST(SignInCache, StaysBounded) {
  SignInCache cache(1min);
  auto identity = std::make_shared<const Identity>();
  const auto now = net::Clock::now();
  for (std::size_t i = 0; i <= SignInCache::kMaxEntries; ++i)
    cache.put(cache.key("Basic user" + std::to_string(i)), identity, now);
  EXPECT_LE(cache.size(), SignInCache::kMaxEntries);
}

}  // namespace
}  // namespace warden::identity
