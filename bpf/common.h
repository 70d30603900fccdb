/* SPDX-License-Identifier: (GPL-2.0 OR BSD-3-Clause) */
/*
 * Types shared by every sluice BPF program and its user-space side. This header is
 * compiled both by clang -target bpf and by the C/C++ user-space tools, so it uses only
 * the kernel UAPI integer types.
 */
#ifndef SLUICE_BPF_COMMON_H
#define SLUICE_BPF_COMMON_H

#include <linux/types.h>

/*
 * One counter of a program, one slot per CPU (BPF_MAP_TYPE_PERCPU_ARRAY indexed by the
 * counter's enum value). Each CPU writes only its own slot, so plain increments suffice;
 * user space sums the slots when it reads.
 */
struct sluice_counter {
  __u64 packets;
  __u64 bytes;
};

/*
 * An IP address as a map key: IPv6 as is, IPv4 as an IPv4-mapped IPv6 address
 * (::ffff:a.b.c.d), both in network byte order. One key type serves both families.
 */
struct sluice_addr {
  __u8 bytes[16];
};

/* Name and meaning of one counter, for user space (see the *_COUNTERS lists). */
struct sluice_counter_info {
  const char* name;
  const char* help;
};

#endif /* SLUICE_BPF_COMMON_H */
