// SPDX-License-Identifier: BSD-3-Clause
// Fuzz target: what a client can send sluiced's [metrics] listener. The first input byte
// picks the admin policy (bit 0: admin actions on, for the client's address or not: bit
// 1); the rest is the bytes received. They go through the request parser, and each whole
// request through the listener's routes (the status page, /metrics, admin actions) on the
// runtime API's fake model, as the server would, until the bytes run out or one is
// refused. Checked: the parser's contract (a whole request consumes at least one byte and
// no more than it was given; a refusal has a status and a reason) and every answer has a
// known status.
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "api/testing/fake_model.h"
#include "metrics/endpoint.h"
#include "metrics/http_request.h"

namespace sluice {
namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "http_listener_fuzz: %s\n", what);
  std::abort();
}

bool known(int status) { return metrics::reason_phrase(status) != "Unknown"; }

}  // namespace
}  // namespace sluice

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sluice;
  if (size < 1) return 0;
  const uint8_t selector = data[0];
  std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
  api::testing::FakeModel model;
  metrics::AdminPolicy policy{.enabled = (selector & 1) != 0,
                              .sources = {*IpPrefix::parse("127.0.0.0/8")}};
  metrics::Endpoint endpoint(model, policy);
  const IpAddress peer = *IpAddress::parse((selector & 2) ? "127.0.0.1" : "192.0.2.1");
  const metrics::HttpLimits limits;
  while (!in.empty()) {
    metrics::HttpParse p = metrics::parse_http_request(in, limits);
    if (p.state == metrics::HttpParse::State::kIncomplete) break;
    if (p.state == metrics::HttpParse::State::kRefused) {
      if (!known(p.status) || p.status < 400 || p.reason.empty())
        fail("a refusal without a known status or a reason");
      break;
    }
    if (p.consumed == 0 || p.consumed > in.size()) fail("a request of impossible length");
    if (!known(endpoint.handle(p.request, peer).status)) fail("an answer with an unknown status");
    in.remove_prefix(p.consumed);
  }
  return 0;
}
