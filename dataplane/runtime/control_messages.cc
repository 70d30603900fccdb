// SPDX-License-Identifier: BSD-3-Clause
// sluiced's messages on the control channel: the desired VIPs, announcement requests, the
// counters, and the questions about flows (flow_questions.cc).
#include <cstdio>
#include <mutex>
#include <set>
#include <string>

#include "config/config_loader.h"
#include "runtime/dataplane.h"

namespace sluice {

ControlServer::Answer Dataplane::on_control(const channel::Message& message) {
  using channel::MessageType;
  switch (message.type) {
    case MessageType::kDesiredState: {
      config::LoadResult update =
          config::parse_vip_update(message.payload, "sluiced desired state", config_);
      if (!update.config) {
        std::string errors;
        for (const config::ConfigError& e : update.errors) errors += e.to_string() + "\n";
        std::fprintf(stderr, "sluice-dataplane: desired state refused:\n%s", errors.c_str());
        return {{MessageType::kStateRejected, errors}};
      }
      managed_ = true;
      if (update.config->vips != config_.vips) {
        config::Config next = config_;
        next.vips = std::move(update.config->vips);
        if (std::string error; !apply(std::move(next), "sluiced", error))
          return {{MessageType::kStateRejected, error}};
      }
      return {{MessageType::kStateApplied, "generation " + std::to_string(generation_)}};
    }
    case MessageType::kAnnounce: {
      std::set<std::string> names;
      size_t start = 0;
      while (start < message.payload.size()) {
        size_t end = message.payload.find('\n', start);
        if (end == std::string::npos) end = message.payload.size();
        if (end > start) names.insert(message.payload.substr(start, end - start));
        start = end + 1;
      }
      size_t count = 0;
      for (const config::Vip& v : config_.vips) {
        if (!v.active || (!names.empty() && !names.count(v.name))) continue;
        // One round per request: sluiced's VRRP instance paces its own rounds.
        schedule_announcement(v.address, 1, now_ms());
        ++count;
      }
      return {{MessageType::kStateApplied, "announced " + std::to_string(count)}};
    }
    case MessageType::kGetStats:
      return {{MessageType::kStats, channel::encode_stats(channel_stats())}};
    case MessageType::kTrace:
      return on_trace(message.payload);
    case MessageType::kConns:
      return on_conns(message.payload);
    default:
      return {{MessageType::kStateRejected,
               "unknown message type " + std::to_string(unsigned(message.type)) + "\n"}};
  }
}

}  // namespace sluice
