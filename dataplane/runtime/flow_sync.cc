// SPDX-License-Identifier: BSD-3-Clause
#include "runtime/flow_sync.h"

#include <netinet/in.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "flow/hash.h"
#include "pipeline/flow_owner.h"

namespace sluice {

namespace {

constexpr unsigned kRingSize = 4096;
constexpr unsigned kDrainPerPoll = 256;  // records from each worker per round
constexpr int kDatagramsPerPoll = 64;
constexpr uint32_t kFlushMs = 20;
constexpr uint64_t kMaxClockSkewMs = 30'000;

uint64_t wall_us() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return uint64_t(ts.tv_sec) * 1'000'000 + uint64_t(ts.tv_nsec) / 1000;
}

socklen_t to_sockaddr(const SocketAddress& a, sockaddr_storage& out) {
  std::memset(&out, 0, sizeof out);
  if (a.address.is_v4()) {
    auto* sin = reinterpret_cast<sockaddr_in*>(&out);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(a.port);
    std::memcpy(&sin->sin_addr, a.address.v4_wire(), 4);
    return sizeof(sockaddr_in);
  }
  auto* sin6 = reinterpret_cast<sockaddr_in6*>(&out);
  sin6->sin6_family = AF_INET6;
  sin6->sin6_port = htons(a.port);
  std::memcpy(&sin6->sin6_addr, a.address.v6_wire(), 16);
  return sizeof(sockaddr_in6);
}

SocketAddress from_socket_address(const sockaddr_storage& in) {
  SocketAddress a;
  if (in.ss_family == AF_INET) {
    const auto* sin = reinterpret_cast<const sockaddr_in*>(&in);
    a.address = IpAddress::v4_from_wire(reinterpret_cast<const uint8_t*>(&sin->sin_addr));
    a.port = ntohs(sin->sin_port);
  } else if (in.ss_family == AF_INET6) {
    const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(&in);
    std::memcpy(a.address.bytes.data(), &sin6->sin6_addr, 16);
    a.port = ntohs(sin6->sin6_port);
  }
  return a;
}

}  // namespace

FlowSync::FlowSync(const config::SyncSettings& settings, uint32_t workers,
                   std::vector<uint16_t> owners)
    : settings_(settings),
      workers_(workers),
      owners_(std::move(owners)),
      batcher_(settings.node_id, settings.key, wall_us(), kFlushMs),
      send_cap_(settings.send_rate),
      install_cap_(settings.install_rate),
      replay_(kMaxClockSkewMs) {}

FlowSync::~FlowSync() {
  if (socket_ >= 0) close(socket_);
  for (rte_ring* r : publish_) rte_ring_free(r);
  for (rte_ring* r : install_) rte_ring_free(r);
  for (rte_ring* r : nat_install_) rte_ring_free(r);
}

