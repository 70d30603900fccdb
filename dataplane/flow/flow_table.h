// SPDX-License-Identifier: BSD-3-Clause
// The per-lcore flow table: FlowKey -> backend id, so packets of a connection keep going to
// the backend chosen for its first packet even when the Maglev table changes.
//
// Ownership and threads: every worker lcore owns exactly one FlowTable. Only that lcore may
// call any member (lookup, insert, erase, sweep and the stats readers alike); there are no
// atomics or locks. Memory is allocated in the constructor only; no member allocates,
// throws or makes a virtual call afterwards. now_ms must not go backwards for one table
// (a flow last seen "after" now_ms looks expired); it may wrap around 2^32, as ages are
// unsigned differences. Anyone else who wants to know what a table holds (trace, show
// conns) asks its lcore, which answers with find() and visit() (trace/flow_mailbox.h).
//
// Layout: set-associative, 8 ways per bucket, one bucket is
//   [64-byte tag line: 8 x 32-bit tag, 8 x 32-bit last-seen ms][8 x 48-byte FlowEntry]
// = 448 bytes, 56 bytes per entry. A tag is the flow hash with its low 3 bits replaced by
// the flow's state (1..5); 0 marks a free way. The bucket index is the low bits of the hash,
// so inside a bucket those 3 bits carry no information and the tag loses none. A lookup
// compares the 8 tags of one cache line at once and reads an entry only on a tag match.
// Expiry and eviction decisions need only the tag line.
//
// Eviction policy (insert into a bucket with no free way):
//   1. a way whose flow has expired (idle longer than its state's timeout) is reused;
//   2. otherwise the stalest (oldest last-seen) kTcpSynOnly, kUdp or kOther flow of that
//      bucket is evicted;
//   3. a live kTcpEstablished or kTcpClosing flow is never evicted: if the bucket holds only
//      those, insert fails and returns nullptr. The caller then forwards the packet
//      statelessly (Maglev). So a SYN flood into a full table can displace only half-open
//      and connectionless flows; established connections stay on their backends.
// Sizing: buckets fill unevenly, so a table of established flows starts refusing before it
// is full. With uniform hashes, about 0.8% of new flows are refused at 50% load and 0.015%
// at 25%: give `capacity` 2-4x the expected number of concurrent flows.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "config/flow_timeouts.h"
#include "flow/flow_key.h"
#include "flow/table_memory.h"
#include "net/wire.h"

namespace sluice {

enum class FlowState : uint8_t { kTcpSynOnly, kTcpEstablished, kTcpClosing, kUdp, kOther };

// Idle timeout of a flow by state, in milliseconds.

// State of a new flow from its first packet. TCP: SYN without ACK -> kTcpSynOnly; FIN or RST
// -> kTcpClosing; anything else (mid-stream, e.g. after a failover to this host) ->
// kTcpEstablished. UDP -> kUdp; every other protocol -> kOther.
inline FlowState initial_state(uint8_t protocol, uint8_t tcp_flags) {
  if (protocol == wire::kProtoUdp) return FlowState::kUdp;
  if (protocol != wire::kProtoTcp) return FlowState::kOther;
  if (tcp_flags & (wire::kTcpFin | wire::kTcpRst)) return FlowState::kTcpClosing;
  if ((tcp_flags & (wire::kTcpSyn | wire::kTcpAck)) == wire::kTcpSyn) return FlowState::kTcpSynOnly;
  return FlowState::kTcpEstablished;
}

// State after a later packet of the flow: SYN-only -> established on an ACK; any TCP state
// -> closing on FIN or RST; closing never goes back. UDP and other flows never change.
inline FlowState next_state(FlowState s, uint8_t tcp_flags) {
  switch (s) {
    case FlowState::kTcpSynOnly:
    case FlowState::kTcpEstablished:
      if (tcp_flags & (wire::kTcpFin | wire::kTcpRst)) return FlowState::kTcpClosing;
      if (tcp_flags & wire::kTcpAck) return FlowState::kTcpEstablished;
      return s;
    default:
      return s;
  }
}

// One flow. The caller may rewrite backend_id (e.g. when its backend is removed); the
// state is maintained by the table. sync_packets and sync_mark are flow sync's
// (sync/sync_gate.h); insert() zeroes them.
struct FlowEntry {
  FlowKey key;
  uint32_t backend_id;
  FlowState state() const { return state_; }

