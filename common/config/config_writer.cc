// SPDX-License-Identifier: BSD-3-Clause
#include "config/config_writer.h"

#include <sstream>

namespace sluice::config {

namespace {

// TOML basic string; names and addresses need no escapes, but be exact anyway.
std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string vips_to_toml(const std::vector<Vip>& vips) {
  std::ostringstream out;
  for (const Vip& v : vips) {
    out << "[[vip]]\n"
        << "name = " << quoted(v.name) << "\n"
        << "address = " << quoted(v.address.to_string()) << "\n"
        << "protocol = " << quoted(protocol_name(v.protocol)) << "\n"
        << "port = " << v.port << "\n"
        << "mode = " << quoted(to_string(v.mode)) << "\n"
        << "maglev_table_size = " << v.maglev_table_size << "\n";
    if (v.hash != VipHash::kFiveTuple) out << "hash = " << quoted(to_string(v.hash)) << "\n";
    if (v.encap_source) out << "encap_source = " << quoted(v.encap_source->to_string()) << "\n";
    if (v.encap_source6) out << "encap_source6 = " << quoted(v.encap_source6->to_string()) << "\n";
    if (v.mode == ForwardingMode::kGue) out << "gue_port = " << v.gue_port << "\n";
    if (v.mss_clamp) out << "mss_clamp = " << v.mss_clamp << "\n";
    if (!v.active) out << "active = false\n";
    for (const Backend& b : v.backends)
      out << "  [[vip.backend]]\n"
          << "  address = " << quoted(b.address.to_string()) << "\n"
          << "  weight = " << b.weight << "\n"
          << "  state = " << quoted(to_string(b.state)) << "\n";
  }
  return out.str();
}

}  // namespace sluice::config