bool FlowSync::open(std::string& error) {
  for (uint32_t w = 0; w < workers_; ++w) {
    const std::string out = "sluice_sync_out" + std::to_string(w);
    const std::string in = "sluice_sync_in" + std::to_string(w);
    const unsigned flags = RING_F_SP_ENQ | RING_F_SC_DEQ;
    publish_.push_back(rte_ring_create_elem(out.c_str(), sizeof(SyncRecord), kRingSize,
                                            int(rte_socket_id()), flags));
    install_.push_back(rte_ring_create_elem(in.c_str(), sizeof(SyncRecord), kRingSize,
                                            int(rte_socket_id()), flags));
    const std::string nat_in = "sluice_sync_nat" + std::to_string(w);
    nat_install_.push_back(rte_ring_create_elem(nat_in.c_str(), sizeof(NatSyncRecord), kRingSize,
                                                int(rte_socket_id()), flags));
    bulk_.push_back(std::make_unique<BulkRequest>());
    if (!publish_.back() || !install_.back() || !nat_install_.back()) {
      error = std::string("cannot create the sync rings: ") + rte_strerror(rte_errno);
      return false;
    }
  }
  const bool v4 = settings_.listen.address.is_v4();
  socket_ = socket(v4 ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (socket_ < 0) {
    error = std::string("sync socket: ") + std::strerror(errno);
    return false;
  }
  const int on = 1;
  setsockopt(socket_, v4 ? IPPROTO_IP : IPPROTO_IPV6, v4 ? IP_FREEBIND : IPV6_FREEBIND, &on,
             sizeof on);
  sockaddr_storage address;
  const socklen_t length = to_sockaddr(settings_.listen, address);
  if (bind(socket_, reinterpret_cast<sockaddr*>(&address), length) != 0) {
    error = "sync listen " + settings_.listen.to_string() + ": " + std::strerror(errno);
    return false;
  }
  if (settings_.join_wait_ms) {
    join_ = Join::kToAsk;
    count(SyncCounter::join_pending) = 1;
  }
  return true;
}

void FlowSync::join(uint64_t now_ms) {
  if (join_ == Join::kToAsk) {
    for (const SocketAddress& peer : settings_.peers) {
      send_signal(sync::kTypeJoinRequest, peer);
      ++count(SyncCounter::join_requests_sent);
    }
    join_deadline_ms_ = now_ms + settings_.join_wait_ms;
    join_ = Join::kWaiting;
  } else if (join_ == Join::kWaiting && now_ms >= join_deadline_ms_) {
    join_ = Join::kOver;
    count(SyncCounter::join_pending) = 0;
    ++count(SyncCounter::join_timed_out);
  }
}

void FlowSync::serve_join(const SocketAddress& from) {
  auto known = [&from](const std::vector<SocketAddress>& list) {
    for (const SocketAddress& a : list)
      if (a == from) return true;
    return false;
  };
  if (!known(settings_.peers)) return;  // a holder of the key, but no peer to answer
  if (bulk_running_) {
    if (!known(next_joiners_)) next_joiners_.push_back(from);
    bulk_again_ = true;
    return;
  }
  joiners_ = {from};
  bulk_running_ = true;
  ++bulk_generation_;
  ++count(SyncCounter::join_served);
  for (const std::unique_ptr<BulkRequest>& b : bulk_)
    b->requested.store(bulk_generation_, std::memory_order_release);
}

// The walk is over once every worker has finished it and the main lcore has sent all it
// queued: then the joiners hear that they have everything.
void FlowSync::finish_bulk(uint64_t now_ms) {
  for (const std::unique_ptr<BulkRequest>& b : bulk_)
    if (!b->idle()) return;
  for (rte_ring* r : publish_)
    if (rte_ring_count(r) != 0) return;
  if (batcher_.pending()) send(now_ms);
  for (const SocketAddress& to : joiners_) send_signal(sync::kTypeJoinDone, to);
  joiners_.clear();
  bulk_running_ = false;
  if (bulk_again_) {
    bulk_again_ = false;
    std::vector<SocketAddress> next;
    next.swap(next_joiners_);
    for (const SocketAddress& a : next) serve_join(a);
  }
}

void FlowSync::send_signal(uint8_t type, const SocketAddress& to) {
  uint8_t datagram[sync::kHeaderBytes + sync::kMacBytes];
  const size_t length = batcher_.seal_signal(type, wall_us() / 1000, datagram);
  sockaddr_storage address;
  const socklen_t address_length = to_sockaddr(to, address);
  if (sendto(socket_, datagram, length, MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&address),
             address_length) != ssize_t(length))
    ++count(SyncCounter::send_errors);
}

void FlowSync::poll(uint64_t now_ms) {
  if (join_ == Join::kToAsk || join_ == Join::kWaiting) join(now_ms);
  SyncRecord records[64];
  for (rte_ring* ring : publish_) {
    unsigned left = kDrainPerPoll;
    while (left) {
      const unsigned n =
          rte_ring_dequeue_burst_elem(ring, records, sizeof(SyncRecord), 64, nullptr);
      for (unsigned i = 0; i < n; ++i) {
        if (!send_cap_.take(now_ms)) {
          ++count(SyncCounter::send_capped);
          continue;
        }
        if (batcher_.add(records[i], now_ms)) send(now_ms);
      }
      if (n < 64) break;
      left -= n;
    }
  }
  if (batcher_.due(now_ms)) send(now_ms);

  if (bulk_running_) finish_bulk(now_ms);

  uint8_t datagram[sync::kMaxMessageBytes + 1];
  for (int i = 0; i < kDatagramsPerPoll; ++i) {
    sockaddr_storage from;
    socklen_t from_length = sizeof from;
    const ssize_t n = recvfrom(socket_, datagram, sizeof datagram, MSG_DONTWAIT,
                               reinterpret_cast<sockaddr*>(&from), &from_length);
    if (n < 0) break;
    receive(datagram, size_t(n), from_socket_address(from), now_ms);
  }
}

