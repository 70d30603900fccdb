// SPDX-License-Identifier: BSD-3-Clause
#include "config/loader/section.h"
#include "config/loader/sections.h"

namespace sluice::config::loader {

Config load_config(TomlReader& r, const toml::table& root) {
  Config cfg;
  Claims claims;
  Section s(r, root, "at the top level",
            {"dataplane", "controlplane", "metrics", "flow_timeouts", "fragments", "bgp", "sync",
             "nat", "port", "neighbor", "vip", "vrrp"});
  if (const toml::node* n = s.get("dataplane"))
    if (const auto* t = r.table(*n, "dataplane")) load_dataplane(r, *t, cfg.dataplane);
  if (const toml::node* n = s.get("controlplane"))
    if (const auto* t = r.table(*n, "controlplane")) load_controlplane(r, *t, cfg.controlplane);
  if (const toml::node* n = s.get("metrics"))
    if (const auto* t = r.table(*n, "metrics")) load_metrics(r, *t, cfg.metrics.emplace());
  if (const toml::node* n = s.get("flow_timeouts"))
    if (const auto* t = r.table(*n, "flow_timeouts")) load_flow_timeouts(r, *t, cfg.flow_timeouts);
  if (const toml::node* n = s.get("fragments"))
    if (const auto* t = r.table(*n, "fragments")) load_fragments(r, *t, cfg.fragments);
  if (const toml::node* n = s.get("bgp"))
    if (const auto* t = r.table(*n, "bgp")) load_bgp(r, *t, cfg.bgp);
  if (const toml::node* n = s.get("sync"))
    if (const auto* t = r.table(*n, "sync")) load_sync(r, *t, cfg.flow_timeouts, cfg.sync);

  // Ports and neighbors first: VIP checks look at port subnets and static neighbors.
  const toml::node* ports = s.get("port");
  if (!ports) {
    r.error_at({1, 1}, "no [[port]] defined; at least one port is required");
  } else if (auto tables = r.table_array(*ports, "port", "port", "port")) {
    if (ports->as_array()->empty())
      r.error(*ports, "no [[port]] defined; at least one port is required");
    for (size_t i = 0; i < tables->size(); ++i) load_port(r, claims, *(*tables)[i], i, cfg.ports);
  }
  if (const toml::node* n = s.get("neighbor"))
    if (auto tables = r.table_array(*n, "neighbor", "neighbor", "neighbor"))
      for (size_t i = 0; i < tables->size(); ++i)
        load_neighbor(r, claims, *(*tables)[i], i, cfg.neighbors);
  if (const toml::node* n = s.get("nat"))
    if (const auto* t = r.table(*n, "nat"))
      load_nat(r, claims, *t, cfg.dataplane.worker_lcores.size(), cfg.nat);
  if (const toml::node* n = s.get("vip"))
    if (auto tables = r.table_array(*n, "vip", "vip", "vip"))
      for (size_t i = 0; i < tables->size(); ++i)
        load_vip(r, claims, *(*tables)[i], i, cfg.ports, cfg.vips);
  if (const toml::node* n = s.get("vrrp"))
    if (auto tables = r.table_array(*n, "vrrp", "vrrp", "vrrp"))
      for (size_t i = 0; i < tables->size(); ++i)
        load_vrrp(r, *(*tables)[i], i, cfg.vips, cfg.vrrp);
  return cfg;
}

Config load_vip_update(TomlReader& r, const toml::table& root, const Config& base) {
  Config cfg = base;
  cfg.vips.clear();
  Claims claims;
  for (const Neighbor& n : base.neighbors) claims.neighbor_addresses.insert(n.address);
  for (const Port& port : base.ports) {
    for (const IpPrefix& p : port.addresses)
      claims.port_addresses.emplace(p.address, "port '" + port.name + "'");
    for (const IpAddress& a : port.host_addresses)
      claims.port_addresses.emplace(a, "port '" + port.name + "' (host_addresses)");
  }
  for (const IpAddress& a : base.nat.local_addresses)
    claims.nat_addresses.emplace(a, toml::source_position{});
  Section s(r, root, "in a VIP update", {"vip"});
  if (const toml::node* n = s.get("vip"))
    if (auto tables = r.table_array(*n, "vip", "vip", "vip"))
      for (size_t i = 0; i < tables->size(); ++i)
        load_vip(r, claims, *(*tables)[i], i, cfg.ports, cfg.vips);
  return cfg;
}

}  // namespace sluice::config::loader
