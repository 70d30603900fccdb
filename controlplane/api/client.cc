// SPDX-License-Identifier: BSD-3-Clause
#include "api/client.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>

#include "api/command.h"
#include "api/command_table.h"
#include "api/help.h"
#include "api/server.h"
#include "api/text.h"

namespace sluice::api {
namespace {

std::string usage() {
  return "Usage: sluicectl [-s SOCKET] [-t SECONDS] [--json] COMMAND...\n"
         "Sends COMMAND (the words joined by spaces; ';' separates several commands) to\n"
         "sluiced's runtime socket and prints the answers.\n"
         "  -s, --socket PATH    runtime socket (default /run/sluice/sluiced.sock)\n"
         "  -t, --timeout SEC    wait at most SEC seconds for the answers (default 30)\n"
         "      --json           answer read commands in JSON\n"
         "  -h, --help           print this and exit\n"
         "Commands (admin: as root or sluiced's own user; 'sluicectl help' lists yours):\n" +
         command_summary() +
         "Exit status: 0 answered, 1 an answer is an error, 2 usage or connection error.\n";
}

std::string connect_error(const std::string& path, int err) {
  std::string msg = "cannot connect to " + path + ": " + std::strerror(err);
  if (err == ENOENT || err == ECONNREFUSED) msg += " (is sluiced running?)";
  if (err == EACCES) msg += " (run as root or as a member of the socket's group)";
  return msg;
}

// `--json` adds the json flag to each command of the line that takes it.
std::string with_json(std::string_view line) {
  std::string out;
  for (std::string_view part : split_commands(line)) {
    if (!out.empty()) out += "; ";
    out += part;
    Command c = parse_command(part);
    if (c.row && c.row->json && !c.json) out += " json";
  }
  return out;
}

}  // namespace

QueryResult query(const std::string& socket_path, std::string_view line, int timeout_ms) {
  QueryResult r;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_path.empty() || socket_path.size() >= sizeof addr.sun_path) {
    r.error = "socket path '" + socket_path + "' is empty or too long";
    return r;
  }
  std::memcpy(addr.sun_path, socket_path.data(), socket_path.size());
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    r.error = std::string("cannot create socket: ") + std::strerror(errno);
    return r;
  }
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    r.error = connect_error(socket_path, errno);
    ::close(fd);
    return r;
  }

  std::string request = std::string(line) + "\nquit\n";
  size_t sent = 0;
  while (sent < request.size()) {
    ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;  // the server may have closed early; read what it said
    sent += static_cast<size_t>(n);
  }

  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  char buf[16384];
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      r.error = "no complete answer from " + socket_path + " within " +
                std::to_string(timeout_ms / 1000) + " s";
      ::close(fd);
      return r;
    }
    pollfd p{fd, POLLIN, 0};
    int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;  // timeout: reported at the top of the loop
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      r.error = "reading from " + socket_path + ": " + std::strerror(errno);
      ::close(fd);
      return r;
    }
    if (n == 0) break;
    r.answers.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  r.ok = true;
  return r;
}

std::vector<std::string> split_answers(std::string_view text) {
  std::vector<std::string> out;
  std::string current;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    if (line.empty()) {
      out.push_back(std::move(current));
      current.clear();
      continue;
    }
    current += line;
    current += '\n';
  }
  if (!current.empty()) out.push_back(std::move(current));  // cut short by the server
  return out;
}

int run_sluicectl(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::string socket_path(kDefaultSocketPath);
  int timeout_s = 30;
  bool json = false;
  size_t i = 0;
  auto usage_error = [&](const std::string& msg) {
    err << "sluicectl: " << msg << "\n" << usage();
    return kExitUsage;
  };
  for (; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::string_view name, std::string* v) {
      if (a.size() > name.size() && a.starts_with(name) && a[name.size()] == '=') {
        *v = a.substr(name.size() + 1);
        return true;
      }
      if (i + 1 >= args.size()) return false;
      *v = args[++i];
      return true;
    };
    if (a == "--") {
      ++i;
      break;
    }
    if (a == "-h" || a == "--help") {
      out << usage();
      return kExitOk;
    }
    if (a == "--json") {
      json = true;
    } else if (a == "-s" || a == "--socket" || a.starts_with("--socket=")) {
      if (!value("--socket", &socket_path)) return usage_error(a + " needs a path");
    } else if (a == "-t" || a == "--timeout" || a.starts_with("--timeout=")) {
      std::string v;
      if (!value("--timeout", &v)) return usage_error(a + " needs a number of seconds");
      auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), timeout_s);
      if (ec != std::errc() || end != v.data() + v.size() || timeout_s <= 0 || timeout_s > 86400)
        return usage_error("timeout '" + v + "' is not a number of seconds in 1..86400");
    } else if (a.size() > 1 && a[0] == '-') {
      return usage_error("unknown option '" + a + "'");
    } else {
      break;
    }
  }

  std::string line;
  for (; i < args.size(); ++i) {
    if (args[i].find_first_of("\r\n") != std::string::npos)
      return usage_error("a command cannot contain a line break");
    if (!line.empty()) line += ' ';
    line += args[i];
  }
  if (split_commands(line).empty()) return usage_error("no command given");
  if (json) line = with_json(line);

  QueryResult r = query(socket_path, line, timeout_s * 1000);
  if (!r.ok) {
    err << "sluicectl: " << r.error << "\n";
    return kExitUsage;
  }
  int code = kExitOk;
  bool printed = false;  // answers on stdout are kept apart by a blank line
  for (const std::string& answer : split_answers(r.answers)) {
    if (answer.empty()) continue;
    if (is_error_line(answer)) {
      err << answer;
      code = kExitErrorAnswer;
    } else {
      if (printed) out << '\n';
      out << answer;
      printed = true;
    }
  }
  return code;
}

}  // namespace sluice::api
