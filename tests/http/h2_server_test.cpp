// The HTTP/2 server adapter on byte strings: requests and responses, flow control opening only
// as the application consumes, and each attack of ../shared/SECURITY.md c.2 that is decided in
// the adapter, at the volume given there, answered with GOAWAY ENHANCE_YOUR_CALM (or a refused
// stream) in bounded time.
#include "http/h2_server.hpp"

#include "h2_frames.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace warden::http::h2 {
namespace {

using namespace test;

std::vector<Event> of_kind(const std::vector<Event>& events, Event::Kind k) {
  std::vector<Event> out;
  for (const auto& e : events)
    if (e.kind == k) out.push_back(e);
  return out;
}

TEST(H2Server, ARequestBecomesAnEventAndTheResponseGoesOut) {
  ServerSession s;
  Encoder enc;
  ASSERT_TRUE(s.receive(opening() + enc.get(1, "/lesson?id=3")));
  const auto events = s.take_events();
  ASSERT_EQ(events.size(), 1u);
  const Request& r = events[0].request;
  EXPECT_EQ(events[0].kind, Event::Kind::Request);
  EXPECT_EQ(r.stream, 1);
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.scheme, "https");
  EXPECT_EQ(r.authority, "school.test");
  EXPECT_EQ(r.path, "/lesson?id=3");
  EXPECT_TRUE(r.end_stream);
  ASSERT_EQ(r.fields.size(), 1u);
  EXPECT_EQ(r.fields[0], (std::pair<std::string, std::string>{"user-agent", "test"}));

  ASSERT_TRUE(s.respond(1, 200, {{"content-type", "text/plain"}}, false));
  ASSERT_TRUE(s.send_data(1, "hello", false));
  ASSERT_TRUE(s.send_data(1, " pupil", true));
  const std::string out(take_output(s));
  s.output_sent(out.size());
  std::string body;
  bool headers = false;
  bool ended = false;
  for (const auto& f : frames(out)) {
    if (f.type == NGHTTP2_HEADERS && f.stream == 1) headers = true;
    if (f.type == NGHTTP2_DATA && f.stream == 1) {
      body += f.payload;
      ended = ended || (f.flags & NGHTTP2_FLAG_END_STREAM) != 0;
    }
  }
  EXPECT_TRUE(headers);
  EXPECT_EQ(body, "hello pupil");
  EXPECT_TRUE(ended);
  EXPECT_TRUE(s.output().empty());
}

TEST(H2Server, TheServerAdvertisesItsLimits) {
  ServerSession s;
  ASSERT_TRUE(s.receive(opening()));
  const auto out = frames(take_output(s));
  ASSERT_FALSE(out.empty());
  ASSERT_EQ(out[0].type, NGHTTP2_SETTINGS);
  std::map<int, std::uint32_t> settings;
  for (std::size_t i = 0; i + 6 <= out[0].payload.size(); i += 6) {
    const auto p = [&](std::size_t j) { return static_cast<std::uint8_t>(out[0].payload[i + j]); };
    settings[(p(0) << 8) | p(1)] = (std::uint32_t{p(2)} << 24) | (std::uint32_t{p(3)} << 16) |
                                   (std::uint32_t{p(4)} << 8) | p(5);
  }
  EXPECT_EQ(settings[NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS], 100u);
  EXPECT_EQ(settings[NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE], 64u * 1024);
  EXPECT_EQ(settings[NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE], 64u * 1024);
  EXPECT_EQ(settings[NGHTTP2_SETTINGS_NO_RFC7540_PRIORITIES], 1u);
}

TEST(H2Server, RequestBodiesArriveAndTheWindowOpensOnlyAsTheyAreConsumed) {
  ServerSession s;
  Encoder enc;
  // The client acknowledges our SETTINGS (so our 64 KiB window applies), then fills it.
  std::string bytes =
      opening() + frame(NGHTTP2_SETTINGS, NGHTTP2_FLAG_ACK, 0, "") + enc.get(1, "/upload", false);
  const std::string chunk(16 * 1024, 'x');
  for (int i = 0; i < 4; ++i) bytes += frame(NGHTTP2_DATA, 0, 1, chunk);
  ASSERT_TRUE(s.receive(bytes));
  auto events = s.take_events();
  std::size_t got = 0;
  for (const auto& e : of_kind(events, Event::Kind::Data)) got += e.data.size();
  EXPECT_EQ(got, 64u * 1024);
  // Not consumed: no WINDOW_UPDATE goes out, so a well-behaved client stops here.
  for (const auto& f : frames(take_output(s)))
    EXPECT_FALSE(f.type == NGHTTP2_WINDOW_UPDATE && f.stream == 1)
        << "window opened before the data was consumed";
  s.output_sent(s.output().size());
  s.consumed(1, got);
  bool opened = false;
  for (const auto& f : frames(take_output(s)))
    opened = opened || (f.type == NGHTTP2_WINDOW_UPDATE && f.stream == 1);
  EXPECT_TRUE(opened);
  s.output_sent(s.output().size());
  ASSERT_TRUE(s.receive(frame(NGHTTP2_DATA, NGHTTP2_FLAG_END_STREAM, 1, "end")));
  events = s.take_events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].data, "end");
  EXPECT_EQ(events[1].kind, Event::Kind::EndStream);
}