 private:
  friend class FlowTable;
  FlowState state_;

 public:
  uint8_t sync_packets;
  uint16_t sync_mark;
};
static_assert(sizeof(FlowEntry) == 48);

// A copy of one flow for those who explain the table (trace, show conns), read without
// changing anything.
struct FlowView {
  FlowKey key;
  uint32_t backend_id = 0;
  FlowState state = FlowState::kOther;
  uint32_t idle_ms = 0;  // since its last packet
  bool expired = false;  // idle past its state's timeout: the next lookup() misses
  // A NAT connection's (nat/nat_table.h) in fullnat: the local address and port the
  // backend sees in place of the client's.
  std::optional<IpAddress> local;
  uint16_t local_port = 0;
};

struct FlowTableStats {
  uint64_t inserts = 0;          // entries written by insert()
  uint64_t evictions = 0;        // live SYN-only/UDP/other flows displaced by insert()
  uint64_t insert_failures = 0;  // inserts refused: bucket full of live TCP connections
  uint64_t expirations = 0;      // expired entries freed by lookup(), insert() or sweep()
};

// A prefetch the compiler must keep. GCC 12 at -O2 deletes a loop whose only effect is
// __builtin_prefetch (C++ loops are assumed to terminate and a prefetch is no side effect),
// which silently turned prefetch_entries() over a burst into nothing.
inline void prefetch_line(const void* p) {
#if defined(__x86_64__) || defined(__i386__)
  asm volatile("prefetcht0 %0" : : "m"(*static_cast<const char*>(p)));
#else
  __builtin_prefetch(p, 0, 3);
#endif
}

class FlowTable {
 public:
  static constexpr uint32_t kWays = 8;

  // Room for at least `capacity` flows: a power-of-two number of 8-way buckets, in a
  // TableMemory (flow/table_memory.h), on NUMA node numa_node if >= 0. Throws
  // std::bad_alloc if the memory is not there; bytes_for() tells beforehand how much that is.
  FlowTable(uint32_t capacity, FlowTimeouts timeouts, int numa_node = -1);
  FlowTable(const FlowTable&) = delete;
  FlowTable& operator=(const FlowTable&) = delete;

  static uint64_t bytes_for(uint32_t capacity);
  static constexpr size_t bytes_per_entry() { return sizeof(Bucket) / kWays; }

  // The way of its bucket a flow takes when that way is free: the top hash bits, independent
  // of the bucket index (low bits) for any table size.
  static uint32_t home_way(uint32_t hash) { return hash >> 29; }
  static_assert(kWays == 8, "home_way() takes 3 bits");

  // Burst pipelining: prefetch() every packet's bucket tag line, then prefetch_entries()
  // for every packet, then lookup() each. The second stage cuts a 10M-flow hit from ~55 ns
  // (tag prefetch only) to ~20-28 ns, as the entry-line misses overlap too.
  // prefetch() also fetches the flow's home way, where insert() puts it whenever that way
  // is free: most flows' entry then arrives together with the tag line, not after it.
  void prefetch(uint32_t hash) const {
    const Bucket& b = buckets_[hash & bucket_mask_];
    prefetch_line(&b);
    prefetch_entry(b, home_way(hash));
  }
  // Second pipeline stage, after prefetch(hash) had time to land: reads the tag line and
  // prefetches the entries whose tags match, so lookup() finds them in cache. When none
  // matches (a new flow), the entry insert() would write at now_ms instead: its store then
  // finds the line in cache rather than waiting for it with every later store behind it.
  // Returns whether a tag matched, i.e. whether the flow is probably in the table.
  bool prefetch_entries(uint32_t hash, uint32_t now_ms) const {
    const Bucket& b = buckets_[hash & bucket_mask_];
    uint32_t m = match_ways(b.tags, signature(hash));
    const bool matched = m != 0;
    if (!matched) {
      const uint32_t way = insert_way(b, hash, now_ms);
      m = way < kWays ? 1u << way : 0;
    }
    for (; m; m &= m - 1) prefetch_entry(b, uint32_t(__builtin_ctz(m)));
    return matched;
  }

