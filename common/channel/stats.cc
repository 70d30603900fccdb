// SPDX-License-Identifier: BSD-3-Clause
#include "channel/stats.h"

#include <algorithm>

#include "net/wire.h"

namespace sluice::channel {

namespace {

constexpr size_t kTrafficSize = 3 * 8;
// The fewest bytes an entry takes: a count is checked against them before anything is
// reserved, so a forged count cannot make the decoder allocate.
constexpr size_t kMinCounterSize = 1 + 1 + 8;
constexpr size_t kMinVipSize = 1 + 1 + kTrafficSize + 8 + 4;
constexpr size_t kBackendSize = 16 + kTrafficSize;
constexpr size_t kWorkerSize = 4 + 4 + 6 * 8;

void put_u8(std::string& out, uint8_t v) { out.push_back(char(v)); }

void put_u32(std::string& out, uint32_t v) {
  uint8_t b[4];
  wire::store_be32(b, v);
  out.append(reinterpret_cast<const char*>(b), sizeof b);
}

void put_u64(std::string& out, uint64_t v) {
  uint8_t b[8];
  wire::store_be64(b, v);
  out.append(reinterpret_cast<const char*>(b), sizeof b);
}

void put_name(std::string& out, std::string_view name) {
  name = name.substr(0, kMaxStatsNameLength);
  put_u8(out, uint8_t(name.size()));
  out.append(name);
}

void put_traffic(std::string& out, const Traffic& t) {
  put_u64(out, t.packets);
  put_u64(out, t.bytes);
  put_u64(out, t.new_flows);
}

// Reads the fields in order. The first failure sets the error (which entry, which field,
// at which byte, why) and every later read returns zero without reading.
class Reader {
 public:
  Reader(std::string_view in, std::string& error) : in_(in), error_(error) {}

  bool failed() const { return failed_; }
  size_t offset() const { return pos_; }
  size_t remaining() const { return in_.size() - pos_; }
  // What the next reads belong to, for the error: "counter 3", "VIP 'www' backend 2".
  void entry(std::string name) { entry_ = std::move(name); }

  void fail(const std::string& why) {
    if (failed_) return;
    failed_ = true;
    error_ = "stats payload: " + (entry_.empty() ? "" : entry_ + " ") + why;
  }

  uint8_t u8(const char* field) {
    const uint8_t* p = take(1, field);
    return p ? *p : 0;
  }
  uint32_t u32(const char* field) {
    const uint8_t* p = take(4, field);
    return p ? wire::load_be32(p) : 0;
  }
  uint64_t u64(const char* field) {
    const uint8_t* p = take(8, field);
    return p ? wire::load_be64(p) : 0;
  }

  Traffic traffic() {
    Traffic t;
    t.packets = u64("packets");
    t.bytes = u64("bytes");
    t.new_flows = u64("new_flows");
    return t;
  }

  IpAddress address() {
    IpAddress a;
    if (const uint8_t* p = take(a.bytes.size(), "address"))
      std::copy_n(p, a.bytes.size(), a.bytes.begin());
    return a;
  }

  std::string name() {
    size_t at = pos_;
    uint8_t length = u8("name length");
    if (!failed_ && length == 0) fail("name at byte " + std::to_string(at) + " is empty");
    const uint8_t* p = take(length, "name");
    if (!p) return {};
    std::string name(reinterpret_cast<const char*>(p), length);
    for (size_t i = 0; i < name.size(); ++i) {
      auto c = static_cast<unsigned char>(name[i]);
      if (c <= ' ' || c > '~') {
        fail("name at byte " + std::to_string(at) + " has byte " + hex(c) + " at position " +
             std::to_string(i + 1) + "; allowed: printable ASCII without spaces");
        return {};
      }
    }
    return name;
  }

  // A count of entries that take at least `min_size` bytes each: more than the remaining
  // bytes can hold is an error.
  uint32_t count(const char* field, size_t min_size) {
    size_t at = pos_;
    uint32_t n = u32(field);
    if (!failed_ && n > remaining() / min_size) {
      fail(std::string(field) + " " + std::to_string(n) + " at byte " + std::to_string(at) +
           " is more than the " + std::to_string(remaining()) + " remaining bytes can hold");
      return 0;
    }
    return n;
  }

 private:
  static std::string hex(unsigned char c) {
    const char* digits = "0123456789abcdef";
    return std::string("0x") + digits[c >> 4] + digits[c & 15];
  }

