// SPDX-License-Identifier: BSD-3-Clause
// sluiced's questions about flows: kTrace (a frame through the packet path's own code,
// trace/packet_tracer.h) and kConns (a sample of one VIP's flows). Both need the workers'
// flow tables, which only the workers read (trace/flow_mailbox.h): the answer waits for
// theirs, polled by the control server.
#include <rte_mbuf.h>

#include <algorithm>
#include <memory>
#include <tuple>

#include "channel/conns.h"
#include "channel/trace.h"
#include "runtime/dataplane.h"
#include "trace/probe_frame.h"

namespace sluice {

namespace {

constexpr uint32_t kTraceDeadlineMs = 2'000;
constexpr uint32_t kConnsDeadlineMs = 10'000;

channel::Message trace_error(std::string text) {
  channel::TraceResult r;
  r.error = std::move(text);
  return {channel::MessageType::kTraceResult, channel::encode_trace_result(r)};
}

channel::Message conns_error(std::string text) {
  channel::ConnsResult r;
  r.error = std::move(text);
  return {channel::MessageType::kConnsResult, channel::encode_conns_result(r)};
}

std::string late(uint32_t deadline_ms) {
  return "the workers did not answer within " + std::to_string(deadline_ms / 1000) + " s";
}

bool past(uint32_t now_ms, uint32_t deadline_ms) { return int32_t(now_ms - deadline_ms) >= 0; }

struct TraceJob {
  std::string frame;
  TracePort port;
  TracePlan plan;
  std::unique_ptr<FlowQuestion> question;
  uint32_t deadline_ms = 0;
};

struct ConnsJob {
  channel::ConnsRequest request;
  std::vector<uint32_t> ids;         // the VIP's backend ids, sorted
  std::vector<IpAddress> addresses;  // parallel to ids
  std::unique_ptr<FlowQuestion> question;
  uint32_t deadline_ms = 0;
};

}  // namespace

TracePort Dataplane::trace_port(uint16_t index) const {
  const EthPort& e = ports_[index];
  TracePort p;
  p.index = index;
  p.name = e.name;
  p.max_frame_length = e.max_frame_length;
  p.headroom = RTE_PKTMBUF_HEADROOM;
  p.buffer_length = rte_pktmbuf_data_room_size(e.pool);
  p.exception_path = e.to_host != nullptr;
  if (!e.handoff.empty()) p.flow_workers = e.flow_workers;
  // Queue q is polled by worker q % workers (start()).
  for (uint16_t w = 0; w < workers_.size() && w < e.queues; ++w) p.queue_workers.push_back(w);
  return p;
}

ControlServer::Answer Dataplane::on_trace(const std::string& payload) {
  std::string error;
  std::optional<channel::TraceRequest> request = channel::decode_trace_request(payload, error);
  if (!request) return {trace_error(error)};
  const ForwardingState* state = publisher_->current();
  if (!state || ports_.empty()) return {trace_error("the dataplane has no forwarding state yet")};
  uint16_t index = 0;
  if (!request->port.empty()) {
    auto it = std::find_if(ports_.begin(), ports_.end(),
                           [&](const EthPort& p) { return p.name == request->port; });
    if (it == ports_.end()) return {trace_error("no port named '" + request->port + "'")};
    index = uint16_t(it - ports_.begin());
  }

  auto job = std::make_shared<TraceJob>();
  if (request->tuple) {
    std::optional<std::string> frame =
        probe_frame(*request->tuple, request->tcp_flags, state->ports[index].mac, error);
    if (!frame) return {trace_error(error)};
    job->frame = std::move(*frame);
  } else {
    job->frame = std::move(request->frame);
  }
  job->port = trace_port(index);
  job->plan = PacketTracer::plan(job->frame, job->port, *state);

  auto explain = [this, job]() -> channel::Message {
    std::vector<const FlowAnswer*> answers;
    for (size_t i = 0; job->question && i < job->question->workers().size(); ++i)
      answers.push_back(&job->question->answer(i));
    std::vector<uint32_t> lcores;
    for (const std::unique_ptr<Worker>& w : workers_) lcores.push_back(w->lcore());
    auto vip_name = [this](const VipEntry& v) {
      for (const config::Vip& c : config_.vips)
        if (c.address == v.key.address && c.protocol == v.key.protocol && c.port == v.key.port)
          return c.name;
      return std::string("?");
    };
    channel::TraceResult r = tracer_->explain(job->frame, job->port, job->plan, answers, lcores,
                                              *publisher_->current(), vip_name, now_ms());
    return {channel::MessageType::kTraceResult, channel::encode_trace_result(r)};
  };
  if (!job->plan.ask) return {explain()};

  job->question = std::make_unique<FlowQuestion>(
      *mailboxes_, job->plan.workers, [key = job->plan.key, hash = job->plan.hash](FlowRequest& q) {
        q.kind = FlowRequest::Kind::kFind;
        q.key = key;
        q.hash = hash;
        q.backend_ids.clear();
        q.limit = 0;
      });
  job->deadline_ms = now_ms() + kTraceDeadlineMs;
  return {{}, [this, job, explain]() -> std::optional<channel::Message> {
            if (job->question->poll()) return explain();
            if (past(now_ms(), job->deadline_ms)) return trace_error(late(kTraceDeadlineMs));
            return std::nullopt;
          }};
}

ControlServer::Answer Dataplane::on_conns(const std::string& payload) {
  std::string error;
  std::optional<channel::ConnsRequest> request = channel::decode_conns_request(payload, error);
  if (!request) return {conns_error(error)};
  auto vip = std::find_if(config_.vips.begin(), config_.vips.end(),
                          [&](const config::Vip& v) { return v.name == request->vip; });
  if (vip == config_.vips.end()) return {conns_error("no VIP named '" + request->vip + "'")};
  const ForwardingState* state = publisher_->current();
  const uint32_t index =
      state ? state->vip_table.find(vip->address, vip->protocol, vip->port) : VipTable::kNone;
  if (index == VipTable::kNone || state->vips[index].key.port != vip->port)
    return {conns_error("VIP '" + request->vip + "' is not active in the dataplane")};

  auto job = std::make_shared<ConnsJob>();
  job->request = *request;
  std::vector<std::pair<uint32_t, IpAddress>> backends;
  for (const BackendEntry& b : state->vips[index].backends) backends.push_back({b.id, b.address});
  std::sort(backends.begin(), backends.end());
  for (const auto& [id, address] : backends) {
    job->ids.push_back(id);
    job->addresses.push_back(address);
  }
  std::vector<uint32_t> workers;
  for (uint32_t w = 0; w < workers_.size(); ++w) workers.push_back(w);
  job->question = std::make_unique<FlowQuestion>(
      *mailboxes_, std::move(workers), [job = job.get()](FlowRequest& q) {
        q.kind = FlowRequest::Kind::kScan;
        q.backend_ids.assign(job->ids.begin(), job->ids.end());
        q.limit = job->request.limit;
      });
  job->deadline_ms = now_ms() + kConnsDeadlineMs;

  auto sample = [this, job]() -> channel::Message {
    channel::ConnsResult r;
    r.vip = job->request.vip;
    const FlowQuestion& q = *job->question;
    std::vector<uint64_t> per_backend(job->ids.size(), 0);
    size_t longest = 0;
    for (size_t i = 0; i < q.workers().size(); ++i) {
      const FlowAnswer& a = q.answer(i);
      r.flows += a.flows;
      for (size_t b = 0; b < per_backend.size() && b < a.per_backend.size(); ++b)
        per_backend[b] += a.per_backend[b];
      longest = std::max(longest, a.rows.size());
    }
    for (size_t b = 0; b < job->ids.size(); ++b)
      r.backends.push_back({job->addresses[b], per_backend[b]});
    std::sort(r.backends.begin(), r.backends.end(),
              [](const auto& x, const auto& y) { return x.backend < y.backend; });
    // The workers' samples in turn, so that each is represented when the limit cuts.
    for (size_t row = 0; row < longest && r.rows.size() < job->request.limit; ++row)
      for (size_t i = 0; i < q.workers().size() && r.rows.size() < job->request.limit; ++i) {
        const FlowAnswer& a = q.answer(i);
        if (row >= a.rows.size()) continue;
        const FlowView& f = a.rows[row];
        auto id = std::lower_bound(job->ids.begin(), job->ids.end(), f.backend_id);
        r.rows.push_back({f.key.protocol, f.key.src, f.key.src_port, f.key.dst_port,
                          job->addresses[size_t(id - job->ids.begin())], q.workers()[i],
                          flow_state_name(f.state), f.idle_ms, f.local, f.local_port});
      }
    std::sort(r.rows.begin(), r.rows.end(),
              [](const channel::ConnRow& x, const channel::ConnRow& y) {
                return std::tie(x.backend, x.client, x.client_port, x.port, x.worker) <
                       std::tie(y.backend, y.client, y.client_port, y.port, y.worker);
              });
    return {channel::MessageType::kConnsResult, channel::encode_conns_result(r)};
  };
  return {{}, [this, job, sample]() -> std::optional<channel::Message> {
            if (job->question->poll()) return sample();
            if (past(now_ms(), job->deadline_ms)) return conns_error(late(kConnsDeadlineMs));
            return std::nullopt;
          }};
}

}  // namespace sluice
