// SPDX-License-Identifier: BSD-3-Clause
// The kernel side of one VRRP instance: a raw IP protocol 112 socket on the instance's
// interface, joined to 224.0.0.18 / ff02::12, sending with TTL / hop limit 255 (RFC 5798
// §5.1.1.3) and DSCP CS6 (TOS / traffic class 0xc0, as keepalived and FRR) to the group
// or to each unicast peer, and receiving with the TTL and the addresses decode() needs.
// Main loop only.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "net/ip_address.h"
#include "vrrp/packet.h"

namespace sluice::sluiced {

class VrrpSocket {
 public:
  VrrpSocket() = default;
  ~VrrpSocket();
  VrrpSocket(const VrrpSocket&) = delete;
  VrrpSocket& operator=(const VrrpSocket&) = delete;

  // nullopt on success, else why not (for the log). `ipv4_checksum`: the form IPv4 adverts
  // are sent and accepted in (packet.h); IPv6 has one form.
  std::optional<std::string> open(const std::string& interface, const IpAddress& local,
                                  std::vector<IpAddress> unicast_peers,
                                  vrrp::ChecksumForm ipv4_checksum);
  int fd() const { return fd_; }

  // Sends `message` (a VRRP message from vrrp::encode) to the group or every peer.
  void send(const vrrp::Advert& advert);

  struct Received {
    vrrp::DecodeResult result;
    IpAddress source;
  };
  // Reads one datagram; nullopt when none is waiting.
  std::optional<Received> receive();

 private:
  int fd_ = -1;
  int ifindex_ = 0;
  IpAddress local_;
  std::vector<IpAddress> peers_;
  vrrp::ChecksumForm form_ = vrrp::ChecksumForm::kPseudoHeader;
};

}  // namespace sluice::sluiced