  // The live entry for key (hash = flow_hash(key)): refreshes its last-seen time to now_ms
  // and advances its TCP state from tcp_flags. nullptr on a miss; an expired entry is a
  // miss and its way is freed. The pointer is valid until the next insert/erase/sweep.
  // Always inlined: the pipeline has two callers (whole packets, first fragments), and GCC
  // then kept it out of line, 2-5 ns a packet.
  [[gnu::always_inline]] FlowEntry* lookup(const FlowKey& key, uint32_t hash, uint32_t now_ms,
                                           uint8_t tcp_flags) {
    Bucket& b = buckets_[hash & bucket_mask_];
    for (uint32_t m = match_ways(b.tags, signature(hash)); m; m &= m - 1) {
      const uint32_t way = uint32_t(__builtin_ctz(m));
      FlowEntry& e = b.entries[way];
      if (!keys_equal(e.key, key)) continue;
      if (expired(b, way, now_ms)) {
        free_way(b, way);
        ++stats_.expirations;
        return nullptr;
      }
      b.last_seen[way] = now_ms;
      const FlowState next = next_state(e.state_, tcp_flags);
      if (next != e.state_) set_state(b, way, next);
      return &e;
    }
    return nullptr;
  }

  // Adds key -> backend_id with the given state. The caller has just missed in lookup(); the
  // table does not check for a duplicate. nullptr when the eviction policy above refuses.
  FlowEntry* insert(const FlowKey& key, uint32_t hash, uint32_t backend_id, FlowState initial,
                    uint32_t now_ms);

  // Whether key has a live entry, without refreshing it; an expired one is freed.
  bool contains_live(const FlowKey& key, uint32_t hash, uint32_t now_ms);

  // insert() for flows learnt from a peer: only into a free or expired way, never evicting,
  // with last_seen_ms as the flow's last packet. nullptr when no such way is left.
  FlowEntry* insert_vacant(const FlowKey& key, uint32_t hash, uint32_t backend_id, FlowState state,
                           uint32_t now_ms, uint32_t last_seen_ms);

  // Removes key's entry, live or expired. False if it is not there.
  bool erase(const FlowKey& key, uint32_t hash);

  // Visits the next bucket_budget buckets (round-robin across calls) and frees their expired
  // entries; returns how many it freed. Meant for idle moments (an empty RX poll).
  uint32_t sweep(uint32_t now_ms, uint32_t bucket_budget);

  // Frees every entry (stats are kept).
  void clear();

  // Read-only, for explaining the table (trace, show conns): these refresh, free and
  // count nothing. find() reports an expired entry too, with `expired` set.
  std::optional<FlowView> find(const FlowKey& key, uint32_t hash, uint32_t now_ms) const;
  // Whether insert() of a new flow with this hash would find a way at now_ms.
  bool has_room(uint32_t hash, uint32_t now_ms) const {
    return insert_way(buckets_[hash & bucket_mask_], hash, now_ms) < kWays;
  }
  // Calls visit(const FlowView&) for every live (unexpired) flow of the buckets
  // [first, first + count), count clamped to the end of the table.
  template <typename Visit>
  void visit(uint32_t first, uint32_t count, uint32_t now_ms, Visit&& visit) const {
    const uint32_t end =
        first + count < first || first + count > bucket_count() ? bucket_count() : first + count;
    for (uint32_t i = first; i < end; ++i) {
      const Bucket& b = buckets_[i];
      for (uint32_t w = 0; w < kWays; ++w)
        if (b.tags[w] != 0 && !expired(b, w, now_ms)) visit(view_of(b, w, now_ms));
    }
  }

  uint64_t size() const { return size_; }  // occupied ways, including not yet freed expired ones
  uint64_t capacity() const { return uint64_t(bucket_mask_ + 1) * kWays; }
  uint32_t bucket_count() const { return bucket_mask_ + 1; }
  const FlowTableStats& stats() const { return stats_; }
  const FlowTimeouts& timeouts() const { return timeouts_; }

 private:
  struct alignas(64) Bucket {
    uint32_t tags[kWays];
    uint32_t last_seen[kWays];
    FlowEntry entries[kWays];
  };
  static_assert(sizeof(Bucket) == 64 + kWays * sizeof(FlowEntry));
  static_assert(sizeof(Bucket) / kWays <= 64, "a flow may cost at most one cache line");

