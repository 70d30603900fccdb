// SPDX-License-Identifier: BSD-3-Clause
#include "trace/packet_tracer.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstring>
#include <new>

#include "flow/hash.h"
#include "lb/maglev.h"
#include "packet/parser.h"
#include "pipeline/flow_owner.h"
#include "pipeline/rx_admission.h"

namespace sluice {
namespace {

// The scratch flow table: one bucket, for the one flow a trace is about.
constexpr uint32_t kScratchFlows = FlowTable::kWays;

const char* packet_kind(PacketKind kind) {
  switch (kind) {
    case PacketKind::kIpv4:
      return "ipv4";
    case PacketKind::kIpv6:
      return "ipv6";
    case PacketKind::kArp:
      return "arp";
    case PacketKind::kOther:
      return "other";
    case PacketKind::kDrop:
      break;
  }
  return "malformed";
}

bool is_ip(const ParsedPacket& p) {
  return p.kind == PacketKind::kIpv4 || p.kind == PacketKind::kIpv6;
}

channel::TraceFlow flow_of(const FlowKey& k) {
  return {k.protocol, k.src, k.src_port, k.dst, k.dst_port};
}

std::string drop_counter(DropReason r) {
  return "drop_" + std::string(kDropReasons[size_t(r)].name);
}

void set_drop(channel::TraceResult& r, DropReason reason) {
  r.verdict = "drop";
  r.drop = kDropReasons[size_t(reason)].name;
  r.drop_description = kDropReasons[size_t(reason)].description;
}

}  // namespace

const char* flow_state_name(FlowState state) {
  switch (state) {
    case FlowState::kTcpSynOnly:
      return "syn";
    case FlowState::kTcpEstablished:
      return "established";
    case FlowState::kTcpClosing:
      return "closing";
    case FlowState::kUdp:
      return "udp";
    case FlowState::kOther:
      break;
  }
  return "other";
}

void PacketTracer::CountersDeleter::operator()(WorkerCounters* c) const {
  ::munmap(c, sizeof(WorkerCounters));
}

PacketTracer::PacketTracer(const FlowTimeouts& timeouts) {
  // Anonymous pages read as zero until written: the counters exist (an aggregate of
  // integers) without their 25 MB being touched.
  void* memory = ::mmap(nullptr, sizeof(WorkerCounters), PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (memory == MAP_FAILED) throw std::bad_alloc();
  counters_.reset(static_cast<WorkerCounters*>(memory));
  pipeline_ = std::make_unique<Pipeline>(kScratchFlows, timeouts, *counters_);
  result_ = std::make_unique<BurstResult>();
}

PacketTracer::~PacketTracer() = default;

TracePlan PacketTracer::plan(std::string_view frame, const TracePort& port,
                             const ForwardingState& state) {
  TracePlan plan;
  if (frame.size() > port.max_frame_length) return plan;
  ParsedPacket p;
  parse_frame(reinterpret_cast<const uint8_t*>(frame.data()), uint32_t(frame.size()), p);
  if (!is_ip(p) ||
      state.vip_table.find(p.key.dst, p.key.protocol, p.key.dst_port) == VipTable::kNone)
    return plan;
  plan.ask = true;
  plan.key = p.key;
  plan.hash = flow_hash(p.key);
  if (!port.flow_workers.empty()) {
    plan.owner = port.flow_workers[flow_owner(plan.hash, uint32_t(port.flow_workers.size()))];
    plan.owner_by = "handoff";
  } else if (port.queue_workers.size() == 1) {
    plan.owner = port.queue_workers.front();
    plan.owner_by = "only-worker";
  }
  if (plan.owner)
    plan.workers = {*plan.owner};
  else
    plan.workers.assign(port.queue_workers.begin(), port.queue_workers.end());
  return plan;
}

channel::TraceResult PacketTracer::explain(std::string_view frame, const TracePort& port,
                                           const TracePlan& plan,
                                           std::span<const FlowAnswer* const> answers,
                                           std::span<const uint32_t> lcores,
                                           const ForwardingState& state, const VipName& vip_name,
                                           uint32_t now_ms) {
  channel::TraceResult r;
  r.port = port.name;
  r.length = uint32_t(frame.size());
  const auto* bytes = reinterpret_cast<const uint8_t*>(frame.data());
  ParsedPacket p;
  parse_frame(bytes, uint32_t(frame.size()), p);
  r.packet = packet_kind(p.kind);
  if (is_ip(p)) {
    r.flow = flow_of(p.key);
    if (p.key.protocol == wire::kProtoTcp) r.tcp_flags = channel::tcp_flag_letters(p.tcp_flags);
    r.icmp_error = p.icmp_error;
    r.hash = flow_hash(p.key);
  }

  if (auto refused = refused_before_pipeline(uint32_t(frame.size()), 1, port.max_frame_length)) {
    set_drop(r, *refused);
    r.counters.push_back(drop_counter(*refused));
    return r;
  }

  const uint32_t vip_index =
      is_ip(p) ? state.vip_table.find(p.key.dst, p.key.protocol, p.key.dst_port) : VipTable::kNone;
  const VipEntry* vip = vip_index == VipTable::kNone ? nullptr : &state.vips[vip_index];
  auto backend_text = [&](uint32_t id) {
    const BackendEntry* b = vip ? state.backend(id, vip_index) : nullptr;
    return b ? b->address.to_string() : std::string("gone");
  };
  if (vip) {
    r.vip = vip_name(*vip);
    r.mode = config::to_string(vip->mode);
    if (!vip->maglev.empty()) {
      const uint32_t size = uint32_t(vip->maglev.size());
      const uint32_t slot = reduce(r.hash, size);
      r.maglev_slot = slot;
      r.maglev_size = size;
      if (vip->maglev[slot] != kMaglevNoBackend)
        r.maglev_backend = vip->backends[vip->maglev[slot]].address.to_string();
    }
  }

  // The worker's entry, copied into the tracer's table.
  FlowTable& scratch = pipeline_->flows();
  scratch.clear();
  if (vip && plan.ask && plan.key == p.key) {
    const FlowAnswer* chosen = nullptr;
    size_t chosen_index = 0;
    for (size_t i = 0; i < answers.size() && i < plan.workers.size(); ++i) {
      const bool found = answers[i]->found && !answers[i]->found->expired;
      if (!chosen || (found && !(chosen->found && !chosen->found->expired))) {
        chosen = answers[i];
        chosen_index = i;
      }
    }
    if (chosen && (plan.owner || chosen->found)) {
      r.worker = plan.workers[chosen_index];
      r.lcore = *r.worker < lcores.size() ? lcores[*r.worker] : 0;
      r.worker_by = plan.owner ? plan.owner_by : "rss";
    }
    if (chosen && chosen->found) {
      const FlowView& e = *chosen->found;
      r.flow_table = e.expired ? "expired" : "hit";
      r.entry_backend = backend_text(e.backend_id);
      r.entry_state = flow_state_name(e.state);
      r.entry_idle_ms = e.idle_ms;
      scratch.insert(plan.key, plan.hash, e.backend_id, e.state, now_ms - e.idle_ms);
    } else if (chosen && plan.owner) {
      r.flow_table = chosen->has_room ? "miss" : "full";
    } else {
      r.flow_table = "miss-everywhere";
    }
  }

  // The copy, placed in the buffer as in an mbuf of the port.
  const uint32_t headroom = port.headroom;
  const uint32_t room = std::max<uint32_t>(port.buffer_length, headroom + uint32_t(frame.size()));
  if (buffer_.size() < room) buffer_.resize(room);
  std::memcpy(buffer_.data() + headroom, frame.data(), frame.size());
  PacketBuffer copy{buffer_.data() + headroom, uint32_t(frame.size()), headroom,
                    room - headroom - uint32_t(frame.size())};

  WorkerCounters& c = *counters_;
  uint64_t events[kWorkerCounterCount];
  uint64_t drops[kDropReasonCount];
  std::memcpy(events, c.events, sizeof events);
  std::memcpy(drops, c.drops, sizeof drops);
  pipeline_->process_burst(&copy, 1, port.index, state, now_ms, *result_);
  const Action action = result_->actions[0];

  std::optional<DropReason> dropped;
  for (size_t i = 0; i < kWorkerCounterCount; ++i) {
    const auto e = WorkerCounter(i);
    if (e == WorkerCounter::rx_packets || e == WorkerCounter::rx_bytes) continue;
    if (c.events[i] != events[i]) r.counters.push_back(kWorkerCounters[i].name);
  }
  if (r.flow_table == "full") {
    // The tracer's table had room; the worker's has none, and counts what it could not keep.
    auto created = std::find(r.counters.begin(), r.counters.end(), "flow_new");
    if (created != r.counters.end())
      r.counters.insert(created + 1,
                        kWorkerCounters[size_t(WorkerCounter::flow_insert_failures)].name);
  }
  for (size_t i = 0; i < kDropReasonCount; ++i)
    if (c.drops[i] != drops[i]) {
      dropped = DropReason(i);
      r.counters.push_back(drop_counter(*dropped));
    }

  switch (action) {
    case Action::kTransmit:
      r.verdict = c[WorkerCounter::forwarded] != events[size_t(WorkerCounter::forwarded)]
                      ? "forward"
                      : "reply";
      break;
    case Action::kToHost:
      if (port.exception_path) {
        r.verdict = "to-host";
      } else {
        set_drop(r, kNoExceptionPath);
        r.counters.push_back(drop_counter(kNoExceptionPath));
      }
      break;
    case Action::kDrop:
      if (dropped)
        set_drop(r, *dropped);
      else
        r.verdict = "consumed";
      break;
    case Action::kHold:
      // A later fragment: it waits for its datagram's first one, which the tracer's own
      // fragment table never saw (docs/fragments.md). Let go at once: it is the copy.
      r.verdict = "held";
      break;
    case Action::kHandOff:  // the tracer steers no fragment to another worker
      break;
  }
  pipeline_->release_fragments(*result_);

  if (vip) {
    std::optional<FlowView> entry = scratch.find(p.key, r.hash, now_ms);
    if (entry && !entry->expired && state.backend(entry->backend_id, vip_index))
      r.backend = backend_text(entry->backend_id);
    else if (r.drop != kDropReasons[size_t(DropReason::vip_no_backend)].name)
      r.backend = r.maglev_backend;
  }

  if (action == Action::kTransmit) {
    r.output.assign(reinterpret_cast<const char*>(copy.data), copy.length);
    if (copy.length >= wire::kEthHeaderLen) {
      MacAddress source, destination;
      std::memcpy(destination.bytes.data(), copy.data + wire::kEthDstOffset, 6);
      std::memcpy(source.bytes.data(), copy.data + wire::kEthSrcOffset, 6);
      r.output_source_mac = source;
      r.output_destination_mac = destination;
    }
    if (r.verdict == "forward" && vip && vip->mode != ForwardingMode::kDsrL2) {
      ParsedPacket out;
      parse_frame(copy.data, copy.length, out);
      if (is_ip(out)) r.outer = flow_of(out.key);
    }
  }
  return r;
}

}  // namespace sluice
