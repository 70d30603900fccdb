// SPDX-License-Identifier: BSD-3-Clause
// One worker's NAT connections (modes nat and fullnat, docs/nat.md): each is found by the
// key of the client's packets (client -> VIP) and by the key of the backend's answers
// (backend -> client for nat, backend -> local address:port for fullnat), and holds what
// turns one into the other.
//
// Ownership and threads: every worker lcore owns one NatTable (and the LocalPorts it gives
// fullnat ports back to); only that lcore calls it. Memory is allocated in the
// constructor only (flow/table_memory.h); no member allocates, throws or locks afterwards.
//
// Layout: an array of 96-byte connections and one index over both keys of every
// connection. The index is a power of two of 64-byte buckets, each of 7 ways: the key's
// flow hash (0: a free way) and a reference (the connection's position, and which of its
// keys). A key lives in its home bucket (the hash's low bits) or, when that was full, in
// the first later bucket with a free way; each bucket counts the keys that went past it,
// so a lookup that misses stops at the first bucket that overflowed nothing. The index has
// at least 1.5 ways per key (more than 3 ways per connection), so overflow is rare and
// a lookup is one index line and the connection's two lines: prefetch() and
// prefetch_entries() fetch them a burst ahead, as the flow table's do.
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
#include "flow/table_memory.h"
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
};
static_assert(sizeof(NatConnection) == 96);

struct NatTableStats {
  uint64_t inserts = 0;
  uint64_t expirations = 0;
  uint64_t full = 0;       // inserts refused: no entry free
  uint64_t conflicts = 0;  // inserts refused: another live connection has the reply key
};

class NatTable {
 public:
  // Room for `capacity` connections (0: none, every insert refused). ports: where fullnat
  // connections give their local port back; it must outlive the table. numa_node: see
  // flow/table_memory.h.
  NatTable(uint32_t capacity, const FlowTimeouts& timeouts, LocalPorts* ports, int numa_node = -1);
  NatTable(const NatTable&) = delete;
  NatTable& operator=(const NatTable&) = delete;

  // Burst pipelining, for a packet whose key has this flow hash, in either direction:
  // prefetch() its index line; a burst later, prefetch_entries() reads that line and
  // prefetches the connections whose keys have the hash. Returns whether one has.
  void prefetch(uint32_t hash) const { prefetch_line(&index_[hash & index_mask_]); }
  bool prefetch_entries(uint32_t hash) const {
    const IndexBucket& b = index_[hash & index_mask_];
    uint32_t m = matching_ways(b, signature(hash));
    const bool matched = m != 0;
    for (; m; m &= m - 1) {
      const auto* c = reinterpret_cast<const char*>(&entries_[b.refs[__builtin_ctz(m)] >> 1]);
      prefetch_line(c);
      prefetch_line(c + sizeof(NatConnection) - 1);
    }
    return matched;
  }

  // The live connection whose client packets have this key (hash = flow_hash(key)), its
  // last-seen time refreshed and its state advanced by tcp_flags; nullptr on a miss (an
  // expired one is removed).
  NatConnection* find_forward(const FlowKey& key, uint32_t hash, uint32_t now_ms,
                              uint8_t tcp_flags) {
    return find(key, hash, false, now_ms, tcp_flags);
  }
  // The same by the key of the backend's answers.
  NatConnection* find_reply(const FlowKey& key, uint32_t hash, uint32_t now_ms, uint8_t tcp_flags) {
    return find(key, hash, true, now_ms, tcp_flags);
  }

  // Adds a connection (the caller has just missed find_forward). nullptr when no entry is
  // free or a live connection already answers on `reply`; the caller still owns the local
  // port then. forward_hash/reply_hash = flow_hash() of the keys.
  NatConnection* insert(const FlowKey& forward, uint32_t forward_hash, const FlowKey& reply,
                        uint32_t reply_hash, uint32_t backend_id, FlowState state,
                        const MacAddress& client_mac, uint8_t local_address, uint32_t now_ms);

  // insert() of a connection whose reply key no live connection can have (fullnat: its
  // local port was free until now), without the check. Its reply key's index line is
  // prefetched now and the key indexed by index_deferred(), which the caller calls at the
  // end of the burst: the burst's other packets hide the cache miss that a new
  // connection's reply key otherwise costs. (A find_reply() that misses before then indexes
  // the deferred keys first: nothing can tell.) nullptr when no entry is free.
  NatConnection* insert_deferring_reply(const FlowKey& forward, uint32_t forward_hash,
                                        const FlowKey& reply, uint32_t reply_hash,
                                        uint32_t backend_id, FlowState state,
                                        const MacAddress& client_mac, uint8_t local_address,
                                        uint32_t now_ms);
  void index_deferred() {
    for (uint32_t k = 0; k < deferred_count_; ++k) {
      live_[deferred_[k].entry] = kLive;
      index_key(deferred_[k].hash, deferred_[k].entry << 1 | 1);
    }
    deferred_count_ = 0;
  }

