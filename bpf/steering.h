/* SPDX-License-Identifier: (GPL-2.0 OR BSD-3-Clause) */
/*
 * XDP steering for af_xdp ports (steering.bpf.c): the VIP map key, map names and
 * counters shared by the program and its user-space wrapper (steering_loader.h).
 */
#ifndef SLUICE_BPF_STEERING_H
#define SLUICE_BPF_STEERING_H

#include "common.h"

#define STEERING_PROG_NAME "sluice_steer"
/*
 * "xsks_map" is the name DPDK's af_xdp PMD looks up in a custom program given with the
 * xdp_prog= devarg, so the object file also works that way.
 */
#define STEERING_XSKS_MAP "xsks_map"
#define STEERING_VIPS_MAP "steer_vips"
#define STEERING_ADDRS_MAP "steer_addrs"
#define STEERING_STATS_MAP "steer_stats"

#define STEERING_DEFAULT_MAX_QUEUES 64
#define STEERING_DEFAULT_MAX_VIPS 32768
#define STEERING_DEFAULT_MAX_ADDRS 17408

/*
 * Key of the VIP map. A packet matches when its destination address, IP protocol and
 * destination port equal an entry, or its address and protocol equal an entry with
 * port 0 (every port of that protocol). addr is IPv4-mapped for IPv4. Zero `pad`.
 */
struct steering_vip_key {
	struct sluice_addr addr;
	__be16 port; /* network byte order; 0 = every port */
	__u8 protocol; /* IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP, ... */
	__u8 pad;
};

/* Value of the VIP map: nothing yet beyond presence; reserved for per-VIP flags. */
struct steering_vip_value {
	__u32 flags;
};

/*
 * The address map (key: struct sluice_addr) holds every address the dataplane answers
 * neighbor discovery for: its active VIPs and its own port addresses. ARP whose target
 * address is one of them, ND neighbor solicitations whose target is one of them, and
 * ND neighbor advertisements sent to one of them go to the dataplane; all other ARP and
 * ND stays the kernel's. Value: reserved, zero.
 */
struct steering_addr_value {
	__u32 flags;
};

#define SLUICE_STEERING_COUNTERS(X)                                                    \
	X(STEER_STEERED, "steered",                                                    \
	  "VIP traffic redirected into the AF_XDP socket of its RX queue")            \
	X(STEER_NEIGHBOR, "neighbor",                                                  \
	  "ARP/ND for an address of the dataplane, redirected into its socket")       \
	X(STEER_PASSED, "passed",                                                      \
	  "not VIP traffic (ARP, ND, VRRP, SSH, fragments, ...): passed to the kernel") \
	X(STEER_NO_SOCKET, "no_socket",                                                \
	  "dataplane traffic on an RX queue without a socket in xsks_map: passed to the kernel") \
	X(STEER_TRUNCATED, "truncated",                                                \
	  "IP packet whose headers are cut short: passed to the kernel")

#define SLUICE_COUNTER_ENUM(id, name, help) id,
enum steering_counter {
	SLUICE_STEERING_COUNTERS(SLUICE_COUNTER_ENUM)
	STEER_NR_COUNTERS
};
#undef SLUICE_COUNTER_ENUM

#ifndef __bpf__
#define SLUICE_COUNTER_INFO(id, name, help) { name, help },
static const struct sluice_counter_info steering_counter_info[STEER_NR_COUNTERS] = {
	SLUICE_STEERING_COUNTERS(SLUICE_COUNTER_INFO)
};
#undef SLUICE_COUNTER_INFO
#endif

#endif /* SLUICE_BPF_STEERING_H */
