// SPDX-License-Identifier: BSD-3-Clause
#include <algorithm>

#include "config/loader/section.h"
#include "config/loader/sections.h"
#include "config/loader/value_formats.h"

namespace sluice::config::loader {

namespace {

constexpr int64_t kMaxLcores = 1024;

}  // namespace

void load_dataplane(TomlReader& r, const toml::table& t, DataplaneSettings& d) {
  Section s(
      r, t, "in [dataplane]",
      {"main_lcore", "worker_lcores", "burst_size", "flow_table_size", "syn_admission_limit",
       "host_rate_limit", "idle_sleep_us", "rx_interrupts", "hugepages", "memory_mb", "file_prefix",
       "mbufs_per_port", "eal_args", "control_socket", "garp_count", "garp_interval"});
  std::optional<int64_t> main_lcore = int64_t(d.main_lcore);
  const toml::node* main_node = s.get("main_lcore");
  if (main_node) {
    main_lcore = r.integer(*main_node, "main_lcore", 0, kMaxLcores - 1);
    if (main_lcore) d.main_lcore = uint32_t(*main_lcore);
  }

  if (const toml::node* n = s.get("worker_lcores")) {
    if (const auto* a = r.array(*n, "worker_lcores")) {
      d.worker_lcores.clear();
      if (a->empty())
        r.error(*a, "worker_lcores is empty; list at least one worker lcore, e.g. [1]");
      for (size_t i = 0; i < a->size(); ++i) {
        const toml::node& e = *a->get(i);
        auto lcore = r.integer(e, "worker_lcores[" + std::to_string(i) + "]", 0, kMaxLcores - 1);
        if (!lcore) continue;
        auto value = uint32_t(*lcore);
        if (std::find(d.worker_lcores.begin(), d.worker_lcores.end(), value) !=
            d.worker_lcores.end())
          r.error(e, "worker lcore " + std::to_string(value) + " listed twice");
        else if (main_lcore && *lcore == *main_lcore)
          r.error(e, "worker lcore " + std::to_string(value) +
                         " is the main_lcore; give workers lcores of their own");
        else
          d.worker_lcores.push_back(value);
      }
    }
  } else if (main_node && main_lcore &&
             std::find(d.worker_lcores.begin(), d.worker_lcores.end(), *main_lcore) !=
                 d.worker_lcores.end()) {
    r.error(*main_node, "main_lcore " + std::to_string(*main_lcore) +
                            " is also the default worker lcore; set worker_lcores to other lcores");
  }

  s.read_integer("burst_size", d.burst_size, 1, 512);
  s.read_integer("flow_table_size", d.flow_table_size, 1024, 268435456);
  s.read_integer("syn_admission_limit", d.syn_admission_limit, 0, 100'000'000);
  s.read_integer("host_rate_limit", d.host_rate_limit, 0, 100'000'000);
  s.read_integer("idle_sleep_us", d.idle_sleep_us, 0, 100000);
  s.read_boolean("rx_interrupts", d.rx_interrupts);
  s.read_boolean("hugepages", d.hugepages);
  s.read_integer("memory_mb", d.memory_mb, 64, 1048576);
  if (const toml::node* n = s.get("file_prefix")) {
    if (auto v = r.string(*n, "file_prefix")) {
      if (valid_name(*v, 32, false))
        d.file_prefix = *v;
      else
        r.error(*n, "file_prefix '" + *v +
                        "' is not valid; allowed: 1-32 characters from A-Z a-z 0-9 _ -");
    }
  }
  s.read_integer("mbufs_per_port", d.mbufs_per_port, 1023, 4194303);
  s.read_integer("garp_count", d.garp_count, 0, 100);
  s.read_milliseconds("garp_interval", d.garp_interval_ms);
  if (const toml::node* n = s.get("control_socket")) {
    if (auto v = r.string(*n, "control_socket")) {
      if (valid_socket_path(*v))
        d.control_socket = *v;
      else
        r.error(*n, "control_socket '" + *v +
                        "' is not valid; allowed: an absolute path under 100 bytes");
    }
  }
  if (const toml::node* n = s.get("eal_args")) {
    if (const auto* a = r.array(*n, "eal_args")) {
      for (size_t i = 0; i < a->size(); ++i)
        if (auto v = r.string(*a->get(i), "eal_args[" + std::to_string(i) + "]")) {
          if (*v == "--in-memory" && !d.hugepages)
            r.error(*a->get(i),
                    "eal_args: --in-memory cannot be combined with hugepages = false (DPDK's "
                    "--no-huge already keeps memory in the process); remove it");
          d.eal_args.push_back(*v);
        }
    }
  }
}

}  // namespace sluice::config::loader
