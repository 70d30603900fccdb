// SPDX-License-Identifier: BSD-3-Clause
// The per-lcore fragment table: the backend each fragmented datagram's first fragment went
// to, so that its later fragments follow it, and the later fragments that came before
// their first one, held until it comes. Nothing is reassembled.
//
// Ownership and threads: every worker lcore owns one; only that lcore may call any
// member. Memory is allocated in the constructor only; no member allocates, throws or
// makes a virtual call afterwards. now_ms as for FlowTable: never backwards, may wrap.
//
// Datagrams (FragmentKey): set-associative, 8 ways of one 64-byte entry per bucket. An
// entry is
//   decided: the first fragment's backend and flow hash, kept until `timeout_ms` after the
//            datagram's last fragment;
//   waiting: no first fragment yet, 1..hold_per_datagram held fragments; it ends with its
//            last held fragment.
// A decision overwrites whatever its key had (a first fragment that comes again, or a new
// datagram reusing an old id, decides anew). A new datagram takes a free or expired way,
// else the stalest decided one. A new decision in a bucket of waiting datagrams only drops
// the stalest of them (its held fragments go to `drop`); a new waiting datagram finds no
// room there (Hold::kBucketFull).
// Held fragments: a pool of `hold` slots, chained per datagram in arrival order and all
// together by age; expiry pops the oldest, which is always the first of its datagram's.
#pragma once

#include <cstdint>
#include <memory>

#include "config/fragment_settings.h"
#include "flow/fragment_key.h"
#include "packet/packet_buffer.h"

namespace sluice {

// A fragment the table holds, as it was received, and the port it came from.
struct HeldFragment {
  PacketBuffer frame;
  uint16_t port_index = 0;
};

struct FragmentDecision {
  uint32_t backend_id = 0;
  uint32_t flow_hash = 0;  // the first fragment's flow_hash(): its whole datagram's outer fields
  // A fullnat VIP's datagram: the index of the [nat] local address its source becomes
  // (kNoNatLocal for the other modes).
  uint8_t nat_local = kNoNatLocal;
  static constexpr uint8_t kNoNatLocal = 0xff;
};

struct FragmentTableStats {
  uint64_t decisions_evicted = 0;  // live decisions pushed out by a new datagram
  uint64_t waiting_dropped = 0;    // waiting datagrams pushed out by a new decision
};

class FragmentTable {
 public:
  static constexpr uint32_t kWays = 8;

  // Room for at least settings.table_size datagrams (a power-of-two number of buckets)
  // and min(settings.hold, kMaxHeldFragments) held fragments. Throws std::bad_alloc.
  explicit FragmentTable(const FragmentSettings& settings);
  FragmentTable(const FragmentTable&) = delete;
  FragmentTable& operator=(const FragmentTable&) = delete;

  // The live decision for the datagram (hash = fragment_hash(key)), its last-seen time
  // refreshed; nullptr when its first fragment has not been seen (or not recently).
  const FragmentDecision* find(const FragmentKey& key, uint32_t hash, uint32_t now_ms);

  // Records the first fragment's decision. The datagram's held fragments go to
  // release(const HeldFragment&) in arrival order; those of a waiting datagram pushed out
  // to make room go to drop(const HeldFragment&).
  template <class Release, class Drop>
  void decide(const FragmentKey& key, uint32_t hash, const FragmentDecision& decision,
              uint32_t now_ms, Release&& release, Drop&& drop) {
    Entry* e = find_entry(key, hash);
    if (!e) {
      e = room_for(hash, now_ms);
      if (!e) {
        e = stalest_waiting(hash);
        ++stats_.waiting_dropped;
        take_held(*e, drop);
        free_entry(*e);
      }
      occupy(*e, key);
    }
    if (e->state == State::kWaiting) take_held(*e, release);
    e->state = State::kDecided;
    e->decision = decision;
    e->last_ms = now_ms;
  }

  enum class Hold : uint8_t { kHeld, kWorkerFull, kDatagramFull, kBucketFull };
  // Holds a later fragment of a datagram that find() has just missed.
  Hold hold(const FragmentKey& key, uint32_t hash, const HeldFragment& fragment, uint32_t now_ms);

  // Passes every held fragment older than hold_ms to expired(const HeldFragment&), oldest
  // first, and returns how many.
  template <class Expired>
  uint32_t expire(uint32_t now_ms, Expired&& expired) {
    uint32_t n = 0;
    while (oldest_ != kNoSlot && now_ms - slots_[oldest_].arrived_ms > settings_.hold_ms) {
      expired(pop_oldest());
      ++n;
    }
    return n;
  }

  // Empties the table; every held fragment goes to each(const HeldFragment&).
  template <class Each>
  void clear(Each&& each) {
    while (oldest_ != kNoSlot) each(pop_oldest());
    reset();
  }

  uint32_t held() const { return held_; }
  uint32_t datagrams() const { return used_; }  // including expired decisions not yet reused
  uint32_t capacity() const { return (bucket_mask_ + 1) * kWays; }
  uint32_t hold_capacity() const { return slot_count_; }
  const FragmentTableStats& stats() const { return stats_; }

 private:
  static constexpr uint16_t kNoSlot = 0xffff;
  static_assert(kMaxHeldFragments < kNoSlot);
  enum class State : uint8_t { kFree, kDecided, kWaiting };

  struct alignas(64) Entry {
    FragmentKey key;
    FragmentDecision decision;
    uint32_t last_ms = 0;
    uint16_t first_held = kNoSlot;
    uint16_t last_held = kNoSlot;
    uint16_t held = 0;
    State state = State::kFree;
  };
  static_assert(sizeof(Entry) == 64);

  struct Slot {
    HeldFragment fragment;
    uint32_t arrived_ms = 0;
    uint32_t entry = 0;        // its datagram's
    uint16_t next = kNoSlot;   // the datagram's next held fragment, or the next free slot
    uint16_t older = kNoSlot;  // by age, across datagrams
    uint16_t newer = kNoSlot;
  };

  template <class Fn>
  void take_held(Entry& e, Fn& fn) {
    for (uint16_t s = e.first_held; s != kNoSlot;) {
      const uint16_t next = slots_[s].next;
      unlink_age(s);
      const HeldFragment f = slots_[s].fragment;
      free_slot(s);
      fn(f);
      s = next;
    }
    e.first_held = e.last_held = kNoSlot;
    e.held = 0;
  }

  Entry* find_entry(const FragmentKey& key, uint32_t hash);
  // A way for a new datagram: free, expired, else the stalest decided; nullptr when every
  // way waits.
  Entry* room_for(uint32_t hash, uint32_t now_ms);
  Entry* stalest_waiting(uint32_t hash);
  void occupy(Entry& e, const FragmentKey& key);
  void free_entry(Entry& e);
  bool expired(const Entry& e, uint32_t now_ms) const {
    return now_ms - e.last_ms > settings_.timeout_ms;
  }
  HeldFragment pop_oldest();
  void unlink_age(uint16_t s);
  void free_slot(uint16_t s);
  void reset();

  FragmentSettings settings_;
  std::unique_ptr<Entry[]> entries_;
  uint32_t bucket_mask_ = 0;
  std::unique_ptr<Slot[]> slots_;
  uint16_t slot_count_ = 0;
  uint16_t free_slots_ = kNoSlot;
  uint16_t oldest_ = kNoSlot;
  uint16_t newest_ = kNoSlot;
  uint32_t held_ = 0;
  uint32_t used_ = 0;
  FragmentTableStats stats_;
};

}  // namespace sluice
