// The HTTP/2 client adapter against the server adapter, in memory: requests and responses,
// many streams on one connection, large bodies both ways through windows that open only as
// each side consumes, resets and GOAWAY.
#include "http/h2_client.hpp"

#include "http/h2_server.hpp"

#include <gtest/gtest.h>
#include <nghttp2/nghttp2.h>

namespace warden::http::h2 {
namespace {

std::string pattern(std::size_t n, char seed) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i)
    s[i] = static_cast<char>(static_cast<std::size_t>(seed) + (i * 7 + i / 13) % 26);
  return s;
}

// Carries bytes both ways until neither side has anything to say.
void exchange(ClientSession& c, ServerSession& s) {
  for (int round = 0; round < 10'000; ++round) {
    const std::string to_server(c.output());
    c.output_sent(to_server.size());
    if (!to_server.empty()) (void)s.receive(to_server);
    const std::string to_client(s.output());
    s.output_sent(to_client.size());
    if (!to_client.empty()) (void)c.receive(to_client);
    if (to_server.empty() && to_client.empty()) return;
  }
  FAIL() << "the sessions never went quiet";
}

OutgoingRequest get(const std::string& path) {
  return {"GET", "https", "school.test", path, {{"accept", "*/*"}}};
}

TEST(H2Client, ARequestAndItsResponse) {
  ClientSession c;
  ServerSession s;
  const std::int32_t id = c.request(get("/lesson"), true);
  ASSERT_EQ(id, 1);
  exchange(c, s);
  const auto requests = s.take_events();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].request.path, "/lesson");
  EXPECT_EQ(requests[0].request.authority, "school.test");
  EXPECT_EQ(requests[0].request.fields, (Fields{{"accept", "*/*"}}));
  ASSERT_TRUE(s.respond(id, 200, {{"content-type", "text/plain"}}, false));
  ASSERT_TRUE(s.send_data(id, "fractions", true));
  exchange(c, s);
  const auto events = c.take_events();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].kind, ClientEvent::Kind::Response);
  EXPECT_EQ(events[0].response.status, 200u);
  EXPECT_EQ(events[0].response.fields, (Fields{{"content-type", "text/plain"}}));
  EXPECT_EQ(events[1].data, "fractions");
  EXPECT_EQ(events[2].kind, ClientEvent::Kind::EndStream);
}

TEST(H2Client, LargeBodiesBothWaysThroughConsumedWindows) {
  ClientSession c;
  ServerSession s;
  const std::string up = pattern(3 * 1024 * 1024 + 17, 'a');
  const std::string down = pattern(5 * 1024 * 1024 + 3, 'k');
  const std::int32_t id = c.request({"POST", "https", "school.test", "/upload", {}}, false);
  ASSERT_GT(id, 0);
  std::string got_up;
  std::string got_down;
  bool responded = false;
  bool server_done = false;
  bool client_done = false;
  std::size_t sent_up = 0;
  std::size_t sent_down = 0;
  std::size_t max_queued = 0;
  for (int round = 0; round < 100'000 && !client_done; ++round) {
    // Each side writes in 64 KiB steps, and only when its queue has drained (backpressure).
    if (sent_up < up.size() && c.queued_body_bytes() == 0) {
      const std::size_t n = std::min<std::size_t>(64 * 1024, up.size() - sent_up);
      ASSERT_TRUE(
          c.send_data(id, std::string_view(up).substr(sent_up, n), sent_up + n == up.size()));
      sent_up += n;
    }
    exchange(c, s);
    for (const auto& e : s.take_events()) {
      if (e.kind == Event::Kind::Data) {
        got_up += e.data;
        s.consumed(id, e.data.size());
      }
      if (e.kind == Event::Kind::EndStream) server_done = true;
    }
    if (!responded) responded = s.respond(id, 200, {}, false);
    if (responded && sent_down < down.size() && s.queued_body_bytes() == 0) {
      const std::size_t n = std::min<std::size_t>(64 * 1024, down.size() - sent_down);
      ASSERT_TRUE(s.send_data(id, std::string_view(down).substr(sent_down, n),
                              sent_down + n == down.size()));
      sent_down += n;
    }
    max_queued = std::max({max_queued, s.queued_body_bytes(), c.queued_body_bytes()});
    exchange(c, s);
    for (const auto& e : c.take_events()) {
      if (e.kind == ClientEvent::Kind::Data) {
        got_down += e.data;
        c.consumed(id, e.data.size());
      }
      if (e.kind == ClientEvent::Kind::EndStream) client_done = true;
    }
  }
  EXPECT_TRUE(server_done);
  EXPECT_TRUE(client_done);
  EXPECT_TRUE(got_up == up) << got_up.size() << " of " << up.size();
  EXPECT_TRUE(got_down == down) << got_down.size() << " of " << down.size();
  EXPECT_LE(max_queued, 64u * 1024);
}

