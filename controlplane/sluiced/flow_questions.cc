// SPDX-License-Identifier: BSD-3-Clause
// trace and show conns: questions only the dataplane can answer, passed on over its
// channel; the API's answer waits for the dataplane's (api/later_reply.h).
#include "sluiced/daemon.h"

namespace sluice::sluiced {

namespace {

// What the dataplane said instead of the answer wanted (an older dataplane: "unknown
// message type"), as one line.
std::string unexpected(const channel::Message& m) {
  return "the dataplane answered: " + m.payload.substr(0, m.payload.find('\n'));
}

}  // namespace

void Daemon::trace(const channel::TraceRequest& request, TraceDone done) {
  dataplane_.ask(channel::MessageType::kTrace, channel::encode_trace_request(request), now_ms(),
                 [done](const channel::Message* m, const std::string& why) {
                   channel::TraceResult r;
                   std::string error;
                   if (!m)
                     r.error = why;
                   else if (m->type != channel::MessageType::kTraceResult)
                     r.error = unexpected(*m);
                   else if (auto decoded = channel::decode_trace_result(m->payload, error))
                     r = std::move(*decoded);
                   else
                     r.error = error;
                   done(r);
                 });
}

void Daemon::conns(const channel::ConnsRequest& request, ConnsDone done) {
  dataplane_.ask(channel::MessageType::kConns, channel::encode_conns_request(request), now_ms(),
                 [done](const channel::Message* m, const std::string& why) {
                   channel::ConnsResult r;
                   std::string error;
                   if (!m)
                     r.error = why;
                   else if (m->type != channel::MessageType::kConnsResult)
                     r.error = unexpected(*m);
                   else if (auto decoded = channel::decode_conns_result(m->payload, error))
                     r = std::move(*decoded);
                   else
                     r.error = error;
                   done(r);
                 });
}

}  // namespace sluice::sluiced
