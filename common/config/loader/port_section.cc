// SPDX-License-Identifier: BSD-3-Clause
#include <algorithm>

#include "config/loader/device_identity.h"
#include "config/loader/section.h"
#include "config/loader/sections.h"
#include "config/loader/value_formats.h"

namespace sluice::config::loader {

namespace {

// Every frame for a unicast MAC not the port's is matched against this list.
constexpr size_t kMaxAcceptMacs = 16;
constexpr size_t kMaxHostAddresses = 64;

// Neither unspecified, nor multicast, nor IPv4 broadcast.
bool is_unicast(const IpAddress& a) {
  if (a.is_v4()) return a.v4_host_order() != 0 && a.bytes[12] < 224;
  return !a.is_zero() && a.bytes[0] != 0xff;
}

void load_accept_macs(TomlReader& r, const toml::node& n, Port& p) {
  const auto* a = r.array(n, "accept_macs");
  if (!a) return;
  for (size_t i = 0; i < a->size(); ++i) {
    const toml::node& e = *a->get(i);
    const std::string what = "accept_macs[" + std::to_string(i) + "]";
    auto mac = r.unicast_mac(e, what);
    if (!mac) continue;
    if (p.mac && *mac == *p.mac) {
      r.error(e, what + " " + mac->to_string() + " is the port's own mac; list other MACs only");
    } else if (std::find(p.accept_macs.begin(), p.accept_macs.end(), *mac) != p.accept_macs.end()) {
      r.error(e, what + " " + mac->to_string() + " is listed twice");
    } else if (p.accept_macs.size() == kMaxAcceptMacs) {
      r.error(e, what + ": more than " + std::to_string(kMaxAcceptMacs) +
                     " accept_macs; a port takes at most " + std::to_string(kMaxAcceptMacs));
    } else {
      p.accept_macs.push_back(*mac);
    }
  }
}

void load_host_addresses(TomlReader& r, Claims& claims, const toml::node& n,
                         const std::string& entity, Port& p) {
  const auto* a = r.array(n, "host_addresses");
  if (!a) return;
  if (p.exception_path != ExceptionPath::kTap) {
    r.error(n, "host_addresses needs exception_path = \"tap\" on " + entity +
                   ": only a TAP gives frames to the kernel");
    return;
  }
  for (size_t i = 0; i < a->size(); ++i) {
    const toml::node& e = *a->get(i);
    const std::string what = "host_addresses[" + std::to_string(i) + "]";
    auto address = r.address(e, what);
    if (!address) continue;
    const std::string text = address->to_string();
    if (!is_unicast(*address)) {
      r.error(e, what + " " + text + " is not a unicast address");
    } else if (p.host_addresses.size() == kMaxHostAddresses) {
      r.error(e, what + ": more than " + std::to_string(kMaxHostAddresses) +
                     " host_addresses; a port takes at most " + std::to_string(kMaxHostAddresses));
    } else if (auto [it, fresh] =
                   claims.port_addresses.emplace(*address, entity + " (host_addresses)");
               !fresh) {
      r.error(e, what + " " + text + " is already on " + it->second);
    } else {
      p.host_addresses.push_back(*address);
    }
  }
}

}  // namespace

void load_port(TomlReader& r, Claims& claims, const toml::table& t, size_t index,
               std::vector<Port>& ports) {
  Section s(
      r, t, "in [port]",
      {"name", "device", "addresses", "gateway", "gateway6", "mtu", "mac", "accept_macs", "queues",
       "exception_path", "tap_name", "host_addresses", "host_rate_limit", "flow_handoff"});
  Port p;
  std::string entity = "port #" + std::to_string(index + 1);
  if (const toml::node* n =
          s.require("name", entity, "a unique name, 1-15 characters from A-Z a-z 0-9 _ . -")) {
    if (auto v = r.string(*n, "name")) {
      if (!valid_name(*v, 15, true)) {
        r.error(*n,
                "name '" + *v + "' is not valid; allowed: 1-15 characters from A-Z a-z 0-9 _ . -");
      } else {
        entity = "port '" + *v + "'";
        p.name = *v;
        auto [it, fresh] = claims.port_names.emplace(*v, n->source().begin.line);
        if (!fresh)
          r.error(*n, "port name '" + *v + "' is already used (first at line " +
                          std::to_string(it->second) + ")");
      }
    }
  }
  if (const toml::node* n = s.require(
          "device", entity,
          "a PCI address such as 0000:3b:00.0, or a vdev such as net_af_packet0,iface=eth0")) {
    if (auto v = r.string(*n, "device")) {
      auto identity = pci_identity(*v);
      if (!identity) identity = vdev_identity(*v);
      if (!identity) {
        r.error(*n, "device '" + *v +
                        "' is neither a PCI address (DDDD:BB:DD.F or BB:DD.F) nor a vdev "
                        "(net_<driver><n>[,args], e.g. net_af_packet0,iface=eth0)");
      } else {
        p.device = *v;
        auto [it, fresh] = claims.devices.emplace(*identity, entity);
        if (!fresh) r.error(*n, "device '" + *v + "' is already used by " + it->second);
      }
    }
  }
  if (const toml::node* n = s.get("addresses")) {
    if (const auto* a = r.array(*n, "addresses")) {
      for (size_t i = 0; i < a->size(); ++i) {
        const toml::node& e = *a->get(i);
        auto pfx = r.prefix(e, "addresses[" + std::to_string(i) + "]");
        if (!pfx) continue;
        auto [it, fresh] = claims.port_addresses.emplace(pfx->address, entity);
        if (!fresh)
          r.error(e, "address " + pfx->address.to_string() + " is already on " + it->second);
        else
          p.addresses.push_back(*pfx);
      }
    }
  }
  auto read_gateway = [&](std::string_view key, bool want_v4, std::optional<IpAddress>& out) {
    const toml::node* n = s.get(key);
    if (!n) return;
    auto a = r.address(*n, key);
    if (!a) return;
    const std::string text = a->to_string();
    if (a->is_v4() != want_v4) {
      r.error(*n, std::string(key) + " " + text +
                      (want_v4 ? " is not IPv4; put IPv6 gateways in gateway6"
                               : " is not IPv6; put IPv4 gateways in gateway"));
      return;
    }
    std::string subnets;
    for (const IpPrefix& pfx : p.addresses) {
      if (pfx.contains(*a)) {
        out = a;
        return;
      }
      if (pfx.address.is_v4() == want_v4)
        subnets += (subnets.empty() ? "" : ", ") + pfx.to_string();
    }
    r.error(*n, std::string(key) + " " + text + " is not in any subnet of " + entity + " (" +
                    (want_v4 ? "IPv4" : "IPv6") + " addresses: " +
                    (subnets.empty() ? "none" : subnets) + "); a gateway must be on-link");
  };
  read_gateway("gateway", true, p.gateway);
  read_gateway("gateway6", false, p.gateway6);
  s.read_integer("mtu", p.mtu, 576, 9600);
  if (const toml::node* n = s.get("mac")) p.mac = r.unicast_mac(*n, "mac");
  if (const toml::node* n = s.get("accept_macs")) load_accept_macs(r, *n, p);
  s.read_integer("queues", p.queues, 0, 64);
  if (const toml::node* n = s.get("flow_handoff")) {
    if (auto v = r.string(*n, "flow_handoff")) {
      if (*v == "auto")
        p.flow_handoff = FlowHandoff::kAuto;
      else if (*v == "off")
        p.flow_handoff = FlowHandoff::kOff;
      else
        r.error(*n, "flow_handoff '" + *v + "' is not supported; allowed: auto, off");
    }
  }
  if (const toml::node* n = s.get("exception_path")) {
    if (auto v = r.string(*n, "exception_path")) {
      if (*v == "none") {
        p.exception_path = ExceptionPath::kNone;
      } else if (*v == "tap") {
        p.exception_path = ExceptionPath::kTap;
      } else if (*v == "xdp") {
        if (p.device.rfind("net_af_xdp", 0) != 0 || p.device.find(",iface=") == std::string::npos)
          r.error(*n, "exception_path 'xdp' needs an af_xdp device (net_af_xdp<n>,iface=<name>); " +
                          entity + " uses '" + p.device + "'");
        else if (p.device.find(",xdp_prog=") != std::string::npos)
          r.error(*n,
                  "exception_path 'xdp' loads sluice's own XDP program: remove xdp_prog= from "
                  "the device of " +
                      entity);
        else
          p.exception_path = ExceptionPath::kXdp;
      } else {
        r.error(*n, "exception_path '" + *v + "' is not supported; allowed: none, tap, xdp");
      }
    }
  }
  if (const toml::node* n = s.get("tap_name")) {
    if (auto v = r.string(*n, "tap_name")) {
      if (valid_name(*v, 15, true))
        p.tap_name = *v;
      else
        r.error(*n, "tap_name '" + *v +
                        "' is not valid; allowed: 1-15 characters from A-Z a-z 0-9 _ . -");
    }
  }
  if (p.exception_path == ExceptionPath::kTap && p.tap_name.empty())
    p.tap_name = ("sl-" + p.name).substr(0, 15);
  if (const toml::node* n = s.get("host_addresses")) load_host_addresses(r, claims, *n, entity, p);
  if (const toml::node* n = s.get("host_rate_limit")) {
    if (p.exception_path != ExceptionPath::kTap)
      r.error(*n, "host_rate_limit needs exception_path = \"tap\" on " + entity +
                      ": only a TAP gives frames to the kernel");
    else
      s.read_integer("host_rate_limit", p.host_rate_limit, 0, 100'000'000);
  }
  ports.push_back(std::move(p));
}

}  // namespace sluice::config::loader
