// SPDX-License-Identifier: BSD-3-Clause
#include "config/config_loader.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <initializer_list>
#include <map>
#include <set>
#include <system_error>
#include <tuple>

// Debian's libtomlplusplus is compiled with exceptions (symbols in toml::v3::ex); the
// headers must agree or parse() would not link. toml::parse_error is caught below.
static_assert(TOML_EXCEPTIONS, "sluice expects toml++ built with exceptions");

namespace sluice::config {

std::string ConfigError::to_string() const {
  return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message;
}

namespace {

using Keys = std::initializer_list<std::string_view>;

constexpr int64_t kMaxLcores = 1024;
constexpr std::string_view kAddressHint = "an IPv4 or IPv6 address";

std::string join(Keys keys) {
  std::string out;
  for (std::string_view k : keys) {
    if (!out.empty()) out += ", ";
    out += k;
  }
  return out;
}

std::string kind_of(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return n.as_array()->is_array_of_tables() ? "an array of tables" : "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

std::string format_seconds(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

// 1..max_len characters from [A-Za-z0-9_-], plus '.' when allow_dot.
bool valid_name(std::string_view s, size_t max_len, bool allow_dot) {
  if (s.empty() || s.size() > max_len) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || (allow_dot && c == '.');
    if (!ok) return false;
  }
  return true;
}

// sockaddr_un holds 108 bytes; keep a margin.
bool valid_socket_path(const std::string& p) { return !p.empty() && p[0] == '/' && p.size() < 100; }

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

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// "DDDD:BB:DD.F" or "BB:DD.F" -> lower-case "dddd:bb:dd.f", the form DPDK names it by.
std::optional<std::string> pci_identity(std::string_view s) {
  std::string full = s.size() == 7 ? "0000:" + std::string(s) : std::string(s);
  if (full.size() != 12) return std::nullopt;
  for (size_t i = 0; i < full.size(); ++i) {
    char& c = full[i];
    if (i == 4 || i == 7) {
      if (c != ':') return std::nullopt;
    } else if (i == 10) {
      if (c != '.') return std::nullopt;
    } else if (i == 11) {
      if (c < '0' || c > '7') return std::nullopt;
    } else {
      if (!is_hex(c)) return std::nullopt;
      if (c >= 'A' && c <= 'F') c = char(c - 'A' + 'a');
    }
  }
  if (full[8] > '1') return std::nullopt;  // device numbers stop at 0x1f
  return full;
}

// "net_<driver><n>[,args]" -> "net_<driver><n>", the name two ports may not share.
std::optional<std::string> vdev_identity(std::string_view s) {
  if (!s.starts_with("net_")) return std::nullopt;
  size_t comma = s.find(',');
  if (comma != std::string_view::npos && comma + 1 == s.size()) return std::nullopt;
  std::string_view name = s.substr(0, comma);
  std::string_view rest = name.substr(4);
  if (rest.empty() || !(rest.front() >= 'a' && rest.front() <= 'z')) return std::nullopt;
  if (!(rest.back() >= '0' && rest.back() <= '9')) return std::nullopt;
  for (char c : rest)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return std::nullopt;
  return std::string(name);
}

class Loader;

// One TOML table being read: reports unknown keys up front, then hands out its values.
class Section {
 public:
  // `where` completes "unknown key 'x' ...": "in [vip.backend]", "at the top level".
  Section(Loader& loader, const toml::table& table, std::string_view where, Keys allowed);

  const toml::node* get(std::string_view key) const { return table_.get(key); }
  // Reports "<entity>: missing required key '<key>' (<hint>)" at the table when absent.
  const toml::node* require(std::string_view key, std::string_view entity,
                            std::string_view hint) const;
  const toml::table& table() const { return table_; }

 private:
  Loader& loader_;
  const toml::table& table_;
};

class Loader {
 public:
  explicit Loader(std::string_view file) : file_(file) {}

  Config load(const toml::table& root);
  // Only [[vip]] tables, checked against base's ports and neighbors.
  Config load_vips(const toml::table& root, const Config& base);
  std::vector<ConfigError> take_errors() { return std::move(errors_); }

  void error_at(const toml::source_position& pos, std::string message) {
    errors_.push_back({file_, pos.line, pos.column, std::move(message)});
  }
  void error(const toml::node& n, std::string message) {
    error_at(n.source().begin, std::move(message));
  }

 private:
  // Typed readers: nullopt (or nullptr) after reporting why the value is unusable.
  std::optional<int64_t> integer(const toml::node& n, std::string_view what, int64_t lo,
                                 int64_t hi);
  template <class T>
  void read_integer(const Section& s, std::string_view key, T& out, int64_t lo, int64_t hi) {
    if (const toml::node* n = s.get(key))
      if (auto v = integer(*n, key, lo, hi)) out = T(*v);
  }
  std::optional<std::string> string(const toml::node& n, std::string_view what);
  std::optional<uint32_t> milliseconds(const toml::node& n, std::string_view what);
  std::optional<IpAddress> address(const toml::node& n, std::string_view what);
  std::optional<IpPrefix> prefix(const toml::node& n, std::string_view what);
  std::optional<MacAddress> unicast_mac(const toml::node& n, std::string_view what);
  const toml::array* array(const toml::node& n, std::string_view what);
  const toml::table* table(const toml::node& n, std::string_view what);
  // For [[name]]: the tables, or nullopt when `n` is not an array of tables.
  std::optional<std::vector<const toml::table*>> table_array(const toml::node& n,
                                                             std::string_view what,
                                                             std::string_view header,
                                                             std::string_view item);

  void load_dataplane(const toml::table& t, DataplaneSettings& d);
  void load_controlplane(const toml::table& t, ControlPlaneSettings& c);
  void load_check(const toml::table& t, const std::string& entity, Vip& vip);
  void load_flow_timeouts(const toml::table& t, FlowTimeouts& f);
  void load_port(const toml::table& t, size_t index, Config& cfg);
  void load_neighbor(const toml::table& t, size_t index, Config& cfg);
  void load_vip(const toml::table& t, size_t index, Config& cfg);
  void load_vrrp(const toml::table& t, size_t index, Config& cfg);
  std::optional<Backend> load_backend(const toml::table& t, const std::string& entity,
                                      const std::string& vip_entity, std::set<IpAddress>& seen,
                                      const toml::node** address_node);
  bool on_link(const Config& cfg, const IpAddress& a) const;

  std::string file_;
  std::vector<ConfigError> errors_;
  std::map<std::string, uint32_t> port_names_;  // name -> line first defined
  std::map<std::string, std::string> devices_;  // device identity -> port entity
  std::map<IpAddress, std::string> port_addresses_;
  std::set<IpAddress> neighbor_addresses_;
  std::map<std::string, uint32_t> vip_names_;
  std::map<std::tuple<IpAddress, uint8_t, uint16_t>, std::string> vip_identities_;
};

Section::Section(Loader& loader, const toml::table& table, std::string_view where, Keys allowed)
    : loader_(loader), table_(table) {
  for (auto&& [key, node] : table) {
    if (std::find(allowed.begin(), allowed.end(), key.str()) != allowed.end()) continue;
    toml::source_position pos = key.source().begin;
    if (pos.line == 0) pos = node.source().begin;
    loader.error_at(pos, "unknown key '" + std::string(key.str()) + "' " + std::string(where) +
                             ", allowed: " + join(allowed));
  }
}

const toml::node* Section::require(std::string_view key, std::string_view entity,
                                   std::string_view hint) const {
  if (const toml::node* n = table_.get(key)) return n;
  loader_.error(table_, std::string(entity) + ": missing required key '" + std::string(key) +
                            "' (" + std::string(hint) + ")");
  return nullptr;
}

std::optional<int64_t> Loader::integer(const toml::node& n, std::string_view what, int64_t lo,
                                       int64_t hi) {
  const auto* v = n.as_integer();
  if (!v) {
    error(n, std::string(what) + ": expected an integer, got " + kind_of(n));
    return std::nullopt;
  }
  int64_t value = v->get();
  if (value < lo || value > hi) {
    error(n, std::string(what) + " " + std::to_string(value) +
                 " is out of range; allowed: " + std::to_string(lo) + ".." + std::to_string(hi));
    return std::nullopt;
  }
  return value;
}

std::optional<std::string> Loader::string(const toml::node& n, std::string_view what) {
  if (const auto* v = n.as_string()) return v->get();
  error(n, std::string(what) + ": expected a string, got " + kind_of(n));
  return std::nullopt;
}

std::optional<uint32_t> Loader::milliseconds(const toml::node& n, std::string_view what) {
  double seconds;
  if (const auto* i = n.as_integer()) {
    seconds = double(i->get());
  } else if (const auto* f = n.as_floating_point()) {
    seconds = f->get();
  } else {
    error(n, std::string(what) + ": expected a number of seconds, got " + kind_of(n));
    return std::nullopt;
  }
  if (!(seconds > 0 && seconds <= 86400)) {
    error(n, std::string(what) + " " + format_seconds(seconds) +
                 " is out of range; allowed: more than 0, at most 86400 (seconds)");
    return std::nullopt;
  }
  auto ms = uint32_t(std::llround(seconds * 1000));
  if (ms == 0) {
    error(n, std::string(what) + " " + format_seconds(seconds) +
                 " is shorter than the 1 ms resolution; allowed: 0.001..86400 (seconds)");
    return std::nullopt;
  }
  return ms;
}

std::optional<IpAddress> Loader::address(const toml::node& n, std::string_view what) {
  auto text = string(n, what);
  if (!text) return std::nullopt;
  auto a = IpAddress::parse(*text);
  if (!a) error(n, std::string(what) + " '" + *text + "' is not an IPv4 or IPv6 address");
  return a;
}

std::optional<IpPrefix> Loader::prefix(const toml::node& n, std::string_view what) {
  auto text = string(n, what);
  if (!text) return std::nullopt;
  auto p = IpPrefix::parse(*text);
  if (!p)
    error(n, std::string(what) + " '" + *text +
                 "' is not an address/prefix-length such as 10.0.0.10/24 or 2001:db8::10/64");
  return p;
}

std::optional<MacAddress> Loader::unicast_mac(const toml::node& n, std::string_view what) {
  auto text = string(n, what);
  if (!text) return std::nullopt;
  auto m = MacAddress::parse(*text);
  if (!m) {
    error(n, std::string(what) + " '" + *text +
                 "' is not a MAC address; write six hex bytes such as 02:00:00:00:00:21");
  } else if (m->is_zero() || m->is_multicast()) {
    error(n, std::string(what) + " " + m->to_string() + " is not a unicast MAC address");
    return std::nullopt;
  }
  return m;
}

const toml::array* Loader::array(const toml::node& n, std::string_view what) {
  if (const auto* a = n.as_array()) return a;
  error(n, std::string(what) + ": expected an array, got " + kind_of(n));
  return nullptr;
}

const toml::table* Loader::table(const toml::node& n, std::string_view what) {
  if (const auto* t = n.as_table()) return t;
  std::string message = std::string(what) + ": expected a table, got " + kind_of(n);
  if (n.is_array_of_tables())
    message += "; write [" + std::string(what) + "] (single brackets) once";
  error(n, std::move(message));
  return nullptr;
}

std::optional<std::vector<const toml::table*>> Loader::table_array(const toml::node& n,
                                                                   std::string_view what,
                                                                   std::string_view header,
                                                                   std::string_view item) {
  const auto* a = n.as_array();
  if (!a) {
    std::string message = std::string(what) + ": expected an array of tables, got " + kind_of(n);
    if (n.is_table())
      message +=
          "; write [[" + std::string(header) + "]] (double brackets) once per " + std::string(item);
    error(n, std::move(message));
    return std::nullopt;
  }
  std::vector<const toml::table*> tables;
  for (size_t i = 0; i < a->size(); ++i) {
    const toml::node& element = *a->get(i);
    if (const auto* t = element.as_table())
      tables.push_back(t);
    else
      error(element, std::string(what) + "[" + std::to_string(i) + "]: expected a table, got " +
                         kind_of(element));
  }
  return tables;
}

Config Loader::load(const toml::table& root) {
  Config cfg;
  Section s(*this, root, "at the top level",
            {"dataplane", "controlplane", "flow_timeouts", "port", "neighbor", "vip", "vrrp"});
  if (const toml::node* n = s.get("dataplane"))
    if (const auto* t = table(*n, "dataplane")) load_dataplane(*t, cfg.dataplane);
  if (const toml::node* n = s.get("controlplane"))
    if (const auto* t = table(*n, "controlplane")) load_controlplane(*t, cfg.controlplane);
  if (const toml::node* n = s.get("flow_timeouts"))
    if (const auto* t = table(*n, "flow_timeouts")) load_flow_timeouts(*t, cfg.flow_timeouts);

  // Ports and neighbors first: VIP checks look at port subnets and static neighbors.
  const toml::node* ports = s.get("port");
  if (!ports) {
    error_at({1, 1}, "no [[port]] defined; at least one port is required");
  } else if (auto tables = table_array(*ports, "port", "port", "port")) {
    if (ports->as_array()->empty())
      error(*ports, "no [[port]] defined; at least one port is required");
    for (size_t i = 0; i < tables->size(); ++i) load_port(*(*tables)[i], i, cfg);
  }
  if (const toml::node* n = s.get("neighbor"))
    if (auto tables = table_array(*n, "neighbor", "neighbor", "neighbor"))
      for (size_t i = 0; i < tables->size(); ++i) load_neighbor(*(*tables)[i], i, cfg);
  if (const toml::node* n = s.get("vip"))
    if (auto tables = table_array(*n, "vip", "vip", "vip"))
      for (size_t i = 0; i < tables->size(); ++i) load_vip(*(*tables)[i], i, cfg);
  if (const toml::node* n = s.get("vrrp"))
    if (auto tables = table_array(*n, "vrrp", "vrrp", "vrrp"))
      for (size_t i = 0; i < tables->size(); ++i) load_vrrp(*(*tables)[i], i, cfg);
  return cfg;
}

void Loader::load_vrrp(const toml::table& t, size_t index, Config& cfg) {
  Section s(*this, t, "in [vrrp]",
            {"name", "interface", "vrid", "priority", "advert_interval", "preempt",
             "preempt_delay", "address", "unicast_peers", "vips", "track_dataplane",
             "track_backends", "notify"});
  VrrpInstance v;
  std::string entity = "vrrp #" + std::to_string(index + 1);
  if (const toml::node* n = s.require("name", entity, "a unique name")) {
    if (auto name = string(*n, "name")) {
      if (!valid_name(*name, 63, true)) {
        error(*n, "name '" + *name + "' is not valid; allowed: 1-63 characters from A-Z a-z 0-9 _ . -");
      } else {
        entity = "vrrp '" + *name + "'";
        v.name = *name;
        for (const VrrpInstance& other : cfg.vrrp)
          if (other.name == *name) error(*n, "vrrp name '" + *name + "' is already used");
      }
    }
  }
  if (const toml::node* n = s.require("interface", entity, "the kernel interface for adverts"))
    if (auto iface = string(*n, "interface")) {
      if (iface->empty() || iface->size() > 15)
        error(*n, "interface '" + *iface + "' is not valid; allowed: 1-15 characters");
      else
        v.interface = *iface;
    }
  if (const toml::node* n = s.require("vrid", entity, "1..255")) {
    if (auto id = integer(*n, "vrid", 1, 255)) {
      v.vrid = uint8_t(*id);
      for (const VrrpInstance& other : cfg.vrrp)
        if (other.vrid == v.vrid && other.interface == v.interface &&
            other.address.is_v4() == v.address.is_v4())
          error(*n, "vrid " + std::to_string(*id) + " is already used by vrrp '" + other.name +
                        "' on " + other.interface);
    }
  }
  read_integer(s, "priority", v.priority, 1, 255);
  if (const toml::node* n = s.get("advert_interval")) {
    if (auto ms = milliseconds(*n, "advert_interval")) {
      if (*ms < 10 || *ms > 40950 || *ms % 10 != 0)
        error(*n, "advert_interval of " + std::to_string(*ms) +
                      " ms is not allowed; use 0.01..40.95 seconds in steps of 0.01");
      else
        v.advert_interval_cs = uint16_t(*ms / 10);
    }
  }
  if (const toml::node* n = s.get("preempt")) {
    if (const auto* b = n->as_boolean())
      v.preempt = b->get();
    else
      error(*n, "preempt: expected a boolean, got " + kind_of(*n));
  }
  if (const toml::node* n = s.get("preempt_delay")) {
    // 0 (the default) is allowed here: no delay.
    const auto* i = n->as_integer();
    const auto* f = n->as_floating_point();
    if ((i && i->get() == 0) || (f && f->get() == 0.0))
      v.preempt_delay_ms = 0;
    else if (auto ms = milliseconds(*n, "preempt_delay"))
      v.preempt_delay_ms = *ms;
  }
  if (const toml::node* n = s.require("address", entity, kAddressHint))
    if (auto a = address(*n, "address")) v.address = *a;
  if (const toml::node* n = s.get("unicast_peers"))
    if (const auto* a = array(*n, "unicast_peers"))
      for (size_t i = 0; i < a->size(); ++i)
        if (auto peer = address(*a->get(i), "unicast_peers[" + std::to_string(i) + "]"))
          v.unicast_peers.push_back(*peer);
  if (const toml::node* n = s.require("vips", entity, "names of [[vip]] entries")) {
    if (const auto* a = array(*n, "vips")) {
      if (a->empty()) error(*n, entity + ": vips is empty; name at least one [[vip]]");
      for (size_t i = 0; i < a->size(); ++i) {
        auto name = string(*a->get(i), "vips[" + std::to_string(i) + "]");
        if (!name) continue;
        const Vip* vip = nullptr;
        for (const Vip& candidate : cfg.vips)
          if (candidate.name == *name) vip = &candidate;
        if (!vip) {
          error(*a->get(i), "vips: no [[vip]] named '" + *name + "'");
        } else if (vip->address.is_v4() != v.address.is_v4()) {
          error(*a->get(i), "vips: '" + *name + "' is " + (vip->address.is_v4() ? "IPv4" : "IPv6") +
                                " but " + entity + " runs over " +
                                (v.address.is_v4() ? "IPv4" : "IPv6") +
                                "; use one instance per family");
        } else {
          for (const VrrpInstance& other : cfg.vrrp)
            for (const std::string& taken : other.vips)
              if (taken == *name)
                error(*a->get(i), "vips: '" + *name + "' is already carried by vrrp '" +
                                      other.name + "'");
          v.vips.push_back(*name);
        }
      }
    }
  }
  auto read_bool = [&](std::string_view key, bool& out) {
    if (const toml::node* n = s.get(key)) {
      if (const auto* b = n->as_boolean())
        out = b->get();
      else
        error(*n, std::string(key) + ": expected a boolean, got " + kind_of(*n));
    }
  };
  read_bool("track_dataplane", v.track_dataplane);
  read_bool("track_backends", v.track_backends);
  if (const toml::node* n = s.get("notify"))
    if (auto cmd = string(*n, "notify")) v.notify = *cmd;
  cfg.vrrp.push_back(std::move(v));
}

Config Loader::load_vips(const toml::table& root, const Config& base) {
  Config cfg = base;
  cfg.vips.clear();
  for (const Neighbor& n : base.neighbors) neighbor_addresses_.insert(n.address);
  Section s(*this, root, "in a VIP update", {"vip"});
  if (const toml::node* n = s.get("vip"))
    if (auto tables = table_array(*n, "vip", "vip", "vip"))
      for (size_t i = 0; i < tables->size(); ++i) load_vip(*(*tables)[i], i, cfg);
  return cfg;
}

void Loader::load_dataplane(const toml::table& t, DataplaneSettings& d) {
  Section s(*this, t, "in [dataplane]",
            {"main_lcore", "worker_lcores", "burst_size", "flow_table_size", "idle_sleep_us",
             "rx_interrupts", "hugepages", "memory_mb", "file_prefix", "mbufs_per_port", "eal_args",
             "control_socket", "garp_count", "garp_interval"});
  std::optional<int64_t> main_lcore = int64_t(d.main_lcore);
  const toml::node* main_node = s.get("main_lcore");
  if (main_node) {
    main_lcore = integer(*main_node, "main_lcore", 0, kMaxLcores - 1);
    if (main_lcore) d.main_lcore = uint32_t(*main_lcore);
  }

  if (const toml::node* n = s.get("worker_lcores")) {
    if (const auto* a = array(*n, "worker_lcores")) {
      d.worker_lcores.clear();
      if (a->empty()) error(*a, "worker_lcores is empty; list at least one worker lcore, e.g. [1]");
      for (size_t i = 0; i < a->size(); ++i) {
        const toml::node& e = *a->get(i);
        auto lcore = integer(e, "worker_lcores[" + std::to_string(i) + "]", 0, kMaxLcores - 1);
        if (!lcore) continue;
        auto value = uint32_t(*lcore);
        if (std::find(d.worker_lcores.begin(), d.worker_lcores.end(), value) !=
            d.worker_lcores.end())
          error(e, "worker lcore " + std::to_string(value) + " listed twice");
        else if (main_lcore && *lcore == *main_lcore)
          error(e, "worker lcore " + std::to_string(value) +
                       " is the main_lcore; give workers lcores of their own");
        else
          d.worker_lcores.push_back(value);
      }
    }
  } else if (main_node && main_lcore &&
             std::find(d.worker_lcores.begin(), d.worker_lcores.end(), *main_lcore) !=
                 d.worker_lcores.end()) {
    error(*main_node, "main_lcore " + std::to_string(*main_lcore) +
                          " is also the default worker lcore; set worker_lcores to other lcores");
  }

  read_integer(s, "burst_size", d.burst_size, 1, 512);
  read_integer(s, "flow_table_size", d.flow_table_size, 1024, 268435456);
  read_integer(s, "idle_sleep_us", d.idle_sleep_us, 0, 100000);
  for (auto [key, out] :
       {std::pair{"rx_interrupts", &d.rx_interrupts}, std::pair{"hugepages", &d.hugepages}}) {
    if (const toml::node* n = s.get(key)) {
      if (const auto* b = n->as_boolean())
        *out = b->get();
      else
        error(*n, std::string(key) + ": expected a boolean, got " + kind_of(*n));
    }
  }
  read_integer(s, "memory_mb", d.memory_mb, 64, 1048576);
  if (const toml::node* n = s.get("file_prefix")) {
    if (auto v = string(*n, "file_prefix")) {
      if (valid_name(*v, 32, false))
        d.file_prefix = *v;
      else
        error(*n, "file_prefix '" + *v +
                      "' is not valid; allowed: 1-32 characters from A-Z a-z 0-9 _ -");
    }
  }
  read_integer(s, "mbufs_per_port", d.mbufs_per_port, 1023, 4194303);
  read_integer(s, "garp_count", d.garp_count, 0, 100);
  if (const toml::node* n = s.get("garp_interval"))
    if (auto ms = milliseconds(*n, "garp_interval")) d.garp_interval_ms = *ms;
  if (const toml::node* n = s.get("control_socket")) {
    if (auto v = string(*n, "control_socket")) {
      if (valid_socket_path(*v))
        d.control_socket = *v;
      else
        error(*n, "control_socket '" + *v +
                      "' is not valid; allowed: an absolute path under 100 bytes");
    }
  }
  if (const toml::node* n = s.get("eal_args")) {
    if (const auto* a = array(*n, "eal_args")) {
      for (size_t i = 0; i < a->size(); ++i)
        if (auto v = string(*a->get(i), "eal_args[" + std::to_string(i) + "]")) {
          if (*v == "--in-memory" && !d.hugepages)
            error(*a->get(i),
                  "eal_args: --in-memory cannot be combined with hugepages = false (DPDK's "
                  "--no-huge already keeps memory in the process); remove it");
          d.eal_args.push_back(*v);
        }
    }
  }
}

void Loader::load_controlplane(const toml::table& t, ControlPlaneSettings& c) {
  Section s(*this, t, "in [controlplane]", {"socket", "admin_state_file", "admin_state_max_age"});
  if (const toml::node* n = s.get("socket")) {
    if (auto v = string(*n, "socket")) {
      if (valid_socket_path(*v))
        c.socket = *v;
      else
        error(*n, "socket '" + *v + "' is not valid; allowed: an absolute path under 100 bytes");
    }
  }
  if (const toml::node* n = s.get("admin_state_file")) {
    if (auto v = string(*n, "admin_state_file")) {
      if (!v->empty() && (*v)[0] == '/')
        c.admin_state_file = *v;
      else
        error(*n, "admin_state_file '" + *v + "' is not valid; allowed: an absolute path");
    }
  }
  read_integer(s, "admin_state_max_age", c.admin_state_max_age_s, 60, 365 * 24 * 3600);
}

void Loader::load_check(const toml::table& t, const std::string& entity, Vip& vip) {
  Section s(*this, t, "in [vip.check]",
            {"type", "port", "interval", "fast_interval", "down_interval", "timeout", "rise",
             "fall", "path", "host", "status", "payload", "expect", "initial"});
  HealthCheck& c = vip.check;
  if (const toml::node* n = s.require("type", entity + " check", "allowed: tcp, http, udp, none")) {
    if (auto v = string(*n, "type")) {
      if (auto type = parse_check_type(*v))
        c.type = *type;
      else
        error(*n, "check type '" + *v + "' is not supported; allowed: tcp, http, udp, none");
    }
  }
  read_integer(s, "port", c.port, 1, 65535);
  auto read_ms = [&](std::string_view key, uint32_t& out) {
    if (const toml::node* n = s.get(key))
      if (auto ms = milliseconds(*n, key)) out = *ms;
  };
  read_ms("interval", c.interval_ms);
  read_ms("fast_interval", c.fast_interval_ms);
  read_ms("down_interval", c.down_interval_ms);
  read_ms("timeout", c.timeout_ms);
  read_integer(s, "rise", c.rise, 1, 100);
  read_integer(s, "fall", c.fall, 1, 100);
  auto read_text = [&](std::string_view key, std::string& out) {
    if (const toml::node* n = s.get(key))
      if (auto v = string(*n, key)) out = *v;
  };
  read_text("host", c.http_host);
  read_text("payload", c.udp_payload);
  read_text("expect", c.udp_expect);
  if (const toml::node* n = s.get("path")) {
    if (auto v = string(*n, "path")) {
      if (!v->empty() && (*v)[0] == '/' && v->find_first_of(" \r\n") == std::string::npos)
        c.http_path = *v;
      else
        error(*n, "path '" + *v + "' is not valid; allowed: an absolute URL path without spaces");
    }
  }
  if (const toml::node* n = s.get("status")) {
    if (auto v = string(*n, "status")) {
      unsigned lo = 0, hi = 0;
      char dash = 0;
      int matched = std::sscanf(v->c_str(), "%3u%c%3u", &lo, &dash, &hi);
      if (matched == 1) hi = lo;
      if ((matched == 1 || (matched == 3 && dash == '-')) && lo >= 100 && hi <= 599 && lo <= hi) {
        c.http_status_min = uint16_t(lo);
        c.http_status_max = uint16_t(hi);
      } else {
        error(*n, "status '" + *v + "' is not valid; allowed: a code or a range such as \"200-399\"");
      }
    }
  }
  if (const toml::node* n = s.get("initial")) {
    if (auto v = string(*n, "initial")) {
      if (*v == "up" || *v == "down")
        c.initial_up = *v == "up";
      else
        error(*n, "initial '" + *v + "' is not supported; allowed: down, up");
    }
  }
  if (c.timeout_ms > c.interval_ms)
    error(t, entity + " check: timeout is longer than interval; lower timeout or raise interval");
  if (c.type == HealthCheck::Type::kUdp && c.udp_payload.empty())
    error(t, entity + " check: udp checks need a payload to send");
}

void Loader::load_flow_timeouts(const toml::table& t, FlowTimeouts& f) {
  Section s(*this, t, "in [flow_timeouts]",
            {"tcp_syn", "tcp_established", "tcp_closing", "udp", "other"});
  auto read = [&](std::string_view key, uint32_t& out) {
    if (const toml::node* n = s.get(key))
      if (auto ms = milliseconds(*n, key)) out = *ms;
  };
  read("tcp_syn", f.tcp_syn_ms);
  read("tcp_established", f.tcp_established_ms);
  read("tcp_closing", f.tcp_closing_ms);
  read("udp", f.udp_ms);
  read("other", f.other_ms);
}

void Loader::load_port(const toml::table& t, size_t index, Config& cfg) {
  Section s(*this, t, "in [port]",
            {"name", "device", "addresses", "gateway", "gateway6", "mtu", "mac", "queues",
             "exception_path", "tap_name", "flow_handoff"});
  Port p;
  std::string entity = "port #" + std::to_string(index + 1);
  if (const toml::node* n =
          s.require("name", entity, "a unique name, 1-15 characters from A-Z a-z 0-9 _ . -")) {
    if (auto v = string(*n, "name")) {
      if (!valid_name(*v, 15, true)) {
        error(*n,
              "name '" + *v + "' is not valid; allowed: 1-15 characters from A-Z a-z 0-9 _ . -");
      } else {
        entity = "port '" + *v + "'";
        p.name = *v;
        auto [it, fresh] = port_names_.emplace(*v, n->source().begin.line);
        if (!fresh)
          error(*n, "port name '" + *v + "' is already used (first at line " +
                        std::to_string(it->second) + ")");
      }
    }
  }
  if (const toml::node* n = s.require(
          "device", entity,
          "a PCI address such as 0000:3b:00.0, or a vdev such as net_af_packet0,iface=eth0")) {
    if (auto v = string(*n, "device")) {
      auto identity = pci_identity(*v);
      if (!identity) identity = vdev_identity(*v);
      if (!identity) {
        error(*n, "device '" + *v +
                      "' is neither a PCI address (DDDD:BB:DD.F or BB:DD.F) nor a vdev "
                      "(net_<driver><n>[,args], e.g. net_af_packet0,iface=eth0)");
      } else {
        p.device = *v;
        auto [it, fresh] = devices_.emplace(*identity, entity);
        if (!fresh) error(*n, "device '" + *v + "' is already used by " + it->second);
      }
    }
  }
  if (const toml::node* n = s.get("addresses")) {
    if (const auto* a = array(*n, "addresses")) {
      for (size_t i = 0; i < a->size(); ++i) {
        const toml::node& e = *a->get(i);
        auto pfx = prefix(e, "addresses[" + std::to_string(i) + "]");
        if (!pfx) continue;
        auto [it, fresh] = port_addresses_.emplace(pfx->address, entity);
        if (!fresh)
          error(e, "address " + pfx->address.to_string() + " is already on " + it->second);
        else
          p.addresses.push_back(*pfx);
      }
    }
  }
  auto read_gateway = [&](std::string_view key, bool want_v4, std::optional<IpAddress>& out) {
    const toml::node* n = s.get(key);
    if (!n) return;
    auto a = address(*n, key);
    if (!a) return;
    const std::string text = a->to_string();
    if (a->is_v4() != want_v4) {
      error(*n, std::string(key) + " " + text +
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
    error(*n, std::string(key) + " " + text + " is not in any subnet of " + entity + " (" +
                  (want_v4 ? "IPv4" : "IPv6") + " addresses: " +
                  (subnets.empty() ? "none" : subnets) + "); a gateway must be on-link");
  };
  read_gateway("gateway", true, p.gateway);
  read_gateway("gateway6", false, p.gateway6);
  read_integer(s, "mtu", p.mtu, 576, 9600);
  if (const toml::node* n = s.get("mac")) p.mac = unicast_mac(*n, "mac");
  read_integer(s, "queues", p.queues, 0, 64);
  if (const toml::node* n = s.get("flow_handoff")) {
    if (auto v = string(*n, "flow_handoff")) {
      if (*v == "auto")
        p.flow_handoff = FlowHandoff::kAuto;
      else if (*v == "off")
        p.flow_handoff = FlowHandoff::kOff;
      else
        error(*n, "flow_handoff '" + *v + "' is not supported; allowed: auto, off");
    }
  }
  if (const toml::node* n = s.get("exception_path")) {
    if (auto v = string(*n, "exception_path")) {
      if (*v == "none") {
        p.exception_path = ExceptionPath::kNone;
      } else if (*v == "tap") {
        p.exception_path = ExceptionPath::kTap;
      } else if (*v == "xdp") {
        if (p.device.rfind("net_af_xdp", 0) != 0 || p.device.find(",iface=") == std::string::npos)
          error(*n, "exception_path 'xdp' needs an af_xdp device (net_af_xdp<n>,iface=<name>); " +
                        entity + " uses '" + p.device + "'");
        else if (p.device.find(",xdp_prog=") != std::string::npos)
          error(*n, "exception_path 'xdp' loads sluice's own XDP program: remove xdp_prog= from "
                    "the device of " + entity);
        else
          p.exception_path = ExceptionPath::kXdp;
      } else {
        error(*n, "exception_path '" + *v + "' is not supported; allowed: none, tap, xdp");
      }
    }
  }
  if (const toml::node* n = s.get("tap_name")) {
    if (auto v = string(*n, "tap_name")) {
      if (valid_name(*v, 15, true))
        p.tap_name = *v;
      else
        error(*n, "tap_name '" + *v + "' is not valid; allowed: 1-15 characters from A-Z a-z 0-9 _ . -");
    }
  }
  if (p.exception_path == ExceptionPath::kTap && p.tap_name.empty()) p.tap_name = ("sl-" + p.name).substr(0, 15);
  cfg.ports.push_back(std::move(p));
}

void Loader::load_neighbor(const toml::table& t, size_t index, Config& cfg) {
  Section s(*this, t, "in [neighbor]", {"address", "mac"});
  const std::string entity = "neighbor #" + std::to_string(index + 1);
  Neighbor nb;
  bool ok = true;
  if (const toml::node* n = s.require("address", entity, kAddressHint)) {
    if (auto a = address(*n, "address")) {
      nb.address = *a;
      if (!neighbor_addresses_.insert(*a).second) {
        error(*n, "neighbor " + a->to_string() + " listed twice");
        ok = false;
      }
    } else {
      ok = false;
    }
  } else {
    ok = false;
  }
  if (const toml::node* n = s.require("mac", entity, "a MAC address such as 02:00:00:00:00:21")) {
    if (auto m = unicast_mac(*n, "mac"))
      nb.mac = *m;
    else
      ok = false;
  } else {
    ok = false;
  }
  if (ok) cfg.neighbors.push_back(nb);
}

bool Loader::on_link(const Config& cfg, const IpAddress& a) const {
  for (const Port& p : cfg.ports)
    for (const IpPrefix& pfx : p.addresses)
      if (pfx.contains(a)) return true;
  return neighbor_addresses_.count(a) != 0;
}

void Loader::load_vip(const toml::table& t, size_t index, Config& cfg) {
  Section s(*this, t, "in [vip]",
            {"name", "address", "protocol", "port", "mode", "maglev_table_size", "encap_source",
             "encap_source6", "gue_port", "backend", "check", "active"});
  Vip vip;
  std::string entity = "vip #" + std::to_string(index + 1);
  if (const toml::node* n =
          s.require("name", entity, "a unique name, 1-63 characters from A-Z a-z 0-9 _ . -")) {
    if (auto v = string(*n, "name")) {
      if (!valid_name(*v, 63, true)) {
        error(*n,
              "name '" + *v + "' is not valid; allowed: 1-63 characters from A-Z a-z 0-9 _ . -");
      } else {
        entity = "vip '" + *v + "'";
        vip.name = *v;
        auto [it, fresh] = vip_names_.emplace(*v, n->source().begin.line);
        if (!fresh)
          error(*n, "vip name '" + *v + "' is already used (first at line " +
                        std::to_string(it->second) + ")");
      }
    }
  }
  std::optional<IpAddress> address_value;
  if (const toml::node* n = s.require("address", entity, kAddressHint))
    if ((address_value = address(*n, "address"))) vip.address = *address_value;
  std::optional<uint8_t> protocol;
  if (const toml::node* n = s.require("protocol", entity, "allowed: tcp, udp")) {
    if (auto v = string(*n, "protocol")) {
      protocol = parse_protocol(*v);
      if (protocol)
        vip.protocol = *protocol;
      else
        error(*n, "protocol '" + *v + "' is not supported; allowed: tcp, udp");
    }
  }
  std::optional<int64_t> port;
  if (const toml::node* n = s.require("port", entity, "0..65535; 0 = every port"))
    if ((port = integer(*n, "port", 0, 65535))) vip.port = uint16_t(*port);
  std::optional<ForwardingMode> mode;
  if (const toml::node* n = s.require("mode", entity, "allowed: dsr-l2, ipip, gue")) {
    if (auto v = string(*n, "mode")) {
      mode = parse_forwarding_mode(*v);
      if (mode)
        vip.mode = *mode;
      else
        error(*n, "mode '" + *v + "' is not supported; allowed: dsr-l2, ipip, gue");
    }
  }
  if (const toml::node* n = s.get("maglev_table_size")) {
    if (auto v = integer(*n, "maglev_table_size", 7, 1000003)) {
      auto size = uint32_t(*v);
      if (is_prime(size))
        vip.maglev_table_size = size;
      else
        error(*n, "maglev_table_size " + std::to_string(size) +
                      " is not prime; use a prime such as " + std::to_string(next_prime(size)));
    }
  }
  auto read_encap = [&](std::string_view key, bool want_v4, std::optional<IpPrefix>& out) {
    const toml::node* n = s.get(key);
    if (!n) return;
    auto pfx = prefix(*n, key);
    if (!pfx) return;
    if (pfx->address.is_v4() != want_v4) {
      error(*n, std::string(key) + " " + pfx->to_string() +
                    (want_v4 ? " is not IPv4; IPv6 outer sources go in encap_source6"
                             : " is not IPv6; IPv4 outer sources go in encap_source"));
      return;
    }
    if (mode == ForwardingMode::kDsrL2) {
      error(*n,
            std::string(key) + " is only used by modes ipip and gue; " + entity + " uses dsr-l2");
      return;
    }
    out = pfx;
  };
  read_encap("encap_source", true, vip.encap_source);
  read_encap("encap_source6", false, vip.encap_source6);
  if (const toml::node* n = s.get("gue_port")) {
    if (auto v = integer(*n, "gue_port", 1, 65535)) {
      if (mode && *mode != ForwardingMode::kGue)
        error(*n, "gue_port is only used by mode gue; " + entity + " uses " + to_string(*mode));
      else
        vip.gue_port = uint16_t(*v);
    }
  }

  if (const toml::node* n = s.get("active")) {
    if (const auto* b = n->as_boolean())
      vip.active = b->get();
    else
      error(*n, "active: expected a boolean, got " + kind_of(*n));
  }
  if (const toml::node* n = s.get("check")) {
    if (const auto* ct = table(*n, "check")) {
      load_check(*ct, entity, vip);
      if (port && *port == 0 && vip.check.type != HealthCheck::Type::kNone && vip.check.port == 0)
        error(*ct, entity + " check: the VIP serves every port; set the check's port");
    }
  }

  const toml::node* backends = s.get("backend");
  std::optional<std::vector<const toml::table*>> backend_tables;
  if (!backends)
    error(t, entity + ": no backends; add at least one [[vip.backend]]");
  else if ((backend_tables = table_array(*backends, "backend", "vip.backend", "backend")) &&
           backends->as_array()->empty())
    error(*backends, entity + ": no backends; add at least one [[vip.backend]]");
  bool any_v4 = false, any_v6 = false;
  if (backend_tables) {
    std::set<IpAddress> seen;
    for (size_t i = 0; i < backend_tables->size(); ++i) {
      const toml::node* address_node = nullptr;
      auto b = load_backend(*(*backend_tables)[i], entity + " backend #" + std::to_string(i + 1),
                            entity, seen, &address_node);
      if (!b) continue;
      (b->address.is_v4() ? any_v4 : any_v6) = true;
      if (mode == ForwardingMode::kDsrL2 && address_value) {
        const std::string text = b->address.to_string();
        if (b->address.is_v4() != address_value->is_v4()) {
          error(*address_node,
                "backend " + text + " is " + (b->address.is_v4() ? "IPv4" : "IPv6") + " but " +
                    entity + " is " + (address_value->is_v4() ? "IPv4" : "IPv6") +
                    "; dsr-l2 needs backends of the VIP's family (ipip and gue can mix)");
          continue;
        }
        if (!on_link(cfg, b->address)) {
          error(*address_node, "backend " + text +
                                   " is not on-link for dsr-l2: no port address has it in its "
                                   "subnet and no [[neighbor]] names it; use ipip or gue for "
                                   "routed backends");
          continue;
        }
      }
      vip.backends.push_back(*b);
    }
  }
  if (mode == ForwardingMode::kIpip || mode == ForwardingMode::kGue) {
    const std::string m = to_string(*mode);
    if (any_v4 && !s.get("encap_source"))
      error(t,
            entity + ": missing required key 'encap_source' (mode " + m +
                " with IPv4 backends needs an IPv4 outer source prefix, e.g. \"172.16.0.0/16\")");
    if (any_v6 && !s.get("encap_source6"))
      error(t,
            entity + ": missing required key 'encap_source6' (mode " + m +
                " with IPv6 backends needs an IPv6 outer source prefix, e.g. \"fd00:5eed::/64\")");
  }
  if (address_value && protocol && port) {
    auto [it, fresh] = vip_identities_.emplace(
        std::make_tuple(*address_value, *protocol, uint16_t(*port)), entity);
    if (!fresh)
      error(t, entity + " has the same address, protocol and port as " + it->second + " (" +
                   address_value->to_string() + " " + protocol_name(*protocol) + " port " +
                   std::to_string(*port) + ")");
  }
  cfg.vips.push_back(std::move(vip));
}

std::optional<Backend> Loader::load_backend(const toml::table& t, const std::string& entity,
                                            const std::string& vip_entity,
                                            std::set<IpAddress>& seen,
                                            const toml::node** address_node) {
  Section s(*this, t, "in [vip.backend]", {"address", "weight", "state"});
  Backend b;
  bool ok = false;
  if (const toml::node* n = s.require("address", entity, kAddressHint)) {
    *address_node = n;
    if (auto a = address(*n, "address")) {
      b.address = *a;
      ok = seen.insert(*a).second;
      if (!ok) error(*n, "backend " + a->to_string() + " listed twice in " + vip_entity);
    }
  }
  read_integer(s, "weight", b.weight, 0, 65535);
  if (const toml::node* n = s.get("state")) {
    if (auto v = string(*n, "state")) {
      if (auto state = parse_backend_state(*v))
        b.state = *state;
      else
        error(*n, "state '" + *v + "' is not supported; allowed: ready, drain, maint");
    }
  }
  if (!ok) return std::nullopt;
  return b;
}

}  // namespace

namespace {
void sort_by_position(std::vector<ConfigError>& errors) {
  std::stable_sort(errors.begin(), errors.end(), [](const ConfigError& a, const ConfigError& b) {
    return std::tie(a.line, a.column) < std::tie(b.line, b.column);
  });
}
}  // namespace

LoadResult parse_config(std::string_view toml_text, std::string_view file_name) {
  LoadResult result;
  try {
    toml::table root = toml::parse(toml_text, file_name);
    Loader loader(file_name);
    Config cfg = loader.load(root);
    result.errors = loader.take_errors();
    if (result.errors.empty()) result.config = std::move(cfg);
  } catch (const toml::parse_error& e) {
    result.errors.push_back({std::string(file_name), e.source().begin.line, e.source().begin.column,
                             std::string(e.description())});
  }
  sort_by_position(result.errors);
  return result;
}

LoadResult parse_vip_update(std::string_view toml_text, std::string_view name,
                            const Config& base) {
  LoadResult result;
  try {
    toml::table root = toml::parse(toml_text, name);
    Loader loader(name);
    Config cfg = loader.load_vips(root, base);
    result.errors = loader.take_errors();
    if (result.errors.empty()) result.config = std::move(cfg);
  } catch (const toml::parse_error& e) {
    result.errors.push_back({std::string(name), e.source().begin.line, e.source().begin.column,
                             std::string(e.description())});
  }
  sort_by_position(result.errors);
  return result;
}

LoadResult load_config_file(const std::string& path) {
  auto unreadable = [&](int err) {
    LoadResult result;
    result.errors.push_back(
        {path, 0, 0, "cannot read: " + std::error_code(err, std::generic_category()).message()});
    return result;
  };
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return unreadable(errno);
  std::string text;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  int err = std::ferror(f) ? errno : 0;
  std::fclose(f);
  if (err) return unreadable(err);
  return parse_config(text, path);
}

}  // namespace sluice::config
