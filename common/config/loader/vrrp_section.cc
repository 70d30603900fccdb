// SPDX-License-Identifier: BSD-3-Clause
#include <algorithm>

#include "config/loader/section.h"
#include "config/loader/sections.h"
#include "config/loader/value_formats.h"

namespace sluice::config::loader {

void load_vrrp(TomlReader& r, const toml::table& t, size_t index, const std::vector<Vip>& vips,
               std::vector<VrrpInstance>& vrrp) {
  Section s(r, t, "in [vrrp]",
            {"name", "interface", "vrid", "priority", "advert_interval", "preempt", "preempt_delay",
             "address", "unicast_peers", "vips", "track_dataplane", "track_backends",
             "track_interfaces", "notify", "ipv4_checksum"});
  VrrpInstance v;
  std::string entity = "vrrp #" + std::to_string(index + 1);
  if (const toml::node* n = s.require("name", entity, "a unique name")) {
    if (auto name = r.string(*n, "name")) {
      if (!valid_name(*name, 63, true)) {
        r.error(*n, "name '" + *name +
                        "' is not valid; allowed: 1-63 characters from A-Z a-z 0-9 _ . -");
      } else {
        entity = "vrrp '" + *name + "'";
        v.name = *name;
        for (const VrrpInstance& other : vrrp)
          if (other.name == *name) r.error(*n, "vrrp name '" + *name + "' is already used");
      }
    }
  }
  if (const toml::node* n = s.require("interface", entity, "the kernel interface for adverts"))
    if (auto iface = r.string(*n, "interface")) {
      if (iface->empty() || iface->size() > 15)
        r.error(*n, "interface '" + *iface + "' is not valid; allowed: 1-15 characters");
      else
        v.interface = *iface;
    }
  // The vrid must be unique per (interface, family), and the family is the address's, read
  // below: the check waits for it.
  const toml::node* vrid_node = nullptr;
  if (const toml::node* n = s.require("vrid", entity, "1..255")) {
    if (auto id = r.integer(*n, "vrid", 1, 255)) {
      v.vrid = uint8_t(*id);
      vrid_node = n;
    }
  }
  s.read_integer("priority", v.priority, 1, 255);
  if (const toml::node* n = s.get("advert_interval")) {
    if (auto ms = r.milliseconds(*n, "advert_interval")) {
      if (*ms < 10 || *ms > 40950 || *ms % 10 != 0)
        r.error(*n, "advert_interval of " + std::to_string(*ms) +
                        " ms is not allowed; use 0.01..40.95 seconds in steps of 0.01");
      else
        v.advert_interval_cs = uint16_t(*ms / 10);
    }
  }
  s.read_boolean("preempt", v.preempt);
  if (const toml::node* n = s.get("preempt_delay")) {
    // 0 (the default) is allowed here: no delay.
    const auto* i = n->as_integer();
    const auto* f = n->as_floating_point();
    if ((i && i->get() == 0) || (f && f->get() == 0.0))
      v.preempt_delay_ms = 0;
    else if (auto ms = r.milliseconds(*n, "preempt_delay"))
      v.preempt_delay_ms = *ms;
  }
  bool have_address = false;
  if (const toml::node* n = s.require("address", entity, kAddressHint))
    if (auto a = r.address(*n, "address")) {
      v.address = *a;
      have_address = true;
    }
  if (vrid_node && have_address) {
    for (const VrrpInstance& other : vrrp)
      if (other.vrid == v.vrid && other.interface == v.interface &&
          other.address.is_v4() == v.address.is_v4())
        r.error(*vrid_node, "vrid " + std::to_string(v.vrid) + " is already used by vrrp '" +
                                other.name + "' on " + other.interface + " (" +
                                (v.address.is_v4() ? "IPv4" : "IPv6") +
                                "); use another vrid or another interface");
  }
  if (const toml::node* n = s.get("unicast_peers"))
    if (const auto* a = r.array(*n, "unicast_peers"))
      for (size_t i = 0; i < a->size(); ++i)
        if (auto peer = r.address(*a->get(i), "unicast_peers[" + std::to_string(i) + "]"))
          v.unicast_peers.push_back(*peer);
  if (const toml::node* n = s.require("vips", entity, "names of [[vip]] entries")) {
    if (const auto* a = r.array(*n, "vips")) {
      if (a->empty()) r.error(*n, entity + ": vips is empty; name at least one [[vip]]");
      for (size_t i = 0; i < a->size(); ++i) {
        auto name = r.string(*a->get(i), "vips[" + std::to_string(i) + "]");
        if (!name) continue;
        const Vip* vip = nullptr;
        for (const Vip& candidate : vips)
          if (candidate.name == *name) vip = &candidate;
        if (!vip) {
          r.error(*a->get(i), "vips: no [[vip]] named '" + *name + "'");
        } else if (vip->address.is_v4() != v.address.is_v4()) {
          r.error(*a->get(i), "vips: '" + *name + "' is " +
                                  (vip->address.is_v4() ? "IPv4" : "IPv6") + " but " + entity +
                                  " runs over " + (v.address.is_v4() ? "IPv4" : "IPv6") +
                                  "; use one instance per family");
        } else {
          for (const VrrpInstance& other : vrrp)
            for (const std::string& taken : other.vips)
              if (taken == *name)
                r.error(*a->get(i),
                        "vips: '" + *name + "' is already carried by vrrp '" + other.name + "'");
          v.vips.push_back(*name);
        }
      }
    }
  }
  s.read_boolean("track_dataplane", v.track_dataplane);
  s.read_boolean("track_backends", v.track_backends);
  if (const toml::node* n = s.get("track_interfaces")) {
    if (const auto* a = r.array(*n, "track_interfaces")) {
      for (size_t i = 0; i < a->size(); ++i) {
        auto name = r.string(*a->get(i), "track_interfaces[" + std::to_string(i) + "]");
        if (!name) continue;
        if (name->empty() || name->size() > 15 || name->find_first_of("/: \t") != std::string::npos)
          r.error(*a->get(i), "track_interfaces: '" + *name +
                                  "' is not an interface name; allowed: 1-15 characters without "
                                  "'/', ':' or spaces");
        else if (std::find(v.track_interfaces.begin(), v.track_interfaces.end(), *name) !=
                 v.track_interfaces.end())
          r.error(*a->get(i), "track_interfaces: '" + *name + "' is listed twice");
        else
          v.track_interfaces.push_back(*name);
      }
    }
  }
  s.read_string("notify", v.notify);
  if (const toml::node* n = s.get("ipv4_checksum")) {
    if (auto text = r.string(*n, "ipv4_checksum")) {
      if (auto form = parse_vrrp_checksum(*text))
        v.ipv4_checksum = *form;
      else
        r.error(*n, "ipv4_checksum '" + *text +
                        "' is not supported; allowed: pseudo-header (RFC 5798, keepalived up to "
                        "2.2.7, FRR), message-only (RFC 9568, keepalived's v3_checksum_as_v2)");
      if (have_address && !v.address.is_v4())
        r.error(*n, entity +
                        ": ipv4_checksum applies to IPv4 instances only; over IPv6 the checksum "
                        "always includes the pseudo-header (RFC 9568 5.2.8): remove the key");
    }
  }
  vrrp.push_back(std::move(v));
}

}  // namespace sluice::config::loader
