// SPDX-License-Identifier: BSD-3-Clause
// The flow sync datagram: a batch of flow records from one node, signed with the site's
// shared key. Encoded by the sender's main lcore, decoded by the receiver's; pure, no
// allocation, any thread.
//
// Wire format, integers unsigned and big-endian, addresses as IpAddress::bytes (IPv4 as
// ::ffff:a.b.c.d):
//
//   header, 28 bytes
//     0   4  magic "SLSY"
//     4   1  version (1)
//     5   1  type (1: flows; 2: join request; 3: join done; 4: NAT connections)
//     6   2  record count: 1..kMaxRecords for flows, 1..kMaxNatRecords for NAT
//              connections, 0 for the others
//     8   4  sender's node id
//    12   8  sequence number, strictly increasing per sender
//    20   8  sender's UNIX time in milliseconds when it signed the batch
//   record, 80 bytes each
//     0  16  VIP address
//    16   2  VIP port (0: every port)
//    18   1  VIP protocol
//    19   1  flow state (FlowState, 0..4)
//    20  16  source address
//    36  16  destination address
//    52   2  source port
//    54   2  destination port
//    56   1  protocol
//    57   3  zero
//    60  16  backend address
//    76   4  idle time in milliseconds
//   or NAT connection record, 108 bytes each (NatSyncRecord)
//     0  60  as a flow record's, the flow being the client's packets (client -> VIP), but
//            for byte 57: 1 for a fullnat connection, 0 for nat
//    60  16  backend address
//    76   4  idle time in milliseconds
//    80  16  the answers' destination: the client (nat), the local address (fullnat)
//    96   2  the answers' destination port: the client's port, the local port
//    98   2  the answers' source port (the backend's)
//   100   6  the MAC the client's frames come from
//   106   2  zero
//   HMAC-SHA256 of everything before it with the shared key, 32 bytes
//
// A datagram is exactly one batch: 16 records make 1340 bytes, 12 NAT records 1356, inside
// one IPv4 or IPv6 packet on a 1500-byte link. A receiver of before NAT records refuses
// their batches as malformed (counted); the version stays 1.
//
// Bulk sync on join (docs/flow-sync.md): a node that starts sends a join request (a header
// without records, signed) to each peer; a peer answers with its long-lived flows in
// ordinary flow batches, then a join done (a header without records, signed). Both take
// a sequence number of their sender like any batch, so the replay window covers them.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "sync/hmac_sha256.h"
#include "sync/nat_sync_record.h"
#include "sync/sync_record.h"

namespace sluice::sync {

inline constexpr uint8_t kVersion = 1;
inline constexpr uint8_t kTypeFlows = 1;
inline constexpr uint8_t kTypeJoinRequest = 2;
inline constexpr uint8_t kTypeJoinDone = 3;
inline constexpr uint8_t kTypeNat = 4;
inline constexpr size_t kHeaderBytes = 28;
inline constexpr size_t kRecordBytes = 80;
inline constexpr size_t kMaxRecords = 16;
inline constexpr size_t kNatRecordBytes = 108;
inline constexpr size_t kMaxNatRecords = 12;
inline constexpr size_t kMaxMessageBytes =
    kHeaderBytes + std::max(kMaxRecords * kRecordBytes, kMaxNatRecords* kNatRecordBytes) +
    kMacBytes;

struct BatchHeader {
  uint32_t node_id = 0;
  uint64_t sequence = 0;
  uint64_t timestamp_ms = 0;
  friend bool operator==(const BatchHeader&, const BatchHeader&) = default;
};

struct Batch {
  BatchHeader header;
  uint8_t type = kTypeFlows;
  uint16_t count = 0;                         // 0 for a join request or done
  SyncRecord records[kMaxRecords];            // kTypeFlows
  NatSyncRecord nat_records[kMaxNatRecords];  // kTypeNat
};

// Why a datagram was refused. Each has its counter at the receiver (sync_counters.h).
enum class Verdict : uint8_t {
  kAccepted,
  kTruncated,  // shorter than its record count says, or than any batch
  kMalformed,  // not a sync batch of this version, or a bad count, field or length
  kForged,     // the MAC is not the shared key's over these bytes
  kReplayed,   // a sequence number this receiver has accepted, or one too old to tell
  kStale,      // timestamp outside the receiver's clock window
};
const char* to_string(Verdict v);

// Writes the batch of records (1..kMaxRecords) into out (at least kMaxMessageBytes) and
// returns its length.
size_t encode_batch(const BatchHeader& header, std::span<const SyncRecord> records,
                    std::string_view key, uint8_t* out);

// The same for NAT connection records (1..kMaxNatRecords), a kTypeNat batch.
size_t encode_nat_batch(const BatchHeader& header, std::span<const NatSyncRecord> records,
                        std::string_view key, uint8_t* out);

// Writes a message without records, kTypeJoinRequest or kTypeJoinDone, into out (at least
// kHeaderBytes + kMacBytes) and returns its length.
size_t encode_signal(const BatchHeader& header, uint8_t type, std::string_view key, uint8_t* out);

// Checks the format and the MAC of a datagram (any type) and fills `batch` from it. kAccepted,
// kTruncated, kMalformed or kForged: replay is the ReplayGuard's to judge, after this.
Verdict decode_batch(const uint8_t* data, size_t length, std::string_view key, Batch& batch);

}  // namespace sluice::sync
