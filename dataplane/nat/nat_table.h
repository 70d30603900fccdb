// SPDX-License-Identifier: BSD-3-Clause
// One worker's NAT connections (modes nat and fullnat, docs/nat.md): each is found by the
// key of the client's packets (client -> VIP) and by the key of the backend's answers
// (backend -> client for nat, backend -> local address:port for fullnat), and holds what
// turns one into the other.
//
// Ownership and threads: every worker lcore owns one NatTable (and the LocalPorts it gives
// fullnat ports back to); only that lcore calls it. Memory is allocated in the
// constructor only: a fixed array of connections on a free list, and two chained hash
// indexes over it. No member allocates, throws or locks afterwards.
//
// Timeouts are the flow table's (FlowTimeouts by FlowState, state advanced by
// next_state() from either direction's TCP flags, but for the backend's SYN-ACK, which
// leaves a connection opening until the client's ACK). An expired connection is removed by
// the lookup that finds it, by sweep(), or by insert() when no entry is free; removing a
// fullnat connection gives its local port back. A full table refuses new connections
// only: a live connection is never evicted.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "config/flow_timeouts.h"
#include "flow/flow_key.h"
#include "flow/flow_table.h"
#include "nat/local_ports.h"
#include "net/mac_address.h"

namespace sluice {

inline constexpr uint8_t kNoLocalAddress = 0xff;

struct NatConnection {
  FlowKey forward;  // the client's packets: client -> VIP
  FlowKey reply;    // the backend's answers: backend -> client (nat) or -> local (fullnat)
  uint32_t backend_id = 0;
  uint32_t last_seen_ms = 0;
  MacAddress client_mac;  // the source MAC of the client's frames: answers go back there
  FlowState state = FlowState::kOther;
  uint8_t local_address = kNoLocalAddress;  // fullnat: index into the [nat] local addresses

 private:
  friend class NatTable;
  uint32_t next_forward = 0;  // chains of the two indexes, or the free list
  uint32_t next_reply = 0;
  bool in_use = false;
};

struct NatTableStats {
  uint64_t inserts = 0;
  uint64_t expirations = 0;
  uint64_t full = 0;       // inserts refused: no entry free
  uint64_t conflicts = 0;  // inserts refused: another live connection has the reply key
};

class NatTable {
 public:
  // Room for `capacity` connections (0: none, every insert refused). ports: where fullnat
  // connections give their local port back; it must outlive the table.
  NatTable(uint32_t capacity, const FlowTimeouts& timeouts, LocalPorts* ports);
  NatTable(const NatTable&) = delete;
  NatTable& operator=(const NatTable&) = delete;

  // The live connection whose client packets have this key (hash = flow_hash(key)), its
  // last-seen time refreshed and its state advanced by tcp_flags; nullptr on a miss (an
  // expired one is removed).
  NatConnection* find_forward(const FlowKey& key, uint32_t hash, uint32_t now_ms,
                              uint8_t tcp_flags);
  // The same by the key of the backend's answers.
  NatConnection* find_reply(const FlowKey& key, uint32_t hash, uint32_t now_ms, uint8_t tcp_flags);

  // Adds a connection (the caller has just missed find_forward). nullptr when no entry is
  // free or a live connection already answers on `reply`; the caller still owns the local
  // port then. forward_hash/reply_hash = flow_hash() of the keys.
  NatConnection* insert(const FlowKey& forward, uint32_t forward_hash, const FlowKey& reply,
                        uint32_t reply_hash, uint32_t backend_id, FlowState state,
                        const MacAddress& client_mac, uint8_t local_address, uint32_t now_ms);

  // Removes a connection found above (giving its local port back).
  void erase(NatConnection& c);

  // Removes the expired connections among the next `budget` entries (round-robin); returns
  // how many. For idle moments.
  uint32_t sweep(uint32_t now_ms, uint32_t budget);

  // Calls visit(const NatConnection&, uint32_t idle_ms) for every live connection of the
  // entries [first, first + count).
  template <typename Visit>
  void visit(uint32_t first, uint32_t count, uint32_t now_ms, Visit&& visit) const {
    const uint64_t end = std::min<uint64_t>(uint64_t(first) + count, entries_.size());
    for (uint64_t i = first; i < end; ++i) {
      const NatConnection& c = entries_[i];
      if (c.in_use && !expired(c, now_ms)) visit(c, now_ms - c.last_seen_ms);
    }
  }

  uint32_t size() const { return size_; }
  uint32_t capacity() const { return uint32_t(entries_.size()); }
  const NatTableStats& stats() const { return stats_; }

 private:
  static constexpr uint32_t kNil = 0xffffffffu;

  bool expired(const NatConnection& c, uint32_t now_ms) const {
    return now_ms - c.last_seen_ms > timeout_[uint8_t(c.state)];
  }
  // touch: refresh and advance the connection found.
  NatConnection* find(const FlowKey& key, uint32_t hash, bool by_reply, uint32_t now_ms,
                      uint8_t tcp_flags, bool touch = true);
  // Unlinks entry i from the chain of `heads[bucket]` linked through `next`.
  void unlink(std::vector<uint32_t>& heads, uint32_t bucket, uint32_t i,
              uint32_t NatConnection::*next);
  void remove(uint32_t i);

  std::vector<NatConnection> entries_;
  std::vector<uint32_t> forward_heads_;
  std::vector<uint32_t> reply_heads_;
  uint32_t bucket_mask_ = 0;
  uint32_t free_head_ = kNil;
  uint32_t size_ = 0;
  uint32_t sweep_cursor_ = 0;
  uint32_t timeout_[5] = {};  // by FlowState
  LocalPorts* ports_;
  NatTableStats stats_;
};

}  // namespace sluice
