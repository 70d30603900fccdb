// SPDX-License-Identifier: BSD-3-Clause
#include "runtime/eal_args.h"

#include <algorithm>

namespace sluice {

bool is_vdev(const std::string& device) { return device.rfind("net_", 0) == 0; }

std::string ethdev_name(const std::string& device) {
  if (is_vdev(device)) return device.substr(0, device.find(','));
  std::string pci = device.substr(0, device.find(','));
  if (std::count(pci.begin(), pci.end(), ':') == 1) pci = "0000:" + pci;
  return pci;
}

std::optional<std::string> vdev_argument(const std::string& device, std::string_view key) {
  size_t start = device.find(',');
  while (start != std::string::npos) {
    const size_t end = device.find(',', start + 1);
    const std::string_view arg = std::string_view(device).substr(start + 1, end - start - 1);
    if (arg.size() > key.size() + 1 && arg.substr(0, key.size()) == key && arg[key.size()] == '=')
      return std::string(arg.substr(key.size() + 1));
    start = end;
  }
  return std::nullopt;
}

std::string steering_object_path(const config::DataplaneSettings& settings) {
  return "/run/sluice/" + settings.file_prefix + "-steering.bpf.o";
}

std::string tap_device_name(size_t index) { return "net_tap" + std::to_string(index); }

std::vector<std::string> eal_arguments(const config::Config& config) {
  const config::DataplaneSettings& d = config.dataplane;
  std::vector<std::string> args{"sluice-dataplane"};
  // An --lcores among eal_args places lcores on CPUs of its choosing (several on one CPU,
  // for tests on small hosts); EAL takes the first lcore option it sees, so -l goes.
  const bool lcores_given =
      std::any_of(d.eal_args.begin(), d.eal_args.end(),
                  [](const std::string& a) { return a.rfind("--lcores", 0) == 0; });
  if (!lcores_given) {
    std::string lcores = std::to_string(d.main_lcore);
    for (uint32_t w : d.worker_lcores) lcores += "," + std::to_string(w);
    args.push_back("-l");
    args.push_back(lcores);
  }
  args.push_back("--main-lcore=" + std::to_string(d.main_lcore));
  args.push_back("--file-prefix=" + d.file_prefix);
  if (!d.hugepages) args.push_back("--no-huge");
  args.push_back("-m");
  args.push_back(std::to_string(d.memory_mb));
  bool any_pci = false;
  for (const config::Port& port : config.ports) {
    if (port.exception_path == config::ExceptionPath::kXdp) {
      args.push_back("--vdev=" + port.device + ",xdp_prog=" + steering_object_path(d));
    } else if (is_vdev(port.device)) {
      args.push_back("--vdev=" + port.device);
    } else {
      args.push_back("-a");
      args.push_back(port.device);
      any_pci = true;
    }
  }
  for (size_t i = 0; i < config.ports.size(); ++i)
    if (config.ports[i].exception_path == config::ExceptionPath::kTap)
      args.push_back("--vdev=" + tap_device_name(i) + ",iface=" + config.ports[i].tap_name);
  if (!any_pci) args.push_back("--no-pci");
  args.push_back("--log-level=lib.eal:notice");
  for (const std::string& extra : d.eal_args) args.push_back(extra);
  return args;
}

}  // namespace sluice
