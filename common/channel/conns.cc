// SPDX-License-Identifier: BSD-3-Clause
#include "channel/conns.h"

#include "channel/fields.h"
#include "channel/trace.h"

namespace sluice::channel {

std::string encode_conns_request(const ConnsRequest& r) {
  return FieldWriter().add("vip", r.vip).add("limit", r.limit).take();
}

std::optional<ConnsRequest> decode_conns_request(std::string_view payload, std::string& error) {
  ConnsRequest r;
  bool vip = false;
  for (const Field& f : read_fields(payload)) {
    if (f.name == "vip") {
      r.vip = std::string(f.value);
      vip = !r.vip.empty();
    } else if (f.name == "limit") {
      std::optional<uint64_t> limit = read_number(f.value, kMaxConnsRows);
      if (!limit || *limit == 0) {
        error = "conns request: limit '" + std::string(f.value) + "' is not in 1.." +
                std::to_string(kMaxConnsRows);
        return std::nullopt;
      }
      r.limit = uint32_t(*limit);
    }
  }
  if (!vip) {
    error = "conns request: no VIP";
    return std::nullopt;
  }
  return r;
}

std::string encode_conns_result(const ConnsResult& r) {
  FieldWriter w;
  if (!r.error.empty()) return w.add("error", r.error).take();
  w.add("vip", r.vip).add("flows", r.flows);
  for (const ConnsBackend& b : r.backends)
    w.add("backend", b.backend.to_string() + " " + std::to_string(b.flows));
  for (const ConnRow& c : r.rows)
    w.add("conn",
          protocol_name(c.protocol) + " " + c.client.to_string() + " " +
              std::to_string(c.client_port) + " " + std::to_string(c.port) + " " +
              c.backend.to_string() + " " + std::to_string(c.worker) + " " + c.state + " " +
              std::to_string(c.idle_ms) +
              (c.local ? " " + c.local->to_string() + " " + std::to_string(c.local_port) : ""));
  return w.take();
}

std::optional<ConnsResult> decode_conns_result(std::string_view payload, std::string& error) {
  ConnsResult r;
  bool vip = false;
  for (const Field& f : read_fields(payload)) {
    const std::vector<std::string_view> words =
        split_words(f.value).value_or(std::vector<std::string_view>());
    bool ok = true;
    if (f.name == "error") {
      r.error = std::string(f.value);
    } else if (f.name == "vip") {
      r.vip = std::string(f.value);
      vip = true;
    } else if (f.name == "flows") {
      std::optional<uint64_t> n = read_number(f.value, UINT64_MAX);
      ok = n.has_value();
      r.flows = n.value_or(0);
    } else if (f.name == "backend") {
      std::optional<IpAddress> address;
      std::optional<uint64_t> flows;
      if (words.size() == 2) {
        address = read_address(words[0]);
        flows = read_number(words[1], UINT64_MAX);
      }
      ok = address && flows;
      if (ok) r.backends.push_back({*address, *flows});
    } else if (f.name == "conn") {
      ok = words.size() == 8 || words.size() == 10;
      std::optional<IpAddress> local;
      std::optional<uint64_t> local_port;
      if (ok && words.size() == 10) {
        local = read_address(words[8]);
        local_port = read_number(words[9], 65535);
        ok = local && local_port;
      }
      if (ok) {
        auto protocol = protocol_number(words[0]);
        auto client = read_address(words[1]);
        auto client_port = read_number(words[2], 65535);
        auto port = read_number(words[3], 65535);
        auto backend = read_address(words[4]);
        auto worker = read_number(words[5], UINT32_MAX);
        auto idle = read_number(words[7], UINT32_MAX);
        ok = protocol && client && client_port && port && backend && worker && idle;
        if (ok)
          r.rows.push_back({*protocol, *client, uint16_t(*client_port), uint16_t(*port), *backend,
                            uint32_t(*worker), std::string(words[6]), uint32_t(*idle), local,
                            uint16_t(local_port.value_or(0))});
      }
    }
    if (!ok) {
      error = "conns result: bad field '" + std::string(f.name) + " " + std::string(f.value) + "'";
      return std::nullopt;
    }
  }
  if (!r.error.empty()) {
    ConnsResult only;  // an error is the whole answer
    only.error = std::move(r.error);
    return only;
  }
  if (!vip) {
    error = "conns result: no VIP";
    return std::nullopt;
  }
  return r;
}

}  // namespace sluice::channel
