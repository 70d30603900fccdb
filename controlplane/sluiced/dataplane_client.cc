// SPDX-License-Identifier: BSD-3-Clause
#include "sluiced/dataplane_client.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace sluice::sluiced {

namespace {
constexpr uint64_t kReconnectMs = 1000;
constexpr uint64_t kStatsMs = 1000;
// A refused state is sent again this often while it is still the desired one: what made
// the dataplane refuse it (ids still reserved for old flows) may pass.
constexpr uint64_t kRetryRefusedMs = 10'000;
}  // namespace

DataplaneClient::~DataplaneClient() {
  if (fd_ >= 0) ::close(fd_);
}

void DataplaneClient::connect(uint64_t now_ms) {
  next_connect_ms_ = now_ms + kReconnectMs;
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path_.c_str());
  // A local socket connects or fails at once; no need for a non-blocking connect.
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    std::string error = "cannot reach the dataplane at " + path_ + ": " + std::strerror(errno);
    if (error != last_error_) std::fprintf(stderr, "sluiced: %s\n", error.c_str());
    last_error_ = error;
    ::close(fd);
    return;
  }
  fd_ = fd;
  ++connection_;
  decoder_ = {};
  acknowledged_.clear();
  in_flight_.clear();
  refused_.clear();
  refusal_.clear();
  last_error_.clear();
  std::fprintf(stderr, "sluiced: connected to the dataplane at %s\n", path_.c_str());
}

void DataplaneClient::disconnect(const std::string& why) {
  if (fd_ < 0) return;
  std::fprintf(stderr,
               "sluiced: dataplane channel closed: %s; it keeps forwarding with its "
               "last state, reconnecting\n",
               why.c_str());
  last_error_ = why;
  ::close(fd_);
  fd_ = -1;
  std::deque<Outstanding> unanswered = std::move(outstanding_);
  outstanding_.clear();
  for (Outstanding& o : unanswered)
    if (o.done) o.done(nullptr, "the dataplane channel closed: " + why);
}

void DataplaneClient::send(channel::MessageType type, const std::string& payload, Answer done,
                           uint64_t deadline_ms) {
  const bool question = done != nullptr;
  outstanding_.push_back({question, std::move(done), deadline_ms});
  std::string bytes = channel::encode(type, payload);
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      disconnect(std::string("send: ") + std::strerror(errno));
      return;
    }
    sent += size_t(n);
  }
}

bool DataplaneClient::should_send(uint64_t now_ms) const {
  return connected() && in_flight_.empty() && !desired_.empty() && desired_ != acknowledged_ &&
         (desired_ != refused_ || now_ms >= retry_refused_ms_);
}

void DataplaneClient::send_desired() {
  in_flight_ = desired_;
  send(channel::MessageType::kDesiredState, desired_);
}

void DataplaneClient::set_desired_state(std::string toml) {
  desired_ = std::move(toml);
  if (should_send(0)) send_desired();
}

DataplaneClient::Sync DataplaneClient::sync() const {
  if (!connected()) return Sync::kDisconnected;
  if (!refused_.empty() && desired_ == refused_) return Sync::kRefused;
  if (desired_ != acknowledged_) return Sync::kPending;
  return Sync::kInSync;
}

void DataplaneClient::announce(const std::vector<std::string>& vip_names) {
  if (!connected()) return;
  std::string payload;
  for (const std::string& name : vip_names) payload += name + "\n";
  // An empty list would announce every VIP; an instance always names its own.
  if (!payload.empty()) send(channel::MessageType::kAnnounce, payload);
}

void DataplaneClient::ask(channel::MessageType type, const std::string& payload, uint64_t now_ms,
                          Answer done) {
  if (!connected()) return done(nullptr, "the dataplane is not connected");
  send(type, payload, std::move(done), now_ms + kAskTimeoutMs);
}

void DataplaneClient::on_readable(uint64_t now_ms) {
  if (fd_ < 0) return;
  char buf[65536];
  ssize_t n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
  if (n == 0) return disconnect("the dataplane closed it");
  if (n < 0) {
    if (errno != EAGAIN && errno != EINTR) disconnect(std::string("recv: ") + std::strerror(errno));
    return;
  }
  decoder_.feed(buf, size_t(n));
  channel::Message m;
  std::string error;
  for (;;) {
    auto status = decoder_.next(m, error);
    if (status == channel::Decoder::Status::kNeedMore) break;
    if (status == channel::Decoder::Status::kError) return disconnect(error);
    if (!outstanding_.empty()) {
      Outstanding oldest = std::move(outstanding_.front());
      outstanding_.pop_front();
      if (oldest.question) {
        if (oldest.done) oldest.done(&m, "");
        continue;
      }
    }
    switch (m.type) {
      case channel::MessageType::kStateApplied:
        if (m.payload.rfind("announced", 0) == 0) break;
        acknowledged_ = in_flight_;
        in_flight_.clear();
        refused_.clear();
        refusal_.clear();
        last_ack_ms_ = now_ms;
        if (m.payload.rfind("generation ", 0) == 0)
          applied_generation_ = std::strtoull(m.payload.c_str() + 11, nullptr, 10);
        break;
      case channel::MessageType::kStateRejected:
        if (m.payload != refusal_)
          std::fprintf(stderr,
                       "sluiced: the dataplane refused the desired state and keeps its "
                       "previous one:\n%s",
                       m.payload.c_str());
        refused_ = in_flight_;
        refusal_ = m.payload;
        while (!refusal_.empty() && (refusal_.back() == '\n' || refusal_.back() == ' '))
          refusal_.pop_back();
        in_flight_.clear();
        retry_refused_ms_ = now_ms + kRetryRefusedMs;
        last_error_ = "dataplane refused the desired state";
        break;
      case channel::MessageType::kStats: {
        std::string error;
        stats_ = channel::decode_stats(m.payload, error);
        stats_connection_ = connection_;
        if (stats_) floods_.sample(*stats_, now_ms);
        if (!error.empty() && error != stats_error_)
          std::fprintf(stderr, "sluiced: the dataplane's counters are not shown: %s\n",
                       error.c_str());
        stats_error_ = error;
        break;
      }
      default:
        break;
    }
  }
  if (should_send(now_ms)) send_desired();
}

void DataplaneClient::tick(uint64_t now_ms) {
  for (Outstanding& o : outstanding_)
    if (o.done && now_ms >= o.deadline_ms) {
      Answer done = std::move(o.done);
      o.done = nullptr;
      done(nullptr,
           "the dataplane did not answer within " + std::to_string(kAskTimeoutMs / 1000) + " s");
    }
  if (fd_ < 0) {
    if (now_ms >= next_connect_ms_) connect(now_ms);
    if (fd_ < 0) return;
  }
  if (should_send(now_ms)) send_desired();
  if (fd_ >= 0 && now_ms >= next_stats_ms_) {
    next_stats_ms_ = now_ms + kStatsMs;
    send(channel::MessageType::kGetStats, "");
  }
}

}  // namespace sluice::sluiced
