#include "capture/packet/packet_loop.hpp"

#include "platform/os.hpp"

#include <spdlog/spdlog.h>

namespace warden::capture::packet {
namespace {

constexpr std::size_t kBatch = 64;
constexpr std::chrono::milliseconds kWait{200};

}  // namespace

PacketLoop::PacketLoop(std::unique_ptr<PacketIo> io, ReflectorSettings settings,
                       ReflectionTable& table)
    : io_(std::move(io)), reflector_(std::move(settings), table), table_(table) {}

PacketLoop::~PacketLoop() { stop(); }

void PacketLoop::start() {
  thread_ = std::thread([this] { run(); });
}

void PacketLoop::stop() {
  stopping_ = true;
  if (thread_.joinable()) {
    io_->wake();
    thread_.join();
  }
}

ReflectorStats PacketLoop::stats() const {
  const std::lock_guard lock(stats_mutex_);
  return published_;
}

void PacketLoop::run() {
  platform::set_thread_name("warden-packets");  // for top, perf and bench/
  std::vector<Packet> batch(kBatch);
  for (auto& p : batch) p.bytes.reserve(io_->max_packet());
  PacketBytes reply;
  Clock::time_point next_sweep = Clock::now() + std::chrono::seconds(1);
  Clock::time_point next_warning{};
  std::uint64_t full_seen = 0;
  std::uint64_t drops_seen = 0;
  while (!stopping_) {
    auto received = io_->receive(batch, kWait);
    if (!received) {
      spdlog::error("packet path: {}; stopping it", received.error().context);
      break;
    }
    const Clock::time_point now = Clock::now();
    last_turn_.store(now.time_since_epoch().count(), std::memory_order_relaxed);
    // What is to be sent is moved to the front of the batch (buffers swapped, never copied).
    std::size_t sending = 0;
    for (std::size_t i = 0; i < *received; ++i) {
      Packet& p = batch[i];
      const Verdict v = reflector_.process(p.bytes, p.checksums, now, reply);
      if (v == Verdict::Drop || (v == Verdict::Pass && !io_->can_pass())) continue;
      if (v == Verdict::Reply) {
        p.bytes.swap(reply);
        p.offload = {};  // ours: whole, checksummed
      }
      p.inbound = v != Verdict::Pass;
      if (i != sending) std::swap(batch[sending], p);
      ++sending;
    }
    io_->send(std::span<const Packet>(batch.data(), sending));
    if (now >= next_sweep) {
      table_.expire(now);
      next_sweep = now + std::chrono::seconds(1);
      const ReflectorStats& s = reflector_.stats();
      {
        const std::lock_guard lock(stats_mutex_);
        published_ = s;
      }
      if ((s.table_full != full_seen || io_->send_drops() != drops_seen) && now >= next_warning) {
        spdlog::warn(
            "packet path: {} connections refused with the table full ({} entries), "
            "{} packets dropped by a full queue",
            s.table_full - full_seen, table_.size(), io_->send_drops() - drops_seen);
        full_seen = s.table_full;
        drops_seen = io_->send_drops();
        next_warning = now + std::chrono::minutes(1);
      }
    }
  }
}

}  // namespace warden::capture::packet