void FlowSync::send(uint64_t) {
  uint8_t datagram[sync::kMaxMessageBytes];
  const size_t records = batcher_.pending();
  const size_t length = batcher_.seal(wall_us() / 1000, datagram);
  if (length == 0) return;
  for (const SocketAddress& peer : settings_.peers) {
    sockaddr_storage address;
    const socklen_t address_length = to_sockaddr(peer, address);
    if (sendto(socket_, datagram, length, MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&address),
               address_length) != ssize_t(length)) {
      ++count(SyncCounter::send_errors);
      continue;
    }
    ++count(SyncCounter::batches_sent);
    count(SyncCounter::sent) += records;
  }
}

void FlowSync::receive(const uint8_t* data, size_t length, const SocketAddress& from,
                       uint64_t now_ms) {
  sync::Verdict v = sync::decode_batch(data, length, settings_.key, received_);
  const uint64_t wall_ms = wall_us() / 1000;
  if (v == sync::Verdict::kAccepted) v = replay_.admit(received_.header, wall_ms);
  switch (v) {
    case sync::Verdict::kAccepted:
      break;
    case sync::Verdict::kTruncated:
    case sync::Verdict::kMalformed:
      ++count(SyncCounter::rejected_malformed);
      return;
    case sync::Verdict::kForged:
      ++count(SyncCounter::rejected_auth);
      return;
    case sync::Verdict::kReplayed:
      ++count(SyncCounter::rejected_replay);
      return;
    case sync::Verdict::kStale:
      ++count(SyncCounter::rejected_stale);
      return;
  }
  const uint64_t sent_ms = received_.header.timestamp_ms;
  count(SyncCounter::lag_ms) = wall_ms > sent_ms ? wall_ms - sent_ms : 0;
  if (received_.type == sync::kTypeJoinRequest) {
    serve_join(from);
    return;
  }
  if (received_.type == sync::kTypeJoinDone) {
    if (join_ == Join::kWaiting) {
      join_ = Join::kOver;
      count(SyncCounter::join_pending) = 0;
      ++count(SyncCounter::join_done);
    }
    return;
  }
  count(SyncCounter::received) += received_.count;
  for (uint16_t i = 0; i < received_.count; ++i) {
    if (!install_cap_.take(now_ms)) {
      ++count(SyncCounter::install_capped);
      continue;
    }
    if (received_.type == sync::kTypeNat)
      dispatch_nat(received_.nat_records[i]);
    else
      dispatch(received_.records[i]);
  }
}

void FlowSync::dispatch_nat(const NatSyncRecord& record) {
  auto enqueue = [this, &record](uint32_t worker) {
    if (rte_ring_enqueue_elem(nat_install_[worker], const_cast<NatSyncRecord*>(&record),
                              sizeof record) != 0)
      ++count(SyncCounter::ring_full);
  };
  if (record.fullnat) {
    enqueue(local_port_owner(record.reply.dst_port, uint16_t(workers_)));
  } else if (!owners_.empty()) {
    enqueue(nat_client_owner(record.forward.src, record.forward.src_port, record.forward.protocol,
                             owners_));
  } else {
    for (uint32_t w = 0; w < workers_; ++w) enqueue(w);
  }
}

void FlowSync::dispatch(const SyncRecord& record) {
  auto enqueue = [this, &record](uint32_t worker) {
    if (rte_ring_enqueue_elem(install_[worker], const_cast<SyncRecord*>(&record), sizeof record) !=
        0)
      ++count(SyncCounter::ring_full);
  };
  if (!owners_.empty()) {
    enqueue(owners_[flow_owner(flow_hash(record.flow), uint32_t(owners_.size()))]);
  } else {
    for (uint32_t w = 0; w < workers_; ++w) enqueue(w);
  }
}

}  // namespace sluice