  static constexpr uint32_t kCodeMask = 7;

  static void prefetch_entry(const Bucket& b, uint32_t way) {
    const auto* e = reinterpret_cast<const char*>(&b.entries[way]);
    prefetch_line(e);
    prefetch_line(e + sizeof(FlowEntry) - 1);
  }

  static uint32_t code_of(FlowState s) { return uint32_t(s) + 1; }
  static bool evictable_code(uint32_t code) {
    return code == code_of(FlowState::kTcpSynOnly) || code == code_of(FlowState::kUdp) ||
           code == code_of(FlowState::kOther);
  }
  // The hash with the state bits cleared; never 0, so a tag is never 0 either.
  static uint32_t signature(uint32_t hash) {
    const uint32_t sig = hash & ~kCodeMask;
    return sig ? sig : kCodeMask + 1;
  }

  // Bit w set when way w's tag carries sig.
  static uint32_t match_ways(const uint32_t* tags, uint32_t sig) {
#if defined(__SSE2__)
    const __m128i mask = _mm_set1_epi32(int(~kCodeMask));
    const __m128i want = _mm_set1_epi32(int(sig));
    const __m128i lo = _mm_cmpeq_epi32(
        _mm_and_si128(_mm_load_si128(reinterpret_cast<const __m128i*>(tags)), mask), want);
    const __m128i hi = _mm_cmpeq_epi32(
        _mm_and_si128(_mm_load_si128(reinterpret_cast<const __m128i*>(tags + 4)), mask), want);
    return uint32_t(
        _mm_movemask_epi8(_mm_packs_epi16(_mm_packs_epi32(lo, hi), _mm_setzero_si128())));
#else
    uint32_t m = 0;
    for (uint32_t w = 0; w < kWays; ++w) m |= uint32_t((tags[w] & ~kCodeMask) == sig) << w;
    return m;
#endif
  }

  FlowView view_of(const Bucket& b, uint32_t way, uint32_t now_ms) const;

  void set_state(Bucket& b, uint32_t way, FlowState s) {
    b.entries[way].state_ = s;
    b.tags[way] = (b.tags[way] & ~kCodeMask) | code_of(s);
  }
  void free_way(Bucket& b, uint32_t way) {
    b.tags[way] = 0;
    --size_;
  }
  bool expired(const Bucket& b, uint32_t way, uint32_t now_ms) const {
    return now_ms - b.last_seen[way] > timeout_by_code_[b.tags[way] & kCodeMask];
  }
  bool reusable(const Bucket& b, uint32_t way, uint32_t now_ms) const {
    return b.tags[way] == 0 || expired(b, way, now_ms);
  }
  FlowEntry& fill(Bucket& b, uint32_t way, const FlowKey& key, uint32_t hash, uint32_t backend_id,
                  FlowState state, uint32_t last_seen_ms);

  // The way insert() takes in b at now_ms by the eviction policy: the flow's home way if it
  // is free or expired, else the first free or expired way, else the stalest evictable one;
  // kWays when every way holds a live TCP connection.
  uint32_t insert_way(const Bucket& b, uint32_t hash, uint32_t now_ms) const {
    if (reusable(b, home_way(hash), now_ms)) return home_way(hash);
    uint32_t stalest = kWays;
    uint32_t stalest_age = 0;
    for (uint32_t w = 0; w < kWays; ++w) {
      if (reusable(b, w, now_ms)) return w;
      const uint32_t tag = b.tags[w];
      const uint32_t age = now_ms - b.last_seen[w];
      if (evictable_code(tag & kCodeMask) && (stalest == kWays || age > stalest_age)) {
        stalest = w;
        stalest_age = age;
      }
    }
    return stalest;
  }

  TableMemory memory_;
  Bucket* buckets_;
  uint32_t bucket_mask_;
  uint32_t timeout_by_code_[kCodeMask + 1];  // by tag code; [0] (free way) unused
  uint64_t size_ = 0;
  uint32_t sweep_cursor_ = 0;
  FlowTableStats stats_;
  FlowTimeouts timeouts_;
};

}  // namespace sluice
