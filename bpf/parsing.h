/* SPDX-License-Identifier: (GPL-2.0 OR BSD-3-Clause) */
/*
 * Bounds-checked header parsing for the sluice XDP programs (BPF side only).
 *
 * A cursor walks the frame; every helper checks that the whole header lies before
 * data_end, advances the cursor past it and returns what the caller needs next, or
 * returns -1 (cursor unchanged) when the header does not fit or is malformed.
 */
#ifndef SLUICE_BPF_PARSING_H
#define SLUICE_BPF_PARSING_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "common.h"

#define SLUICE_MAX_VLANS 2

#ifndef ETH_P_8021AD
#define ETH_P_8021AD 0x88A8
#endif

#define IP_MF 0x2000
#define IP_OFFSET 0x1fff

struct cursor {
	void *pos;
	void *end;
};

struct vlan_tag {
	__be16 tci;
	__be16 proto;
};

/* Pointer to `len` bytes at the cursor, or NULL when they do not fit; no advance. */
#define cursor_peek(c, len) \
	((void *)((c)->pos + (len) <= (c)->end ? (c)->pos : NULL))

/*
 * Ethernet II with up to SLUICE_MAX_VLANS 802.1Q/802.1ad tags. Returns the EtherType
 * after the tags (host order), or -1 when the frame is shorter than its L2 header.
 */
static __always_inline int parse_ethhdr(struct cursor *c)
{
	struct ethhdr *eth = c->pos;
	void *pos = c->pos + sizeof(*eth);
	__be16 type;
	int i;

	if (pos > c->end)
		return -1;
	type = eth->h_proto;
#pragma unroll
	for (i = 0; i < SLUICE_MAX_VLANS; i++) {
		struct vlan_tag *tag = pos;

		if (type != bpf_htons(ETH_P_8021Q) && type != bpf_htons(ETH_P_8021AD))
			break;
		if ((void *)(tag + 1) > c->end)
			return -1;
		type = tag->proto;
		pos = tag + 1;
	}
	c->pos = pos;
	return bpf_ntohs(type);
}

/*
 * IPv4 header with its options. Returns the header length in bytes; -1 when the fixed
 * header or the options do not fit, the version is not 4 or IHL < 5.
 */
static __always_inline int parse_iphdr(struct cursor *c, struct iphdr **iph)
{
	struct iphdr *ip = c->pos;
	int hdr_len;

	if ((void *)(ip + 1) > c->end)
		return -1;
	if (ip->version != 4 || ip->ihl < 5)
		return -1;
	hdr_len = ip->ihl * 4;
	if (c->pos + hdr_len > c->end)
		return -1;
	c->pos += hdr_len;
	*iph = ip;
	return hdr_len;
}

/* The fixed IPv6 header. Returns its next-header value; -1 if short or not version 6. */
static __always_inline int parse_ipv6hdr(struct cursor *c, struct ipv6hdr **ip6h)
{
	struct ipv6hdr *ip6 = c->pos;

	if ((void *)(ip6 + 1) > c->end)
		return -1;
	if (ip6->version != 6)
		return -1;
	c->pos = ip6 + 1;
	*ip6h = ip6;
	return ip6->nexthdr;
}

static __always_inline int ipv4_is_fragment(const struct iphdr *ip)
{
	return (ip->frag_off & bpf_htons(IP_MF | IP_OFFSET)) != 0;
}

static __always_inline void addr_from_ipv4(struct sluice_addr *a, __be32 ip)
{
	__builtin_memset(a, 0, sizeof(*a));
	a->bytes[10] = 0xff;
	a->bytes[11] = 0xff;
	__builtin_memcpy(&a->bytes[12], &ip, 4);
}

static __always_inline void addr_from_ipv6(struct sluice_addr *a, const struct in6_addr *ip)
{
	__builtin_memcpy(a->bytes, ip, 16);
}

/* One's complement sum folded to 16 bits. */
static __always_inline __u16 csum_fold32(__u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)sum;
}

/*
 * Sum of the 16-bit words of an IPv4 header of hdr_len bytes (20..60) that the caller
 * has already bounds-checked against end; 0xffff when the header checksum is right.
 */
static __always_inline __u16 ipv4_header_sum(const struct iphdr *ip, int hdr_len, void *end)
{
	const __u16 *w = (const __u16 *)ip;
	__u32 sum = 0;
	int i;

	for (i = 0; i < 30; i++) {
		if (i * 2 >= hdr_len)
			break;
		if ((void *)(w + i + 1) > end)
			break;
		sum += w[i];
	}
	return csum_fold32(sum);
}

static __always_inline void count(void *stats_map, __u32 index, __u64 bytes)
{
	struct sluice_counter *ctr = bpf_map_lookup_elem(stats_map, &index);

	if (ctr) {
		ctr->packets++;
		ctr->bytes += bytes;
	}
}

#endif /* SLUICE_BPF_PARSING_H */
