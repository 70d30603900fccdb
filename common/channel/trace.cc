// SPDX-License-Identifier: BSD-3-Clause
#include "channel/trace.h"

#include <span>

#include "channel/fields.h"
#include "net/wire.h"

namespace sluice::channel {
namespace {

constexpr std::string_view kFlagLetters = "FSRPAU";

using Words = std::vector<std::string_view>;

std::string flow_text(const TraceFlow& f) {
  return protocol_name(f.protocol) + " " + f.source.to_string() + " " +
         std::to_string(f.source_port) + " " + f.destination.to_string() + " " +
         std::to_string(f.destination_port);
}

std::optional<TraceFlow> read_flow(std::span<const std::string_view> words) {
  if (words.size() != 5) return std::nullopt;
  TraceFlow f;
  auto protocol = protocol_number(words[0]);
  auto source = read_address(words[1]);
  auto source_port = read_number(words[2], 65535);
  auto destination = read_address(words[3]);
  auto destination_port = read_number(words[4], 65535);
  if (!protocol || !source || !source_port || !destination || !destination_port)
    return std::nullopt;
  return TraceFlow{*protocol, *source, uint16_t(*source_port), *destination,
                   uint16_t(*destination_port)};
}

std::optional<MacAddress> read_mac(std::string_view word) { return MacAddress::parse(word); }

}  // namespace

std::string protocol_name(uint8_t protocol) {
  switch (protocol) {
    case wire::kProtoTcp:
      return "tcp";
    case wire::kProtoUdp:
      return "udp";
    case wire::kProtoIcmp:
      return "icmp";
    case wire::kProtoIcmpv6:
      return "ipv6-icmp";
    default:
      return std::to_string(protocol);
  }
}

std::optional<uint8_t> protocol_number(std::string_view name) {
  for (uint8_t p : {wire::kProtoTcp, wire::kProtoUdp, wire::kProtoIcmp, wire::kProtoIcmpv6})
    if (name == protocol_name(p)) return p;
  if (auto n = read_number(name, 255)) return uint8_t(*n);
  return std::nullopt;
}

std::string tcp_flag_letters(uint8_t flags) {
  std::string out;
  for (size_t i = 0; i < kFlagLetters.size(); ++i)
    if (flags & (1u << i)) out += kFlagLetters[i];
  return out;
}

std::optional<uint8_t> tcp_flags_from_letters(std::string_view letters) {
  uint8_t flags = 0;
  for (char c : letters) {
    const size_t i = kFlagLetters.find(c);
    if (i == std::string_view::npos) return std::nullopt;
    flags = uint8_t(flags | 1u << i);
  }
  return flags;
}

std::string encode_trace_request(const TraceRequest& r) {
  FieldWriter w;
  if (!r.port.empty()) w.add("port", r.port);
  if (r.tuple) {
    std::string flags = tcp_flag_letters(r.tcp_flags);
    w.add("tuple", flow_text(*r.tuple) + " " + (flags.empty() ? "-" : flags));
  } else {
    w.add("frame", to_hex(r.frame));
  }
  return w.take();
}

std::optional<TraceRequest> decode_trace_request(std::string_view payload, std::string& error) {
  TraceRequest r;
  bool frame = false;
  for (const Field& f : read_fields(payload)) {
    if (f.name == "port") {
      r.port = std::string(f.value);
    } else if (f.name == "tuple") {
      const Words words = split_words(f.value).value_or(Words());
      std::optional<uint8_t> flags;
      if (words.size() == 6) {
        r.tuple = read_flow(std::span(words).first(5));
        flags = words[5] == "-" ? uint8_t(0) : tcp_flags_from_letters(words[5]);
      }
      if (!r.tuple || !flags) {
        error = "trace request: bad tuple '" + std::string(f.value) + "'";
        return std::nullopt;
      }
      r.tcp_flags = *flags;
    } else if (f.name == "frame") {
      std::optional<std::string> bytes = from_hex(f.value);
      if (!bytes) {
        error = "trace request: the frame is not hex digits in pairs";
        return std::nullopt;
      }
      r.frame = std::move(*bytes);
      frame = true;
    }
  }
  if (r.tuple.has_value() == frame) {
    error = r.tuple ? "trace request: both a tuple and a frame"
                    : "trace request: neither a tuple nor a frame";
    return std::nullopt;
  }
  return r;
}

std::string encode_trace_result(const TraceResult& r) {
  FieldWriter w;
  if (!r.error.empty()) return w.add("error", r.error).take();
  w.add("port", r.port);
  w.add("length", r.length);
  w.add("packet", r.packet);
  if (r.flow) w.add("flow", flow_text(*r.flow));
  if (!r.tcp_flags.empty()) w.add("tcp_flags", r.tcp_flags);
  if (r.icmp_error) w.add("icmp_error", 1);
  if (r.flow || r.hash) w.add("hash", r.hash);
  if (!r.vip.empty()) w.add("vip", r.vip);
  if (!r.mode.empty()) w.add("mode", r.mode);
  if (r.worker)
    w.add("worker", std::to_string(*r.worker) + " " + std::to_string(r.lcore) + " " + r.worker_by);
  if (!r.flow_table.empty()) w.add("flow_table", r.flow_table);
  if (!r.entry_backend.empty())
    w.add("entry", r.entry_backend + " " + r.entry_state + " " + std::to_string(r.entry_idle_ms));
  if (r.maglev_slot)
    w.add("maglev", std::to_string(*r.maglev_slot) + " " + std::to_string(r.maglev_size) +
                        (r.maglev_backend.empty() ? "" : " " + r.maglev_backend));
  if (!r.backend.empty()) w.add("backend", r.backend);
  w.add("verdict", r.verdict);
  if (!r.drop.empty()) w.add("drop", r.drop);
  if (!r.drop_description.empty()) w.add("drop_description", r.drop_description);
  for (const std::string& c : r.counters) w.add("counter", c);
  if (!r.output.empty()) w.add("output", to_hex(r.output));
  if (r.output_source_mac && r.output_destination_mac)
    w.add("output_macs",
          r.output_source_mac->to_string() + " " + r.output_destination_mac->to_string());
  if (r.outer) w.add("outer", flow_text(*r.outer));
  return w.take();
}

std::optional<TraceResult> decode_trace_result(std::string_view payload, std::string& error) {
  TraceResult r;
  for (const Field& f : read_fields(payload)) {
    const Words words = split_words(f.value).value_or(Words());
    bool ok = true;
    auto number = [&](std::string_view word, uint64_t max) -> uint64_t {
      std::optional<uint64_t> n = read_number(word, max);
      ok = ok && n.has_value();
      return n.value_or(0);
    };
    if (f.name == "error") {
      r.error = std::string(f.value);
    } else if (f.name == "port") {
      r.port = std::string(f.value);
    } else if (f.name == "length") {
      r.length = uint32_t(number(f.value, UINT32_MAX));
    } else if (f.name == "packet") {
      r.packet = std::string(f.value);
    } else if (f.name == "flow") {
      r.flow = read_flow(words);
      ok = r.flow.has_value();
    } else if (f.name == "tcp_flags") {
      r.tcp_flags = std::string(f.value);
    } else if (f.name == "icmp_error") {
      r.icmp_error = number(f.value, 1) == 1;
    } else if (f.name == "hash") {
      r.hash = uint32_t(number(f.value, UINT32_MAX));
    } else if (f.name == "vip") {
      r.vip = std::string(f.value);
    } else if (f.name == "mode") {
      r.mode = std::string(f.value);
    } else if (f.name == "worker") {
      ok = words.size() == 3;
      if (ok) {
        r.worker = uint32_t(number(words[0], UINT32_MAX));
        r.lcore = uint32_t(number(words[1], UINT32_MAX));
        r.worker_by = std::string(words[2]);
      }
    } else if (f.name == "flow_table") {
      r.flow_table = std::string(f.value);
    } else if (f.name == "entry") {
      ok = words.size() == 3;
      if (ok) {
        r.entry_backend = std::string(words[0]);
        r.entry_state = std::string(words[1]);
        r.entry_idle_ms = uint32_t(number(words[2], UINT32_MAX));
      }
    } else if (f.name == "maglev") {
      ok = words.size() == 2 || words.size() == 3;
      if (ok) {
        r.maglev_slot = uint32_t(number(words[0], UINT32_MAX));
        r.maglev_size = uint32_t(number(words[1], UINT32_MAX));
        if (words.size() == 3) r.maglev_backend = std::string(words[2]);
      }
    } else if (f.name == "backend") {
      r.backend = std::string(f.value);
    } else if (f.name == "verdict") {
      r.verdict = std::string(f.value);
    } else if (f.name == "drop") {
      r.drop = std::string(f.value);
    } else if (f.name == "drop_description") {
      r.drop_description = std::string(f.value);
    } else if (f.name == "counter") {
      r.counters.emplace_back(f.value);
    } else if (f.name == "output") {
      std::optional<std::string> bytes = from_hex(f.value);
      ok = bytes.has_value();
      if (ok) r.output = std::move(*bytes);
    } else if (f.name == "output_macs") {
      ok = words.size() == 2;
      if (ok) {
        r.output_source_mac = read_mac(words[0]);
        r.output_destination_mac = read_mac(words[1]);
        ok = r.output_source_mac && r.output_destination_mac;
      }
    } else if (f.name == "outer") {
      r.outer = read_flow(words);
      ok = r.outer.has_value();
    }
    if (!ok) {
      error = "trace result: bad field '" + std::string(f.name) + " " + std::string(f.value) + "'";
      return std::nullopt;
    }
  }
  if (!r.error.empty()) {
    TraceResult only;  // an error is the whole answer
    only.error = std::move(r.error);
    return only;
  }
  if (r.verdict.empty()) {
    error = "trace result: no verdict";
    return std::nullopt;
  }
  return r;
}

}  // namespace sluice::channel