  const uint8_t* take(size_t n, const char* field) {
    if (failed_) return nullptr;
    if (remaining() < n) {
      fail(std::string(field) + " at byte " + std::to_string(pos_) + " needs " + std::to_string(n) +
           " bytes, " + std::to_string(remaining()) + " remain");
      return nullptr;
    }
    const auto* p = reinterpret_cast<const uint8_t*>(in_.data() + pos_);
    pos_ += n;
    return p;
  }

  std::string_view in_;
  std::string& error_;
  size_t pos_ = 0;
  bool failed_ = false;
  std::string entry_;
};

}  // namespace

std::string encode_stats(const Stats& stats) {
  std::string out;
  put_u64(out, stats.generation);
  put_u32(out, uint32_t(stats.counters.size()));
  for (const auto& [name, value] : stats.counters) {
    put_name(out, name);
    put_u64(out, value);
  }
  put_u32(out, uint32_t(stats.vips.size()));
  for (const VipStats& v : stats.vips) {
    put_name(out, v.name);
    put_traffic(out, v.traffic);
    put_u64(out, v.syns_not_admitted);
    put_u32(out, uint32_t(v.backends.size()));
    for (const BackendStats& b : v.backends) {
      out.append(reinterpret_cast<const char*>(b.address.bytes.data()), b.address.bytes.size());
      put_traffic(out, b.traffic);
    }
  }
  put_u32(out, uint32_t(stats.workers.size()));
  for (const WorkerStats& w : stats.workers) {
    put_u32(out, w.lcore);
    put_u32(out, w.busy_ppm);
    put_u64(out, w.busy_cycles);
    put_u64(out, w.loop_cycles);
    put_u64(out, w.active_flows);
    put_u64(out, w.flow_capacity);
    put_u64(out, w.flow_insert_failures);
    put_u64(out, w.flow_evictions);
  }
  return out;
}

std::optional<Stats> decode_stats(std::string_view payload, std::string& error) {
  Reader in(payload, error);
  Stats stats;
  stats.generation = in.u64("generation");
  uint32_t counters = in.count("counter count", kMinCounterSize);
  stats.counters.reserve(counters);
  for (uint32_t i = 0; i < counters && !in.failed(); ++i) {
    in.entry("counter " + std::to_string(i + 1));
    std::string name = in.name();
    uint64_t value = in.u64("value");
    stats.counters.emplace_back(std::move(name), value);
  }
  in.entry("");
  uint32_t vips = in.count("VIP count", kMinVipSize);
  stats.vips.reserve(vips);
  for (uint32_t i = 0; i < vips && !in.failed(); ++i) {
    in.entry("VIP " + std::to_string(i + 1));
    VipStats& v = stats.vips.emplace_back();
    v.name = in.name();
    std::string vip = "VIP '" + v.name + "'";
    in.entry(vip);
    v.traffic = in.traffic();
    v.syns_not_admitted = in.u64("syns_not_admitted");
    uint32_t backends = in.count("backend count", kBackendSize);
    v.backends.reserve(backends);
    for (uint32_t j = 0; j < backends && !in.failed(); ++j) {
      in.entry(vip + " backend " + std::to_string(j + 1));
      BackendStats& b = v.backends.emplace_back();
      b.address = in.address();
      b.traffic = in.traffic();
    }
  }
  in.entry("");
  uint32_t workers = in.count("worker count", kWorkerSize);
  stats.workers.reserve(workers);
  for (uint32_t i = 0; i < workers && !in.failed(); ++i) {
    in.entry("worker " + std::to_string(i));
    WorkerStats& w = stats.workers.emplace_back();
    w.lcore = in.u32("lcore");
    const size_t at = in.offset();
    w.busy_ppm = in.u32("busy_ppm");
    if (w.busy_ppm > kBusyPpmScale)
      in.fail("busy_ppm " + std::to_string(w.busy_ppm) + " at byte " + std::to_string(at) +
              " is more than " + std::to_string(kBusyPpmScale));
    w.busy_cycles = in.u64("busy_cycles");
    w.loop_cycles = in.u64("loop_cycles");
    w.active_flows = in.u64("active_flows");
    w.flow_capacity = in.u64("flow_capacity");
    w.flow_insert_failures = in.u64("flow_insert_failures");
    w.flow_evictions = in.u64("flow_evictions");
  }
  in.entry("");
  if (!in.failed() && in.remaining() > 0)
    in.fail(std::to_string(in.remaining()) + " bytes after the last worker, at byte " +
            std::to_string(in.offset()));
  if (in.failed()) return std::nullopt;
  return stats;
}

}  // namespace sluice::channel
