// SPDX-License-Identifier: BSD-3-Clause
#include "config/loader/section.h"
#include "config/loader/sections.h"

namespace sluice::config::loader {

void load_nat(TomlReader& r, Claims& claims, const toml::table& t, size_t workers,
              NatSettings& nat) {
  Section s(r, t, "in [nat]", {"local_addresses", "port_min", "port_max", "table_size"});
  if (const toml::node* n = s.get("local_addresses")) {
    if (const toml::array* a = r.array(*n, "local_addresses")) {
      for (const toml::node& item : *a) {
        auto address = r.address(item, "local_addresses");
        if (!address) continue;
        const std::string text = address->to_string();
        if (auto port = claims.port_addresses.find(*address); port != claims.port_addresses.end()) {
          r.error(item, "local address " + text + " is the address of " + port->second +
                            "; NAT local addresses are the dataplane's own, give it others");
          continue;
        }
        if (!claims.nat_addresses.emplace(*address, item.source().begin).second) {
          r.error(item, "local address " + text + " is listed twice");
          continue;
        }
        if (nat.local_addresses.size() == kMaxNatLocalAddresses) {
          r.error(item, "more than " + std::to_string(kMaxNatLocalAddresses) +
                            " local addresses; [nat] takes at most " +
                            std::to_string(kMaxNatLocalAddresses));
          continue;
        }
        nat.local_addresses.push_back(*address);
      }
    }
  }
  s.read_integer("port_min", nat.port_min, 1, 65535);
  s.read_integer("port_max", nat.port_max, 1, 65535);
  if (nat.port_min > nat.port_max) {
    r.error(t, "[nat]: port_min " + std::to_string(nat.port_min) + " is above port_max " +
                   std::to_string(nat.port_max));
  } else if (size_t(nat.port_max - nat.port_min + 1) < workers) {
    r.error(t, "[nat]: ports " + std::to_string(nat.port_min) + "-" + std::to_string(nat.port_max) +
                   " give fewer than one to each of the " + std::to_string(workers) + " workers");
  }
  s.read_integer("table_size", nat.table_size, 64, 16777216);
}

}  // namespace sluice::config::loader
