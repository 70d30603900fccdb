// SPDX-License-Identifier: BSD-3-Clause
// One loader per table of the config file. Each reads its table into the model, reports
// every problem to the TomlReader, and checks what must be unique or consistent across
// tables against the Claims of the tables read before it. Control thread only.
#pragma once

#include <toml++/toml.h>

#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "config/config.h"
#include "config/loader/claims.h"
#include "config/loader/toml_reader.h"

namespace sluice::config::loader {

// The whole file: [dataplane], [controlplane], [metrics], [flow_timeouts], [fragments],
// [bgp], [sync], then [[port]], [[neighbor]], [nat], [[vip]] and [[vrrp]] in that order, each
// reading what the ones before it defined.
Config load_config(TomlReader& r, const toml::table& root);
// A desired-state update: only [[vip]] tables, checked against base's ports and neighbors.
// Returns base with its VIPs replaced.
Config load_vip_update(TomlReader& r, const toml::table& root, const Config& base);

void load_dataplane(TomlReader& r, const toml::table& t, DataplaneSettings& d);
void load_controlplane(TomlReader& r, const toml::table& t, ControlPlaneSettings& c);
void load_flow_timeouts(TomlReader& r, const toml::table& t, FlowTimeouts& f);
void load_fragments(TomlReader& r, const toml::table& t, FragmentSettings& f);
void load_metrics(TomlReader& r, const toml::table& t, MetricsSettings& m);
void load_bgp(TomlReader& r, const toml::table& t, BgpSettings& b);
// [sync], after [flow_timeouts]: the refresh must come before a peer's copy expires.
void load_sync(TomlReader& r, const toml::table& t, const FlowTimeouts& timeouts, SyncSettings& s);

// [nat], after [[port]] (its local addresses are not theirs) and before [[vip]];
// `workers` share its ports.
void load_nat(TomlReader& r, Claims& claims, const toml::table& t, size_t workers,
              NatSettings& nat);

// `index` is the table's position among its kind, for naming it before its name is known.
void load_port(TomlReader& r, Claims& claims, const toml::table& t, size_t index,
               std::vector<Port>& ports);
void load_neighbor(TomlReader& r, Claims& claims, const toml::table& t, size_t index,
                   std::vector<Neighbor>& neighbors);
void load_vip(TomlReader& r, Claims& claims, const toml::table& t, size_t index,
              const std::vector<Port>& ports, std::vector<Vip>& vips);
void load_vrrp(TomlReader& r, const toml::table& t, size_t index, const std::vector<Vip>& vips,
               std::vector<VrrpInstance>& vrrp);

// Parts of a [[vip]]. `entity` names the VIP ("vip 'www'") or the backend in messages.
void load_check(TomlReader& r, const toml::table& t, const std::string& entity, HealthCheck& check);
// [vip.bgp]; `backends` is how many the VIP has (min_healthy cannot exceed it).
void load_vip_bgp(TomlReader& r, const toml::table& t, const std::string& entity, size_t backends,
                  VipBgp& bgp);
// nullopt when the backend has no usable address or repeats one in `seen`. Sets
// *address_node to the node of the address, for the VIP's own checks of it.
std::optional<Backend> load_backend(TomlReader& r, const toml::table& t, const std::string& entity,
                                    const std::string& vip_entity, std::set<IpAddress>& seen,
                                    const toml::node** address_node);

}  // namespace sluice::config::loader
