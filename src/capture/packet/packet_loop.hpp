#pragma once
// The packet path's own thread: receives batches from a PacketIo, runs each packet through the
// Reflector, sends the results, and once a second expires finished connections from the table.
// It never blocks a worker; a burst it cannot keep up with is dropped by the backend's bounded
// queue (TCP recovers) rather than queued here. Trouble (a full table) is logged at most once a
// minute. Lifecycle: start() once, stop() (idempotent) joins the thread.

#include "capture/packet/packet_io.hpp"
#include "capture/packet/reflector.hpp"

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>

namespace warden::capture::packet {

class PacketLoop {
 public:
  PacketLoop(std::unique_ptr<PacketIo> io, ReflectorSettings settings, ReflectionTable& table);
  ~PacketLoop();
  PacketLoop(const PacketLoop&) = delete;
  PacketLoop& operator=(const PacketLoop&) = delete;

  void start();
  void stop();
  // Whether the loop has gone round since `since` (it wakes at least every 200 ms, packets or
  // not); false once it has stopped on an error. Any thread: the service watchdog asks.
  [[nodiscard]] bool turned_since(Clock::time_point since) const {
    return Clock::time_point(Clock::duration(last_turn_.load(std::memory_order_relaxed))) >= since;
  }
  // A copy of the reflector's counters (read by another thread).
  [[nodiscard]] ReflectorStats stats() const;

 private:
  void run();

  std::unique_ptr<PacketIo> io_;
  Reflector reflector_;
  ReflectionTable& table_;
  std::atomic<bool> stopping_{false};
  std::atomic<Clock::rep> last_turn_{0};
  std::thread thread_;
  mutable std::mutex stats_mutex_;
  ReflectorStats published_;
};

}  // namespace warden::capture::packet