TEST(H2Client, InformationalResponsesAndTrailersBothWays) {
  ClientSession c;
  ServerSession s;
  const std::int32_t id =
      c.request({"POST", "https", "school.test", "/grpc", {{"te", "trailers"}}}, false);
  ASSERT_TRUE(c.send_data(id, "question", false));
  ASSERT_TRUE(c.send_trailers(id, {{"x-checksum", "abc"}}));
  exchange(c, s);
  const auto in = s.take_events();
  ASSERT_GE(in.size(), 3u);
  EXPECT_EQ(in[0].kind, Event::Kind::Request);
  EXPECT_EQ(in[1].data, "question");
  EXPECT_EQ(in.back().kind, Event::Kind::EndStream);  // the trailers ended the request
  ASSERT_TRUE(s.inform(id, 103, {{"link", "</style.css>; rel=preload"}}));
  ASSERT_TRUE(s.respond(id, 200, {{"content-type", "application/grpc"}}, false));
  ASSERT_TRUE(s.send_data(id, "answer", false));
  ASSERT_TRUE(s.send_trailers(id, {{"grpc-status", "0"}}));
  EXPECT_FALSE(s.send_data(id, "late", true));  // the body has ended
  exchange(c, s);
  const auto out = c.take_events();
  ASSERT_EQ(out.size(), 5u);
  EXPECT_EQ(out[0].kind, ClientEvent::Kind::Informational);
  EXPECT_EQ(out[0].response.status, 103u);
  EXPECT_EQ(out[1].kind, ClientEvent::Kind::Response);
  EXPECT_EQ(out[1].response.status, 200u);
  EXPECT_EQ(out[2].data, "answer");
  EXPECT_EQ(out[3].kind, ClientEvent::Kind::Trailers);
  EXPECT_EQ(out[3].response.fields, (Fields{{"grpc-status", "0"}}));
  EXPECT_EQ(out[4].kind, ClientEvent::Kind::EndStream);
}

TEST(H2Client, ManyStreamsShareOneConnection) {
  ClientSession c;
  ServerSession s;
  std::vector<std::int32_t> ids;
  for (int i = 0; i < 50; ++i) ids.push_back(c.request(get("/r" + std::to_string(i)), true));
  exchange(c, s);
  const auto requests = s.take_events();
  ASSERT_EQ(requests.size(), 50u);
  for (const auto& r : requests) {
    ASSERT_TRUE(s.respond(r.stream, 200, {}, false));
    ASSERT_TRUE(s.send_data(r.stream, r.request.path, true));
  }
  exchange(c, s);
  std::map<std::int32_t, std::string> bodies;
  for (const auto& e : c.take_events())
    if (e.kind == ClientEvent::Kind::Data) bodies[e.stream] += e.data;
  ASSERT_EQ(bodies.size(), 50u);
  for (int i = 0; i < 50; ++i)
    EXPECT_EQ(bodies[ids[static_cast<std::size_t>(i)]], "/r" + std::to_string(i));
}

TEST(H2Client, ResetsAndGoawayReachTheClient) {
  ClientSession c;
  ServerSession s;
  const std::int32_t a = c.request(get("/a"), true);
  const std::int32_t b = c.request(get("/b"), true);
  exchange(c, s);
  (void)s.take_events();
  s.reset(a, NGHTTP2_REFUSED_STREAM);
  ASSERT_TRUE(s.respond(b, 204, {}, true));
  exchange(c, s);
  bool reset = false;
  bool answered = false;
  for (const auto& e : c.take_events()) {
    reset = reset || (e.kind == ClientEvent::Kind::Reset && e.stream == a &&
                      e.error_code == NGHTTP2_REFUSED_STREAM);
    answered = answered || (e.kind == ClientEvent::Kind::Response && e.stream == b &&
                            e.response.status == 204 && e.response.end_stream);
  }
  EXPECT_TRUE(reset);
  EXPECT_TRUE(answered);
  EXPECT_TRUE(c.can_open());
  // The server going away: the client is told and opens no more streams there.
  ServerSession closing;
  ClientSession d;
  (void)d.request(get("/x"), true);
  exchange(d, closing);
  (void)closing.take_events();
  std::string goaway("\0\0\x08\x07\0\0\0\0\0\0\0\0\x01\0\0\0\0", 17);
  ASSERT_TRUE(d.receive(goaway));
  bool told = false;
  for (const auto& e : d.take_events()) told = told || e.kind == ClientEvent::Kind::GoAway;
  EXPECT_TRUE(told);
  EXPECT_FALSE(d.can_open());
  EXPECT_EQ(d.request(get("/y"), true), -1);
}

}  // namespace
}  // namespace warden::http::h2
