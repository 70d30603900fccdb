// SPDX-License-Identifier: BSD-3-Clause
#include "sync/message.h"

#include <cstring>

#include "net/wire.h"

namespace sluice::sync {

namespace {

constexpr uint8_t kMagic[4] = {'S', 'L', 'S', 'Y'};
constexpr uint8_t kLastState = uint8_t(FlowState::kOther);

void put16(uint8_t* p, uint16_t v) {
  p[0] = uint8_t(v >> 8);
  p[1] = uint8_t(v);
}
void put32(uint8_t* p, uint32_t v) {
  put16(p, uint16_t(v >> 16));
  put16(p + 2, uint16_t(v));
}
void put64(uint8_t* p, uint64_t v) {
  put32(p, uint32_t(v >> 32));
  put32(p + 4, uint32_t(v));
}
uint16_t get16(const uint8_t* p) { return uint16_t(p[0] << 8 | p[1]); }
uint32_t get32(const uint8_t* p) { return uint32_t(get16(p)) << 16 | get16(p + 2); }
uint64_t get64(const uint8_t* p) { return uint64_t(get32(p)) << 32 | get32(p + 4); }

void put_address(uint8_t* p, const IpAddress& a) { std::memcpy(p, a.bytes.data(), 16); }
IpAddress get_address(const uint8_t* p) {
  IpAddress a;
  std::memcpy(a.bytes.data(), p, 16);
  return a;
}

void encode_record(const SyncRecord& r, uint8_t* p) {
  put_address(p, r.vip.address);
  put16(p + 16, r.vip.port);
  p[18] = r.vip.protocol;
  p[19] = uint8_t(r.state);
  put_address(p + 20, r.flow.src);
  put_address(p + 36, r.flow.dst);
  put16(p + 52, r.flow.src_port);
  put16(p + 54, r.flow.dst_port);
  p[56] = r.flow.protocol;
  p[57] = p[58] = p[59] = 0;
  put_address(p + 60, r.backend);
  put32(p + 76, r.age_ms);
}

bool decode_record(const uint8_t* p, SyncRecord& r) {
  if (p[19] > kLastState || p[57] || p[58] || p[59]) return false;
  r = SyncRecord{};
  r.vip.address = get_address(p);
  r.vip.port = get16(p + 16);
  r.vip.protocol = p[18];
  r.state = FlowState(p[19]);
  r.flow.src = get_address(p + 20);
  r.flow.dst = get_address(p + 36);
  r.flow.src_port = get16(p + 52);
  r.flow.dst_port = get16(p + 54);
  r.flow.protocol = p[56];
  r.backend = get_address(p + 60);
  r.age_ms = get32(p + 76);
  return true;
}

void encode_nat_record(const NatSyncRecord& r, uint8_t* p) {
  encode_record(SyncRecord{.vip = r.vip,
                           .flow = r.forward,
                           .backend = r.backend,
                           .age_ms = r.age_ms,
                           .state = r.state},
                p);
  p[57] = r.fullnat ? 1 : 0;
  put_address(p + 80, r.reply.dst);
  put16(p + 96, r.reply.dst_port);
  put16(p + 98, r.reply.src_port);
  std::memcpy(p + 100, r.client_mac.bytes.data(), 6);
  p[106] = p[107] = 0;
}

bool decode_nat_record(const uint8_t* p, NatSyncRecord& r) {
  uint8_t flow_part[kRecordBytes];
  std::memcpy(flow_part, p, kRecordBytes);
  const uint8_t fullnat = flow_part[57];
  flow_part[57] = 0;
  SyncRecord flow;
  if (fullnat > 1 || p[106] || p[107] || !decode_record(flow_part, flow)) return false;
  if (flow.flow.protocol != wire::kProtoTcp && flow.flow.protocol != wire::kProtoUdp) return false;
  r = NatSyncRecord{};
  r.vip = flow.vip;
  r.forward = flow.flow;
  r.backend = flow.backend;
  r.age_ms = flow.age_ms;
  r.state = flow.state;
  r.fullnat = fullnat == 1;
  r.reply.src = flow.backend;
  r.reply.dst = get_address(p + 80);
  r.reply.dst_port = get16(p + 96);
  r.reply.src_port = get16(p + 98);
  r.reply.protocol = flow.flow.protocol;
  std::memcpy(r.client_mac.bytes.data(), p + 100, 6);
  return true;
}

}  // namespace

const char* to_string(Verdict v) {
  switch (v) {
    case Verdict::kAccepted:
      return "accepted";
    case Verdict::kTruncated:
      return "truncated";
    case Verdict::kMalformed:
      return "malformed";
    case Verdict::kForged:
      return "forged";
    case Verdict::kReplayed:
      return "replayed";
    case Verdict::kStale:
      return "stale";
  }
  return "?";
}

namespace {

void encode_header(const BatchHeader& header, uint8_t type, uint16_t count, uint8_t* out) {
  std::memcpy(out, kMagic, sizeof kMagic);
  out[4] = kVersion;
  out[5] = type;
  put16(out + 6, count);
  put32(out + 8, header.node_id);
  put64(out + 12, header.sequence);
  put64(out + 20, header.timestamp_ms);
}

}  // namespace

size_t encode_signal(const BatchHeader& header, uint8_t type, std::string_view key, uint8_t* out) {
  encode_header(header, type, 0, out);
  const Mac mac = hmac_sha256(key, out, kHeaderBytes);
  std::memcpy(out + kHeaderBytes, mac.data(), kMacBytes);
  return kHeaderBytes + kMacBytes;
}

size_t encode_batch(const BatchHeader& header, std::span<const SyncRecord> records,
                    std::string_view key, uint8_t* out) {
  encode_header(header, kTypeFlows, uint16_t(records.size()), out);
  size_t length = kHeaderBytes;
  for (const SyncRecord& r : records) {
    encode_record(r, out + length);
    length += kRecordBytes;
  }
  const Mac mac = hmac_sha256(key, out, length);
  std::memcpy(out + length, mac.data(), kMacBytes);
  return length + kMacBytes;
}

size_t encode_nat_batch(const BatchHeader& header, std::span<const NatSyncRecord> records,
                        std::string_view key, uint8_t* out) {
  encode_header(header, kTypeNat, uint16_t(records.size()), out);
  size_t length = kHeaderBytes;
  for (const NatSyncRecord& r : records) {
    encode_nat_record(r, out + length);
    length += kNatRecordBytes;
  }
  const Mac mac = hmac_sha256(key, out, length);
  std::memcpy(out + length, mac.data(), kMacBytes);
  return length + kMacBytes;
}

Verdict decode_batch(const uint8_t* data, size_t length, std::string_view key, Batch& batch) {
  if (length < kHeaderBytes) return Verdict::kTruncated;
  const uint8_t type = data[5];
  if (std::memcmp(data, kMagic, sizeof kMagic) != 0 || data[4] != kVersion || type < kTypeFlows ||
      type > kTypeNat)
    return Verdict::kMalformed;
  const uint16_t count = get16(data + 6);
  const size_t most = type == kTypeFlows ? kMaxRecords : type == kTypeNat ? kMaxNatRecords : 0;
  if (most ? count == 0 || count > most : count != 0) return Verdict::kMalformed;
  const size_t record_bytes = type == kTypeNat ? kNatRecordBytes : kRecordBytes;
  const size_t signed_length = kHeaderBytes + count * record_bytes;
  if (length < signed_length + kMacBytes) return Verdict::kTruncated;
  if (length > signed_length + kMacBytes) return Verdict::kMalformed;
  if (!mac_equal(data + signed_length, hmac_sha256(key, data, signed_length)))
    return Verdict::kForged;

  batch.header = {get32(data + 8), get64(data + 12), get64(data + 20)};
  batch.type = type;
  batch.count = count;
  for (uint16_t i = 0; i < count; ++i) {
    const uint8_t* record = data + kHeaderBytes + i * record_bytes;
    if (type == kTypeNat ? !decode_nat_record(record, batch.nat_records[i])
                         : !decode_record(record, batch.records[i]))
      return Verdict::kMalformed;
  }
  return Verdict::kAccepted;
}

}  // namespace sluice::sync
