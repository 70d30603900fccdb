/* SPDX-License-Identifier: (GPL-2.0 OR BSD-3-Clause) */
/*
 * Backend-side IPIP/GUE decapsulation (decap.bpf.c): the maps, counters and defaults
 * shared by the XDP program and its loader (sluice-decap). The only definition of each.
 */
#ifndef SLUICE_BPF_DECAP_H
#define SLUICE_BPF_DECAP_H

#include "common.h"

/* Name of the XDP program: the loader finds an attached decap program by it. */
#define DECAP_PROG_NAME "sluice_decap"
/* Map names as the kernel reports them (BPF object names are at most 15 chars). */
#define DECAP_STATS_MAP "decap_stats"
#define DECAP_LOCALS_MAP "decap_locals"

#define DECAP_DEFAULT_GUE_PORT 6080
/* Most outer destination addresses one program accepts (decap_locals entries). */
#define DECAP_MAX_LOCALS 64

/*
 * Every packet the program sees ends in exactly one of these counters. The verdict is
 * XDP_PASS for the decapsulated_* and passed* counters, XDP_DROP for dropped_*, which
 * come last (from DECAP_FIRST_DROP on).
 * X(enum id, name printed by sluice-decap stats, meaning)
 */
#define SLUICE_DECAP_COUNTERS(X)                                                       \
	X(DECAP_IPIP, "decapsulated_ipip",                                             \
	  "IPIP for a local address (4in4, 6in4, 4in6, 6in6): outer header removed")  \
	X(DECAP_GUE, "decapsulated_gue",                                               \
	  "GUE (variant 1, UDP to the GUE port) for a local address: outer headers removed") \
	X(DECAP_PASSED, "passed",                                                      \
	  "not an IPIP/GUE packet for a local address: passed untouched")             \
	X(DECAP_PASSED_FRAGMENT, "passed_fragment",                                    \
	  "IPIP/GUE for a local address in an outer IPv4 fragment: passed untouched")  \
	X(DECAP_DROP_TRUNCATED, "dropped_truncated",                                   \
	  "IPIP/GUE for a local address whose outer or inner packet is cut short")    \
	X(DECAP_DROP_BAD_OUTER, "dropped_bad_outer",                                   \
	  "outer IPv4 header checksum, outer length or UDP length inconsistent")      \
	X(DECAP_DROP_BAD_INNER, "dropped_bad_inner",                                   \
	  "inner header is not the announced IP version, or its header length is invalid") \
	X(DECAP_DROP_ECN, "dropped_ecn",                                               \
	  "outer ECN CE over a not-ECN-capable inner packet (RFC 6040)")              \
	X(DECAP_DROP_INTERNAL, "dropped_internal",                                     \
	  "bpf_xdp_adjust_head failed")

#define SLUICE_COUNTER_ENUM(id, name, help) id,
enum decap_counter {
	SLUICE_DECAP_COUNTERS(SLUICE_COUNTER_ENUM)
	DECAP_NR_COUNTERS
};
#undef SLUICE_COUNTER_ENUM
#define DECAP_FIRST_DROP DECAP_DROP_TRUNCATED

#ifndef __bpf__
#define SLUICE_COUNTER_INFO(id, name, help) { name, help },
static const struct sluice_counter_info decap_counter_info[DECAP_NR_COUNTERS] = {
	SLUICE_DECAP_COUNTERS(SLUICE_COUNTER_INFO)
};
#undef SLUICE_COUNTER_INFO
#endif

#endif /* SLUICE_BPF_DECAP_H */
