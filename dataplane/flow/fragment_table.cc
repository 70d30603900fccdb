// SPDX-License-Identifier: BSD-3-Clause
#include "flow/fragment_table.h"

#include <algorithm>

namespace sluice {

namespace {

uint32_t buckets_for(uint32_t capacity) {
  const uint64_t wanted = (uint64_t(capacity) + FragmentTable::kWays - 1) / FragmentTable::kWays;
  uint64_t n = 1;
  while (n < wanted) n <<= 1;
  return uint32_t(n);
}

}  // namespace

FragmentTable::FragmentTable(const FragmentSettings& settings)
    : settings_(settings),
      entries_(new Entry[size_t(buckets_for(settings.table_size)) * kWays]),
      bucket_mask_(buckets_for(settings.table_size) - 1),
      slots_(new Slot[std::min(settings.hold, kMaxHeldFragments)]),
      slot_count_(uint16_t(std::min(settings.hold, kMaxHeldFragments))) {
  reset();
}

void FragmentTable::reset() {
  for (uint32_t i = 0; i < capacity(); ++i) entries_[i] = Entry{};
  free_slots_ = kNoSlot;
  for (uint16_t s = slot_count_; s-- > 0;) {
    slots_[s] = Slot{};
    slots_[s].next = free_slots_;
    free_slots_ = s;
  }
  oldest_ = newest_ = kNoSlot;
  held_ = 0;
  used_ = 0;
}

FragmentTable::Entry* FragmentTable::find_entry(const FragmentKey& key, uint32_t hash) {
  Entry* bucket = &entries_[size_t(hash & bucket_mask_) * kWays];
  for (uint32_t w = 0; w < kWays; ++w)
    if (bucket[w].state != State::kFree && bucket[w].key == key) return &bucket[w];
  return nullptr;
}

const FragmentDecision* FragmentTable::find(const FragmentKey& key, uint32_t hash,
                                            uint32_t now_ms) {
  Entry* e = find_entry(key, hash);
  if (!e || e->state != State::kDecided) return nullptr;
  if (expired(*e, now_ms)) {
    free_entry(*e);
    return nullptr;
  }
  e->last_ms = now_ms;
  return &e->decision;
}

FragmentTable::Entry* FragmentTable::room_for(uint32_t hash, uint32_t now_ms) {
  Entry* bucket = &entries_[size_t(hash & bucket_mask_) * kWays];
  Entry* stalest = nullptr;
  for (uint32_t w = 0; w < kWays; ++w) {
    Entry& e = bucket[w];
    if (e.state == State::kFree) return &e;
    if (e.state != State::kDecided) continue;
    if (expired(e, now_ms)) {
      free_entry(e);
      return &e;
    }
    if (!stalest || now_ms - e.last_ms > now_ms - stalest->last_ms) stalest = &e;
  }
  if (stalest) {
    ++stats_.decisions_evicted;
    free_entry(*stalest);
  }
  return stalest;
}

FragmentTable::Entry* FragmentTable::stalest_waiting(uint32_t hash) {
  Entry* bucket = &entries_[size_t(hash & bucket_mask_) * kWays];
  Entry* stalest = &bucket[0];
  for (uint32_t w = 1; w < kWays; ++w)
    if (int32_t(slots_[bucket[w].first_held].arrived_ms - slots_[stalest->first_held].arrived_ms) <
        0)
      stalest = &bucket[w];
  return stalest;
}

void FragmentTable::occupy(Entry& e, const FragmentKey& key) {
  e = Entry{};
  e.key = key;
  e.state = State::kWaiting;
  ++used_;
}

void FragmentTable::free_entry(Entry& e) {
  e.state = State::kFree;
  --used_;
}

FragmentTable::Hold FragmentTable::hold(const FragmentKey& key, uint32_t hash,
                                        const HeldFragment& fragment, uint32_t now_ms) {
  if (free_slots_ == kNoSlot) return Hold::kWorkerFull;
  Entry* e = find_entry(key, hash);
  if (e && e->held >= settings_.hold_per_datagram) return Hold::kDatagramFull;
  if (!e) {
    if (settings_.hold_per_datagram == 0) return Hold::kDatagramFull;
    e = room_for(hash, now_ms);
    if (!e) return Hold::kBucketFull;
    occupy(*e, key);
  }
  const uint16_t s = free_slots_;
  Slot& slot = slots_[s];
  free_slots_ = slot.next;
  slot.fragment = fragment;
  slot.arrived_ms = now_ms;
  slot.entry = uint32_t(e - entries_.get());
  slot.next = kNoSlot;
  if (e->last_held == kNoSlot)
    e->first_held = s;
  else
    slots_[e->last_held].next = s;
  e->last_held = s;
  ++e->held;
  e->last_ms = now_ms;
  slot.older = newest_;
  slot.newer = kNoSlot;
  if (newest_ == kNoSlot)
    oldest_ = s;
  else
    slots_[newest_].newer = s;
  newest_ = s;
  ++held_;
  return Hold::kHeld;
}

HeldFragment FragmentTable::pop_oldest() {
  const uint16_t s = oldest_;
  Entry& e = entries_[slots_[s].entry];
  // Both lists grow in arrival order, so the oldest of all is the first of its datagram.
  e.first_held = slots_[s].next;
  if (e.first_held == kNoSlot) e.last_held = kNoSlot;
  if (--e.held == 0) free_entry(e);
  unlink_age(s);
  const HeldFragment f = slots_[s].fragment;
  free_slot(s);
  return f;
}

void FragmentTable::unlink_age(uint16_t s) {
  Slot& slot = slots_[s];
  if (slot.older == kNoSlot)
    oldest_ = slot.newer;
  else
    slots_[slot.older].newer = slot.newer;
  if (slot.newer == kNoSlot)
    newest_ = slot.older;
  else
    slots_[slot.newer].older = slot.older;
}

void FragmentTable::free_slot(uint16_t s) {
  slots_[s].next = free_slots_;
  free_slots_ = s;
  --held_;
}

}  // namespace sluice
