// SPDX-License-Identifier: BSD-3-Clause
// The runtime API's changes to a backend's admin state and weight: recorded in the admin
// state, pushed to the dataplane, persisted.
#include "sluiced/daemon.h"

namespace sluice::sluiced {

const config::Vip* Daemon::find_vip(const std::string& name) const {
  for (const config::Vip& v : config_.vips)
    if (v.name == name) return &v;
  return nullptr;
}

std::optional<std::string> Daemon::find_backend(const std::string& vip, const std::string& backend,
                                                std::string& canonical) const {
  const config::Vip* v = find_vip(vip);
  if (!v) return "no VIP named '" + vip + "'";
  auto address = IpAddress::parse(backend);
  for (const config::Backend& b : v->backends)
    if (address && b.address == *address) {
      canonical = address->to_string();
      return std::nullopt;
    }
  return "VIP '" + vip + "' has no backend " + backend;
}

std::optional<std::string> Daemon::set_backend_state(const std::string& vip,
                                                     const std::string& backend,
                                                     config::BackendState state) {
  std::string address;
  if (auto error = find_backend(vip, backend, address)) return error;
  admin_.set_state(vip, address, state, unix_now());
  return apply_admin_change();
}

std::optional<std::string> Daemon::set_backend_weight(const std::string& vip,
                                                      const std::string& backend, uint16_t weight) {
  std::string address;
  if (auto error = find_backend(vip, backend, address)) return error;
  admin_.set_weight(vip, address, weight, unix_now());
  return apply_admin_change();
}

std::optional<std::string> Daemon::apply_admin_change() {
  push_desired_state();
  if (auto error = admin_.save()) return "applied, but not persisted: " + *error;
  return std::nullopt;
}

}  // namespace sluice::sluiced
