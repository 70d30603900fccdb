// SPDX-License-Identifier: BSD-3-Clause
#include "config/loader/toml_reader.h"

#include <cmath>
#include <cstdio>

namespace sluice::config::loader {

namespace {

std::string format_seconds(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

}  // namespace

std::string printable(std::string message) {
  std::string out;
  auto escape = [&out](std::string_view text) {
    for (unsigned char c : text) {
      if (c < 0x20 || c == 0x7f) {
        char hex[8];
        std::snprintf(hex, sizeof hex, "\\x%02x", c);
        out += hex;
      } else {
        out += char(c);
      }
    }
  };
  // A quoted value opens after a space or '(' and closes before a space, punctuation or
  // the end (so that "sluice's" is no quote).
  auto opens = [&](size_t i) { return i == 0 || message[i - 1] == ' ' || message[i - 1] == '('; };
  auto closes = [&](size_t i) {
    return i + 1 == message.size() ||
           std::string_view(" ,;:)").find(message[i + 1]) != std::string_view::npos;
  };
  auto next_quote = [&](size_t from, bool opening) {
    for (size_t i = message.find('\'', from); i != std::string::npos; i = message.find('\'', i + 1))
      if (opening ? opens(i) : closes(i)) return i;
    return std::string::npos;
  };
  size_t at = 0;
  while (at < message.size()) {
    const size_t open = next_quote(at, true);
    const size_t close = open == std::string::npos ? open : next_quote(open + 1, false);
    if (close == std::string::npos) {
      escape(std::string_view(message).substr(at));
      break;
    }
    escape(std::string_view(message).substr(at, open + 1 - at));
    const std::string_view quoted = std::string_view(message).substr(open + 1, close - open - 1);
    if (quoted.size() > kMaxQuotedBytes) {
      escape(quoted.substr(0, kMaxQuotedBytes - 8));
      out += "...(" + std::to_string(quoted.size()) + " bytes)";
    } else {
      escape(quoted);
    }
    out += '\'';
    at = close + 1;
  }
  if (out.size() > kMaxMessageBytes) {
    out.resize(kMaxMessageBytes);
    out += "... (message cut)";
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

std::optional<int64_t> TomlReader::integer(const toml::node& n, std::string_view what, int64_t lo,
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

std::optional<std::string> TomlReader::string(const toml::node& n, std::string_view what) {
  if (const auto* v = n.as_string()) return v->get();
  error(n, std::string(what) + ": expected a string, got " + kind_of(n));
  return std::nullopt;
}

std::optional<bool> TomlReader::boolean(const toml::node& n, std::string_view what) {
  if (const auto* v = n.as_boolean()) return v->get();
  error(n, std::string(what) + ": expected a boolean, got " + kind_of(n));
  return std::nullopt;
}

std::optional<uint32_t> TomlReader::milliseconds(const toml::node& n, std::string_view what) {
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

std::optional<IpAddress> TomlReader::address(const toml::node& n, std::string_view what) {
  auto text = string(n, what);
  if (!text) return std::nullopt;
  auto a = IpAddress::parse(*text);
  if (!a) error(n, std::string(what) + " '" + *text + "' is not an IPv4 or IPv6 address");
  return a;
}

std::optional<IpPrefix> TomlReader::prefix(const toml::node& n, std::string_view what) {
  auto text = string(n, what);
  if (!text) return std::nullopt;
  auto p = IpPrefix::parse(*text);
  if (!p)
    error(n, std::string(what) + " '" + *text +
                 "' is not an address/prefix-length such as 10.0.0.10/24 or 2001:db8::10/64");
  return p;
}

std::optional<MacAddress> TomlReader::unicast_mac(const toml::node& n, std::string_view what) {
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

const toml::array* TomlReader::array(const toml::node& n, std::string_view what) {
  if (const auto* a = n.as_array()) return a;
  error(n, std::string(what) + ": expected an array, got " + kind_of(n));
  return nullptr;
}

const toml::table* TomlReader::table(const toml::node& n, std::string_view what) {
  if (const auto* t = n.as_table()) return t;
  std::string message = std::string(what) + ": expected a table, got " + kind_of(n);
  if (n.is_array_of_tables())
    message += "; write [" + std::string(what) + "] (single brackets) once";
  error(n, std::move(message));
  return nullptr;
}

std::optional<std::vector<const toml::table*>> TomlReader::table_array(const toml::node& n,
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

}  // namespace sluice::config::loader
