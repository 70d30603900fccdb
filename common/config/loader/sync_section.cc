// SPDX-License-Identifier: BSD-3-Clause
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <set>

#include "config/loader/section.h"
#include "config/loader/sections.h"
#include "config/sync_limits.h"

namespace sluice::config::loader {

namespace {

constexpr std::string_view kSocketHint =
    "an IPv4 or IPv6 address and a port 1..65535, such as 10.0.0.11:7300 or [fd00::11]:7300";

std::string seconds(uint32_t ms) {
  std::string s = std::to_string(ms / 1000);
  if (ms % 1000) {
    std::string frac = std::to_string(1000 + ms % 1000).substr(1);
    while (frac.back() == '0') frac.pop_back();
    s += "." + frac;
  }
  return s;
}

std::optional<SocketAddress> socket_address(TomlReader& r, const toml::node& n,
                                            std::string_view what) {
  auto text = r.string(n, what);
  if (!text) return std::nullopt;
  if (auto a = SocketAddress::parse(*text)) return a;
  r.error(
      n, std::string(what) + " '" + *text + "' is not valid; allowed: " + std::string(kSocketHint));
  return std::nullopt;
}

bool key_size_ok(size_t size) { return size >= kMinSyncKeyBytes && size <= kMaxSyncKeyBytes; }
std::string key_size_hint() {
  return "allowed: " + std::to_string(kMinSyncKeyBytes) + " to " +
         std::to_string(kMaxSyncKeyBytes) + " bytes, e.g. the output of 'openssl rand -hex 32'";
}

void read_key_file(TomlReader& r, const toml::node& n, std::string& key) {
  auto path = r.string(n, "key_file");
  if (!path) return;
  if (path->empty() || (*path)[0] != '/') {
    r.error(n, "key_file '" + *path + "' is not valid; allowed: an absolute path");
    return;
  }
  std::ifstream in(*path, std::ios::binary);
  if (!in) {
    r.error(n, "key_file '" + *path + "' cannot be read: " + std::strerror(errno));
    return;
  }
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (!key_size_ok(text.size())) {
    r.error(n, "key_file '" + *path + "' holds a key of " + std::to_string(text.size()) +
                   " bytes (without its final newline); " + key_size_hint());
    return;
  }
  key = std::move(text);
}

void read_interval(TomlReader& r, const Section& s, std::string_view key, uint32_t& out) {
  const toml::node* n = s.get(key);
  if (!n) return;
  auto ms = r.milliseconds(*n, key);
  if (!ms) return;
  if (*ms > kMaxSyncIntervalMs) {
    r.error(*n, std::string(key) + " " + seconds(*ms) + " is out of range; allowed: 0.001.." +
                    seconds(kMaxSyncIntervalMs) + " (seconds)");
    return;
  }
  out = *ms;
}

}  // namespace

void load_sync(TomlReader& r, const toml::table& t, const FlowTimeouts& timeouts, SyncSettings& s) {
  Section sec(r, t, "in [sync]",
              {"enable", "listen", "peers", "key", "key_file", "node_id", "threshold_packets",
               "threshold_time", "refresh_interval", "send_rate", "install_rate", "table_reserve",
               "join_wait"});
  sec.read_boolean("enable", s.enable);

  if (const toml::node* n = sec.get("listen")) {
    if (auto a = socket_address(r, *n, "listen")) s.listen = *a;
  } else if (s.enable) {
    r.error(t, "[sync]: missing required key 'listen' (" + std::string(kSocketHint) +
                   ", this node's on the control network)");
  }

  if (const toml::node* n = sec.get("peers")) {
    if (const auto* a = r.array(*n, "peers")) {
      if (a->empty() && s.enable)
        r.error(*n, "peers is empty; list at least one peer, e.g. [\"10.0.0.12:7300\"]");
      if (a->size() > kMaxSyncPeers)
        r.error(*n, "peers lists " + std::to_string(a->size()) + " peers; allowed: at most " +
                        std::to_string(kMaxSyncPeers));
      std::set<std::pair<IpAddress, uint16_t>> seen;
      for (size_t i = 0; i < a->size(); ++i) {
        const toml::node& item = *a->get(i);
        auto peer = socket_address(r, item, "peers[" + std::to_string(i) + "]");
        if (!peer) continue;
        if (*peer == s.listen)
          r.error(item, "peers: '" + peer->to_string() + "' is this node's own listen address");
        else if (!seen.insert({peer->address, peer->port}).second)
          r.error(item, "peers: '" + peer->to_string() + "' is listed twice");
        else
          s.peers.push_back(*peer);
      }
    }
  } else if (s.enable) {
    r.error(t,
            "[sync]: missing required key 'peers' (the other nodes' listen addresses, e.g. "
            "[\"10.0.0.12:7300\"])");
  }

  const toml::node* key = sec.get("key");
  const toml::node* key_file = sec.get("key_file");
  if (key && key_file) {
    r.error(*key_file, "key and key_file are both set; keep one");
  } else if (key) {
    if (auto v = r.string(*key, "key")) {
      if (key_size_ok(v->size()))
        s.key = *v;
      else
        r.error(*key, "key is " + std::to_string(v->size()) + " bytes; " + key_size_hint());
    }
  } else if (key_file) {
    read_key_file(r, *key_file, s.key);
  } else if (s.enable) {
    r.error(t,
            "[sync]: missing required key 'key' or 'key_file' (the secret every node of the "
            "site shares, " +
                std::to_string(kMinSyncKeyBytes) + " bytes or more)");
  }

  sec.read_integer("node_id", s.node_id, 1, 0xFFFFFFFFll);
  if (s.node_id == 0) {
    const IpAddress& a = s.listen.address;
    s.node_id = uint32_t(a.bytes[12]) << 24 | uint32_t(a.bytes[13]) << 16 |
                uint32_t(a.bytes[14]) << 8 | a.bytes[15];
  }
  sec.read_integer("threshold_packets", s.threshold_packets, 1, kMaxSyncThresholdPackets);
  read_interval(r, sec, "threshold_time", s.threshold_ms);
  read_interval(r, sec, "refresh_interval", s.refresh_interval_ms);
  sec.read_integer("send_rate", s.send_rate, 1, kMaxSyncRate);
  sec.read_integer("install_rate", s.install_rate, 1, kMaxSyncRate);
  sec.read_integer("table_reserve", s.table_reserve_percent, 0, kMaxSyncReservePercent);
  if (const toml::node* n = sec.get("join_wait")) {
    const auto* zero = n->as_integer();
    if (zero && zero->get() == 0) {
      s.join_wait_ms = 0;
    } else if (auto ms = r.milliseconds(*n, "join_wait")) {
      if (*ms > kMaxSyncJoinWaitMs)
        r.error(*n, "join_wait " + seconds(*ms) + " is out of range; allowed: 0 (off) or 0.001.." +
                        seconds(kMaxSyncJoinWaitMs) + " (seconds)");
      else
        s.join_wait_ms = *ms;
    }
  }

  // A quiet flow's copy on a peer lives as long as the peer's timeout for its state: the
  // refresh must come first. The peers run the same [flow_timeouts].
  const std::pair<const char*, uint32_t> shortest =
      std::min({std::pair{"tcp_established", timeouts.tcp_established_ms},
                std::pair{"udp", timeouts.udp_ms}, std::pair{"other", timeouts.other_ms}},
               [](const auto& a, const auto& b) { return a.second < b.second; });
  if (s.enable && s.refresh_interval_ms >= shortest.second) {
    const toml::node* n = sec.get("refresh_interval");
    r.error_at(n ? n->source().begin : t.source().begin,
               "refresh_interval " + seconds(s.refresh_interval_ms) +
                   " is not shorter than flow_timeouts." + shortest.first + " (" +
                   seconds(shortest.second) +
                   "): a peer's copy of a quiet flow would expire before its refresh");
  }
}

}  // namespace sluice::config::loader
