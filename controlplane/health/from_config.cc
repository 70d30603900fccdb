// SPDX-License-Identifier: BSD-3-Clause
#include "health/from_config.h"

namespace sluice::health {

std::optional<CheckSpec> check_spec_for(const config::Vip& vip, const IpAddress& backend) {
  const config::HealthCheck& c = vip.check;
  CheckSpec s;
  switch (c.type) {
    case config::HealthCheck::Type::kNone:
      return std::nullopt;
    case config::HealthCheck::Type::kTcp:
      s.kind = CheckSpec::Kind::kTcp;
      break;
    case config::HealthCheck::Type::kHttp:
      s.kind = CheckSpec::Kind::kHttp;
      break;
    case config::HealthCheck::Type::kUdp:
      s.kind = CheckSpec::Kind::kUdp;
      break;
  }
  s.address = backend;
  s.port = c.port ? c.port : vip.port;
  s.interval_ms = c.interval_ms;
  s.fast_interval_ms = c.fast_interval_ms;
  s.down_interval_ms = c.down_interval_ms;
  s.timeout_ms = c.timeout_ms;
  s.rise = c.rise;
  s.fall = c.fall;
  s.http_path = c.http_path;
  s.http_host = c.http_host;
  s.http_status_min = c.http_status_min;
  s.http_status_max = c.http_status_max;
  s.udp_payload = c.udp_payload;
  s.udp_expect = c.udp_expect;
  s.initial = c.initial_up ? CheckSpec::Initial::kUp : CheckSpec::Initial::kDown;
  return s;
}

}  // namespace sluice::health