TEST(H2Server, DataBeyondTheWindowIsAFlowControlError) {
  ServerSession s;
  Encoder enc;
  std::string bytes =
      opening() + frame(NGHTTP2_SETTINGS, NGHTTP2_FLAG_ACK, 0, "") + enc.get(1, "/upload", false);
  const std::string chunk(16 * 1024, 'x');
  for (int i = 0; i < 5; ++i) bytes += frame(NGHTTP2_DATA, 0, 1, chunk);  // 80 KiB > 64 KiB
  (void)s.receive(bytes);
  bool reset = false;
  for (const auto& f : frames(take_output(s)))
    reset = reset || ((f.type == NGHTTP2_RST_STREAM || f.type == NGHTTP2_GOAWAY) &&
                      f.payload.find(u32(NGHTTP2_FLOW_CONTROL_ERROR)) != std::string::npos);
  EXPECT_TRUE(reset);
}

TEST(H2Server, H01RapidResetEndsTheConnection) {
  ServerSession s;
  Encoder enc;
  std::string bytes = opening();
  for (std::uint32_t id = 1, n = 0; n < 100'000; id += 2, ++n)
    bytes += enc.get(id, "/", false) + frame(NGHTTP2_RST_STREAM, 0, id, u32(NGHTTP2_CANCEL));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(s.receive(bytes));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_EQ(goaway_code(take_output(s)), NGHTTP2_ENHANCE_YOUR_CALM);
  EXPECT_EQ(s.goaway_code(), NGHTTP2_ENHANCE_YOUR_CALM);
  // The budget refills with time: a client resetting now and then is never cut off.
  ServerSession::Clock::time_point now{};
  ServerSession patient({}, [&] { return now; });
  std::string opening_bytes = opening();
  ASSERT_TRUE(patient.receive(opening_bytes));
  Encoder enc2;
  for (std::uint32_t id = 1; id < 2 * 3000; id += 2) {
    now += std::chrono::milliseconds(50);  // 20 resets a second, under the 33/s budget
    ASSERT_TRUE(patient.receive(enc2.get(id, "/", false) +
                                frame(NGHTTP2_RST_STREAM, 0, id, u32(NGHTTP2_CANCEL))))
        << id;
    patient.output_sent(patient.output().size());
  }
}

TEST(H2Server, H03ContinuationFloodEndsTheConnection) {
  for (const std::size_t size : {std::size_t{0}, std::size_t{16 * 1024}}) {
    ServerSession s;
    Encoder enc;
    std::string bytes = opening() + frame(NGHTTP2_HEADERS, 0, 1, enc.block({{":method", "GET"}}));
    const std::string cont = frame(NGHTTP2_CONTINUATION, 0, 1, std::string(size, 'a'));
    const std::size_t count = size == 0 ? 1'000'000 : 1000;
    bytes.reserve(bytes.size() + count * cont.size());
    for (std::size_t i = 0; i < count; ++i) bytes += cont;
    const auto start = std::chrono::steady_clock::now();
    EXPECT_FALSE(s.receive(bytes)) << size;
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
    EXPECT_EQ(goaway_code(take_output(s)), NGHTTP2_ENHANCE_YOUR_CALM) << size;
    EXPECT_TRUE(of_kind(s.take_events(), Event::Kind::Request).empty());
  }
}

TEST(H2Server, H04HpackBombResetsTheStreamWithoutARequest) {
  ServerSession s;
  Encoder enc;
  // One 3 KB field (small enough to enter the dynamic table), then a block referencing it
  // ten thousand times: 1 byte each on the wire, 30 MB decoded.
  const std::string big(3000, 'b');
  std::vector<std::pair<std::string, std::string>> fields = {
      {":method", "GET"}, {":scheme", "https"}, {":authority", "a.test"}, {":path", "/"}};
  fields.emplace_back("x-big", big);
  std::string bytes =
      opening() + frame(NGHTTP2_HEADERS, NGHTTP2_FLAG_END_HEADERS | NGHTTP2_FLAG_END_STREAM, 1,
                        enc.block(fields));
  for (int i = 0; i < 10'000; ++i) fields.emplace_back("x-big", big);
  const std::string bomb = enc.block(fields);
  EXPECT_LT(bomb.size(), 16u * 1024) << "the bomb should be small on the wire";
  bytes += frame(NGHTTP2_HEADERS, NGHTTP2_FLAG_END_HEADERS | NGHTTP2_FLAG_END_STREAM, 3, bomb);
  (void)s.receive(bytes);
  const auto events = s.take_events();
  const auto requests = of_kind(events, Event::Kind::Request);
  ASSERT_EQ(requests.size(), 1u);  // the first, normal one only
  EXPECT_EQ(requests[0].stream, 1);
  bool reset = false;
  for (const auto& f : frames(take_output(s)))
    reset = reset || (f.type == NGHTTP2_RST_STREAM && f.stream == 3);
  EXPECT_TRUE(reset);
}

TEST(H2Server, H05H06SettingsAndPingFloodsEndTheConnection) {
  for (const std::string& f :
       {frame(NGHTTP2_SETTINGS, 0, 0, ""), frame(NGHTTP2_PING, 0, 0, std::string(8, '\0'))}) {
    ServerSession s;
    std::string bytes = opening();
    for (int i = 0; i < 100'000; ++i) bytes += f;
    // Never reading what the server writes: its queue of ACKs must not grow without bound.
    EXPECT_FALSE(s.receive(bytes));
    EXPECT_EQ(goaway_code(take_output(s)), NGHTTP2_ENHANCE_YOUR_CALM);
  }
}

TEST(H2Server, H08EmptyFrameFloodEndsTheConnection) {
  ServerSession s;
  Encoder enc;
  std::string bytes = opening() + enc.get(1, "/", false);
  for (int i = 0; i < 100'000; ++i) bytes += frame(NGHTTP2_DATA, 0, 1, "");
  EXPECT_FALSE(s.receive(bytes));
  EXPECT_EQ(goaway_code(take_output(s)), NGHTTP2_ENHANCE_YOUR_CALM);
}

TEST(H2Server, H09PriorityFloodEndsTheConnection) {
  ServerSession s;
  std::string bytes = opening();
  for (std::uint32_t i = 0; i < 100'000; ++i)
    bytes += frame(NGHTTP2_PRIORITY, 0, 2 * (i % 1000) + 1, u32(0) + std::string(1, '\x10'));
  EXPECT_FALSE(s.receive(bytes));
  EXPECT_EQ(goaway_code(take_output(s)), NGHTTP2_ENHANCE_YOUR_CALM);
}

TEST(H2Server, H11EmptyHeaderNamesAreRefused) {
  ServerSession s;
  Encoder enc;
  const std::string block = enc.block({{":method", "GET"},
                                       {":scheme", "https"},
                                       {":authority", "a.test"},
                                       {":path", "/"},
                                       {"", "x"}});
  (void)s.receive(opening() + frame(NGHTTP2_HEADERS,
                                    NGHTTP2_FLAG_END_HEADERS | NGHTTP2_FLAG_END_STREAM, 1, block));
  EXPECT_TRUE(of_kind(s.take_events(), Event::Kind::Request).empty());
}

TEST(H2Server, H12StreamsBeyondTheLimitAreRefused) {
  ServerSession s;
  Encoder enc;
  ASSERT_TRUE(s.receive(opening()));
  s.output_sent(s.output().size());
  // The client acknowledges our SETTINGS, then opens 101 streams.
  std::string bytes = frame(NGHTTP2_SETTINGS, NGHTTP2_FLAG_ACK, 0, "");
  for (std::uint32_t id = 1; id <= 2 * 101; id += 2) bytes += enc.get(id, "/", false);
  (void)s.receive(bytes);
  EXPECT_EQ(of_kind(s.take_events(), Event::Kind::Request).size(), 100u);
  bool refused = false;
  const std::string out = take_output(s);
  for (const auto& f : frames(out))
    refused = refused || (f.type == NGHTTP2_RST_STREAM && f.stream == 201 &&
                          f.payload == u32(NGHTTP2_REFUSED_STREAM));
  // Once our SETTINGS are acknowledged, nghttp2 treats the extra stream as a connection error.
  EXPECT_FALSE(refused);
  EXPECT_EQ(goaway_code(out), NGHTTP2_PROTOCOL_ERROR);
}

TEST(H2Server, NotHttp2IsRefused) {
  ServerSession s;
  EXPECT_FALSE(s.receive("GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
  EXPECT_TRUE(s.take_events().empty());
}

// Every recorded h2spec stream (../shared/datasets/h2spec-corpus) goes through without a crash
// or a hang; where the session ends, it says so with a GOAWAY or by refusing the preface.
TEST(H2Server, ReplaysTheH2specCorpus) {
  const std::filesystem::path corpus =
      std::filesystem::path(WARDEN_SOURCE_DIR) / ".." / "shared" / "datasets" / "h2spec-corpus";
  if (!std::filesystem::is_directory(corpus))
    GTEST_SKIP() << corpus << " is not here (CI and the team's machines have ../shared)";
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(corpus)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    ServerSession s;
    const auto start = std::chrono::steady_clock::now();
    (void)s.receive(bytes.str());
    (void)s.take_events();
    (void)s.output();
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2)) << entry.path();
    ++files;
  }
  EXPECT_GT(files, 100u);
}

}  // namespace
}  // namespace warden::http::h2
