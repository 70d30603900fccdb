// SPDX-License-Identifier: BSD-3-Clause
// The payloads of MessageType::kConns and kConnsResult: a sample of the active flows of
// one VIP, read from every worker's flow table. Text fields (channel/fields.h). Pure; any
// thread.
//
//   kConns        vip NAME, limit N (1..kMaxConnsRows)
//   kConnsResult  error TEXT alone, or: vip NAME, flows N (every active flow of the VIP),
//                 then `backend ADDRESS FLOWS` per backend, then `conn` per flow shown:
//                 PROTO CLIENT CLIENT_PORT PORT BACKEND WORKER STATE IDLE_MS, and for a
//                 fullnat connection LOCAL LOCAL_PORT (what the backend sees)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/ip_address.h"

namespace sluice::channel {

inline constexpr uint32_t kDefaultConnsRows = 100;
inline constexpr uint32_t kMaxConnsRows = 10'000;

struct ConnsRequest {
  std::string vip;
  uint32_t limit = kDefaultConnsRows;
  friend bool operator==(const ConnsRequest&, const ConnsRequest&) = default;
};

struct ConnRow {
  uint8_t protocol = 0;
  IpAddress client;
  uint16_t client_port = 0;
  uint16_t port = 0;  // the VIP port the client reached
  IpAddress backend;
  uint32_t worker = 0;
  std::string state;  // "syn", "established", "closing", "udp", "other"
  uint32_t idle_ms = 0;
  std::optional<IpAddress> local;  // fullnat: the source the backend sees, with its port
  uint16_t local_port = 0;
  friend bool operator==(const ConnRow&, const ConnRow&) = default;
};

struct ConnsBackend {
  IpAddress backend;
  uint64_t flows = 0;
  friend bool operator==(const ConnsBackend&, const ConnsBackend&) = default;
};

struct ConnsResult {
  std::string error;  // non-empty: nothing was read, and this says why
  std::string vip;
  uint64_t flows = 0;                  // active flows of the VIP on every worker
  std::vector<ConnsBackend> backends;  // every backend of the VIP, with its flow count
  std::vector<ConnRow> rows;           // at most the limit asked for
  friend bool operator==(const ConnsResult&, const ConnsResult&) = default;
};

std::string encode_conns_request(const ConnsRequest& request);
std::optional<ConnsRequest> decode_conns_request(std::string_view payload, std::string& error);
std::string encode_conns_result(const ConnsResult& result);
std::optional<ConnsResult> decode_conns_result(std::string_view payload, std::string& error);

}  // namespace sluice::channel