  // Removes a connection found above (giving its local port back).
  void erase(NatConnection& c) { remove(uint32_t(&c - entries_)); }

  // Removes the expired connections among the next `budget` entries (round-robin); returns
  // how many. For idle moments.
  uint32_t sweep(uint32_t now_ms, uint32_t budget);

  // Calls visit(const NatConnection&, uint32_t idle_ms) for every live connection of the
  // entries [first, first + count).
  template <typename Visit>
  void visit(uint32_t first, uint32_t count, uint32_t now_ms, Visit&& visit) const {
    const uint64_t end = std::min<uint64_t>(uint64_t(first) + count, capacity_);
    for (uint64_t i = first; i < end; ++i) {
      const NatConnection& c = entries_[i];
      if (live_[i] != kFree && !expired(c, now_ms)) visit(c, now_ms - c.last_seen_ms);
    }
  }

  uint32_t size() const { return size_; }
  uint32_t capacity() const { return capacity_; }
  uint32_t index_buckets() const { return index_mask_ + 1; }  // a key's home: hash % this
  const NatTableStats& stats() const { return stats_; }

 private:
  static constexpr uint32_t kWays = 7;
  static constexpr uint32_t kNone = 0xffffffffu;
  static constexpr uint32_t kMaxDeferred = 64;
  // live_ by entry: free, live, or live with its reply key not indexed yet.
  static constexpr uint8_t kFree = 0, kLive = 1, kReplyDeferred = 2;

  // 7 ways; `overflow` sits where an eighth tag would, so one 32-byte compare reads all.
  struct alignas(64) IndexBucket {
    uint32_t tags[kWays];  // the key's flow hash (signature()), 0: free
    uint32_t overflow;     // keys whose home is this bucket or an earlier one, living later
    uint32_t refs[kWays];  // connection index << 1 | 1 for its reply key
    uint32_t unused;
  };
  static_assert(sizeof(IndexBucket) == 64);

  static uint32_t signature(uint32_t hash) { return hash ? hash : 1; }
  static uint32_t matching_ways(const IndexBucket& b, uint32_t sig) {
    uint32_t m = 0;
    for (uint32_t w = 0; w < kWays; ++w) m |= uint32_t(b.tags[w] == sig) << w;
    return m;
  }

  bool expired(const NatConnection& c, uint32_t now_ms) const {
    return now_ms - c.last_seen_ms > timeout_[uint8_t(c.state)];
  }
  // The index of the live or expired connection with this key, or kNone.
  uint32_t locate(const FlowKey& key, uint32_t hash, bool by_reply) const;
  // touch: refresh and advance the connection found.
  NatConnection* find(const FlowKey& key, uint32_t hash, bool by_reply, uint32_t now_ms,
                      uint8_t tcp_flags, bool touch = true);
  void index_key(uint32_t hash, uint32_t ref);
  void unindex_key(uint32_t hash, uint32_t ref);
  void remove(uint32_t i);
  // The entry for a new connection (the caller has made room), its fields set.
  uint32_t fill(const FlowKey& forward, const FlowKey& reply, uint32_t backend_id, FlowState state,
                const MacAddress& client_mac, uint8_t local_address, uint32_t now_ms);
  // Whether an entry is free for a new connection, after reclaiming expired ones.
  bool make_room(uint32_t now_ms);

  uint32_t capacity_;
  uint32_t index_mask_;
  TableMemory entry_memory_;
  TableMemory index_memory_;
  NatConnection* entries_;
  IndexBucket* index_;
  std::vector<uint8_t> live_;   // by entry
  std::vector<uint32_t> free_;  // a stack of the free entries
  struct Deferred {
    uint32_t entry;
    uint32_t hash;  // of its reply key
  };
  Deferred deferred_[kMaxDeferred];
  uint32_t deferred_count_ = 0;
  uint32_t size_ = 0;
  uint32_t sweep_cursor_ = 0;
  uint32_t timeout_[5] = {};  // by FlowState
  LocalPorts* ports_;
  NatTableStats stats_;
};

}  // namespace sluice
