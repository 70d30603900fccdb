// SPDX-License-Identifier: BSD-3-Clause
#include <tuple>

#include "config/loader/section.h"
#include "config/loader/sections.h"
#include "config/loader/value_formats.h"
#include "config/node_limits.h"

namespace sluice::config::loader {

namespace {

// IPv4's smallest MTU (576) and the largest port mtu (9600), less 40 bytes of IP and TCP.
constexpr int64_t kMinMssClamp = 536;
constexpr int64_t kMaxMssClamp = 9560;

bool is_prime(uint32_t n) {
  if (n < 2) return false;
  for (uint32_t d = 2; d * d <= n; ++d)
    if (n % d == 0) return false;
  return true;
}

uint32_t next_prime(uint32_t n) {
  while (!is_prime(n)) ++n;
  return n;
}

std::string backend_is_a_vip(const IpAddress& address, const std::string& vip_entity) {
  return "backend " + address.to_string() + " is the address of " + vip_entity +
         "; a backend must be another host, not a VIP of this load balancer";
}

// A backend on one of the load balancer's own addresses or VIPs would be sent its own
// traffic (and the dataplane would ask for its own address forever).
bool backend_is_another_host(TomlReader& r, Claims& claims, const toml::node& n,
                             const IpAddress& address) {
  if (auto port = claims.port_addresses.find(address); port != claims.port_addresses.end()) {
    r.error(n, "backend " + address.to_string() + " is this load balancer's own address (" +
                   port->second + "); a backend must be another host");
    return false;
  }
  if (auto vip = claims.vip_addresses.find(address); vip != claims.vip_addresses.end()) {
    r.error(n, backend_is_a_vip(address, vip->second));
    return false;
  }
  if (claims.nat_addresses.contains(address)) {
    r.error(n, "backend " + address.to_string() +
                   " is a [nat] local address of this load balancer; a backend must be another "
                   "host");
    return false;
  }
  claims.backend_addresses.emplace(address, n.source().begin);
  return true;
}

}  // namespace

void load_vip(TomlReader& r, Claims& claims, const toml::table& t, size_t index,
              const std::vector<Port>& ports, std::vector<Vip>& vips) {
  Section s(
      r, t, "in [vip]",
      {"name", "address", "protocol", "port", "mode", "maglev_table_size", "encap_source",
       "encap_source6", "gue_port", "mss_clamp", "hash", "backend", "check", "bgp", "active"});
  Vip vip;
  std::string entity = "vip #" + std::to_string(index + 1);
  const bool over_vip_limit = ++claims.vips == kMaxVips + 1;
  if (const toml::node* n =
          s.require("name", entity, "a unique name, 1-63 characters from A-Z a-z 0-9 _ . -")) {
    if (auto v = r.string(*n, "name")) {
      if (!valid_name(*v, 63, true)) {
        r.error(*n,
                "name '" + *v + "' is not valid; allowed: 1-63 characters from A-Z a-z 0-9 _ . -");
      } else {
        entity = "vip '" + *v + "'";
        vip.name = *v;
        auto [it, fresh] = claims.vip_names.emplace(*v, n->source().begin.line);
        if (!fresh)
          r.error(*n, "vip name '" + *v + "' is already used (first at line " +
                          std::to_string(it->second) + ")");
      }
    }
  }
  if (over_vip_limit)
    r.error(t, entity + ": more than " + std::to_string(kMaxVips) + " VIPs; one sluice node " +
                   "carries at most " + std::to_string(kMaxVips));
  std::optional<IpAddress> address_value;
  if (const toml::node* n = s.require("address", entity, kAddressHint)) {
    if ((address_value = r.address(*n, "address"))) {
      vip.address = *address_value;
      claims.vip_addresses.emplace(*address_value, entity);
      if (claims.nat_addresses.contains(*address_value))
        r.error(*n, entity + ": address " + address_value->to_string() +
                        " is a [nat] local address; a VIP needs an address of its own");
      if (auto backend = claims.backend_addresses.find(*address_value);
          backend != claims.backend_addresses.end())
        r.error_at(backend->second, backend_is_a_vip(*address_value, entity));
    }
  }
  std::optional<uint8_t> protocol;
  if (const toml::node* n = s.require("protocol", entity, "allowed: tcp, udp")) {
    if (auto v = r.string(*n, "protocol")) {
      protocol = parse_protocol(*v);
      if (protocol)
        vip.protocol = *protocol;
      else
        r.error(*n, "protocol '" + *v + "' is not supported; allowed: tcp, udp");
    }
  }
  std::optional<int64_t> port;
  if (const toml::node* n = s.require("port", entity, "0..65535; 0 = every port"))
    if ((port = r.integer(*n, "port", 0, 65535))) vip.port = uint16_t(*port);
  std::optional<ForwardingMode> mode;
  if (const toml::node* n = s.require("mode", entity, "allowed: dsr-l2, ipip, gue, nat, fullnat")) {
    if (auto v = r.string(*n, "mode")) {
      mode = parse_forwarding_mode(*v);
      if (mode == ForwardingMode::kNat)
        for (const Port& port : ports)
          if (port.exception_path == ExceptionPath::kXdp)
            r.error(*n,
                    "mode nat needs the backends' answers to the clients, which the XDP "
                    "steering of port '" +
                        port.name +
                        "' (exception_path = \"xdp\") leaves to the kernel; use fullnat "
                        "or exception_path = \"tap\"");
      if (mode)
        vip.mode = *mode;
      else
        r.error(*n, "mode '" + *v + "' is not supported; allowed: dsr-l2, ipip, gue, nat, fullnat");
    }
  }
  if (const toml::node* n = s.get("maglev_table_size")) {
    if (auto v = r.integer(*n, "maglev_table_size", 7, 1000003)) {
      auto size = uint32_t(*v);
      if (is_prime(size))
        vip.maglev_table_size = size;
      else
        r.error(*n, "maglev_table_size " + std::to_string(size) +
                        " is not prime; use a prime such as " + std::to_string(next_prime(size)));
    }
  }
  if (const toml::node* n = s.get("hash")) {
    if (auto v = r.string(*n, "hash")) {
      if (auto hash = parse_vip_hash(*v))
        vip.hash = *hash;
      else
        r.error(*n,
                "hash '" + *v + "' is not supported; allowed: 5-tuple, source, source-destination");
    }
  }
  auto read_encap = [&](std::string_view key, bool want_v4, std::optional<IpPrefix>& out) {
    const toml::node* n = s.get(key);
    if (!n) return;
    auto pfx = r.prefix(*n, key);
    if (!pfx) return;
    if (pfx->address.is_v4() != want_v4) {
      r.error(*n, std::string(key) + " " + pfx->to_string() +
                      (want_v4 ? " is not IPv4; IPv6 outer sources go in encap_source6"
                               : " is not IPv6; IPv4 outer sources go in encap_source"));
      return;
    }
    if (mode && *mode != ForwardingMode::kIpip && *mode != ForwardingMode::kGue) {
      r.error(*n, std::string(key) + " is only used by modes ipip and gue; " + entity + " uses " +
                      to_string(*mode));
      return;
    }
    out = pfx;
  };
  read_encap("encap_source", true, vip.encap_source);
  read_encap("encap_source6", false, vip.encap_source6);
  if (const toml::node* n = s.get("gue_port")) {
    if (auto v = r.integer(*n, "gue_port", 1, 65535)) {
      if (mode && *mode != ForwardingMode::kGue)
        r.error(*n, "gue_port is only used by mode gue; " + entity + " uses " + to_string(*mode));
      else
        vip.gue_port = uint16_t(*v);
    }
  }

  if (const toml::node* n = s.get("mss_clamp")) {
    if (auto v = r.integer(*n, "mss_clamp", kMinMssClamp, kMaxMssClamp)) {
      if (protocol && *protocol != kProtocolTcp)
        r.error(*n, "mss_clamp is only used by TCP VIPs; " + entity + " is " +
                        protocol_name(*protocol));
      else
        vip.mss_clamp = uint16_t(*v);
    }
  }

  s.read_boolean("active", vip.active);
  if (const toml::node* n = s.get("check")) {
    if (const auto* ct = r.table(*n, "check")) {
      load_check(r, *ct, entity, vip.check);
      if (port && *port == 0 && vip.check.type != HealthCheck::Type::kNone && vip.check.port == 0)
        r.error(*ct, entity + " check: the VIP serves every port; set the check's port");
    }
  }

  const toml::node* backends = s.get("backend");
  std::optional<std::vector<const toml::table*>> backend_tables;
  if (!backends)
    r.error(t, entity + ": no backends; add at least one [[vip.backend]]");
  else if ((backend_tables = r.table_array(*backends, "backend", "vip.backend", "backend")) &&
           backends->as_array()->empty())
    r.error(*backends, entity + ": no backends; add at least one [[vip.backend]]");
  bool any_v4 = false, any_v6 = false;
  if (backend_tables) {
    std::set<IpAddress> seen;
    for (size_t i = 0; i < backend_tables->size(); ++i) {
      const toml::node* address_node = nullptr;
      auto b = load_backend(r, *(*backend_tables)[i], entity + " backend #" + std::to_string(i + 1),
                            entity, seen, &address_node);
      if (!b) continue;
      if (!backend_is_another_host(r, claims, *address_node, b->address)) continue;
      if (vip.backends.size() == kMaxBackendsPerVip)
        r.error(*address_node, entity + ": more than " + std::to_string(kMaxBackendsPerVip) +
                                   " backends; a VIP has at most " +
                                   std::to_string(kMaxBackendsPerVip));
      if (++claims.backend_pairs == size_t(kMaxBackends) + 1)
        r.error(*address_node, "more than " + std::to_string(kMaxBackends) +
                                   " backends over all VIPs; one sluice node carries at most " +
                                   std::to_string(kMaxBackends));
      (b->address.is_v4() ? any_v4 : any_v6) = true;
      const bool same_family = mode == ForwardingMode::kDsrL2 || (mode && is_nat(*mode));
      if (same_family && address_value && b->address.is_v4() != address_value->is_v4()) {
        r.error(*address_node, "backend " + b->address.to_string() + " is " +
                                   (b->address.is_v4() ? "IPv4" : "IPv6") + " but " + entity +
                                   " is " + (address_value->is_v4() ? "IPv4" : "IPv6") + "; " +
                                   to_string(*mode) +
                                   " needs backends of the VIP's family (ipip and gue can mix)");
        continue;
      }
      if (mode == ForwardingMode::kDsrL2 && address_value) {
        const std::string text = b->address.to_string();
        if (!claims.on_link(ports, b->address)) {
          r.error(*address_node, "backend " + text +
                                     " is not on-link for dsr-l2: no port address has it in its "
                                     "subnet and no [[neighbor]] names it; use ipip or gue for "
                                     "routed backends");
          continue;
        }
      }
      vip.backends.push_back(*b);
    }
  }
  if (const toml::node* n = s.get("bgp"))
    if (const auto* bt = r.table(*n, "bgp"))
      load_vip_bgp(r, *bt, entity, backend_tables ? backend_tables->size() : 0, vip.bgp);
  if (mode == ForwardingMode::kIpip || mode == ForwardingMode::kGue) {
    const std::string m = to_string(*mode);
    if (any_v4 && !s.get("encap_source"))
      r.error(t,
              entity + ": missing required key 'encap_source' (mode " + m +
                  " with IPv4 backends needs an IPv4 outer source prefix, e.g. \"172.16.0.0/16\")");
    if (any_v6 && !s.get("encap_source6"))
      r.error(
          t, entity + ": missing required key 'encap_source6' (mode " + m +
                 " with IPv6 backends needs an IPv6 outer source prefix, e.g. \"fd00:5eed::/64\")");
  }
  if (mode == ForwardingMode::kFullNat && address_value) {
    bool has_local = false;
    for (const auto& [local, where] : claims.nat_addresses)
      has_local |= local.is_v4() == address_value->is_v4();
    if (!has_local)
      r.error(t, entity + ": mode fullnat needs an " + (address_value->is_v4() ? "IPv4" : "IPv6") +
                     " address in [nat] local_addresses, the source of its connections to the "
                     "backends");
  }
  if (address_value && protocol && port) {
    auto [it, fresh] = claims.vip_identities.emplace(
        std::make_tuple(*address_value, *protocol, uint16_t(*port)), entity);
    if (!fresh)
      r.error(t, entity + " has the same address, protocol and port as " + it->second + " (" +
                     address_value->to_string() + " " + protocol_name(*protocol) + " port " +
                     std::to_string(*port) + ")");
  }
  // One route per address carries the attributes of every VIP on it.
  if (address_value) {
    for (const Vip& other : vips) {
      if (other.address != *address_value || (other.bgp.local_pref == vip.bgp.local_pref &&
                                              other.bgp.communities == vip.bgp.communities))
        continue;
      const toml::node* n = s.get("bgp");
      r.error(n ? *n : static_cast<const toml::node&>(t),
              entity + ": [vip.bgp] local_pref and communities differ from those of vip '" +
                  other.name + "' at the same address " + address_value->to_string() +
                  "; one route carries both: give them the same");
      break;
    }
  }
  vips.push_back(std::move(vip));
}

}  // namespace sluice::config::loader
