// SPDX-License-Identifier: BSD-3-Clause
#include "channel/message.h"

#include "net/wire.h"

namespace sluice::channel {

std::string encode(MessageType type, std::string_view payload) {
  std::string out(kHeaderSize, '\0');
  auto* h = reinterpret_cast<uint8_t*>(out.data());
  wire::store_be32(h, kMagic);
  wire::store_be16(h + 4, kVersion);
  wire::store_be16(h + 6, uint16_t(type));
  wire::store_be32(h + 8, uint32_t(payload.size()));
  out.append(payload);
  return out;
}

Decoder::Status Decoder::next(Message& out, std::string& error) {
  if (buffer_.size() < kHeaderSize) return Status::kNeedMore;
  const auto* h = reinterpret_cast<const uint8_t*>(buffer_.data());
  if (wire::load_be32(h) != kMagic) {
    error = "not a sluice channel message (bad magic)";
    return Status::kError;
  }
  if (uint16_t version = wire::load_be16(h + 4); version != kVersion) {
    error = "channel version " + std::to_string(version) + " not supported (this side speaks " +
            std::to_string(kVersion) + ")";
    return Status::kError;
  }
  uint32_t length = wire::load_be32(h + 8);
  if (length > kMaxPayload) {
    error = "message of " + std::to_string(length) + " bytes exceeds the limit of " +
            std::to_string(kMaxPayload);
    return Status::kError;
  }
  if (buffer_.size() < kHeaderSize + length) return Status::kNeedMore;
  out.type = MessageType(wire::load_be16(h + 6));
  out.payload.assign(buffer_, kHeaderSize, length);
  buffer_.erase(0, kHeaderSize + length);
  return Status::kMessage;
}

}  // namespace sluice::channel
