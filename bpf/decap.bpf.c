// SPDX-License-Identifier: (GPL-2.0 OR BSD-3-Clause)
/*
 * sluice_decap: backend-side decapsulation of the tunnels sluice-dataplane emits, for
 * hosts whose kernel has no ipip/fou modules.
 *
 * An IPIP packet (outer IPv4 protocol 4/41, outer IPv6 next header 4/41) or a GUE
 * variant 1 packet (UDP to gue_port whose payload starts with an IPv4/IPv6 header)
 * whose outer destination is in decap_locals loses its outer headers: the Ethernet
 * header (and VLAN tags) moves forward onto the inner packet, its EtherType becomes the
 * inner family's, and XDP_PASS hands the inner packet to the local stack as if it had
 * arrived that way. Everything else passes untouched. Outer IPv6 extension headers are
 * not parsed (the dataplane never sends them): such packets pass untouched.
 *
 * ECN follows RFC 6040 (normal mode): an outer CE mark is copied to an ECN-capable
 * inner packet and a not-ECN-capable inner packet under CE is dropped.
 * Checked: outer IPv4 header checksum and lengths, outer UDP length, inner version and
 * lengths. Not checked: the outer UDP checksum (over IPv6 it would cost a pass over the
 * payload; the inner transport checksum still protects the data end to end).
 */
#include <linux/bpf.h>
#include <linux/in.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "decap.h"
#include "parsing.h"

/* Load-time settings (skeleton rodata). */
const volatile __u16 gue_port = DECAP_DEFAULT_GUE_PORT; /* host byte order */

/* Outer destination addresses this host decapsulates for (value unused). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, DECAP_MAX_LOCALS);
	__type(key, struct sluice_addr);
	__type(value, __u8);
} decap_locals SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, DECAP_NR_COUNTERS);
	__type(key, __u32);
	__type(value, struct sluice_counter);
} decap_stats SEC(".maps");

#define MAX_OUTER_OFFSET 0xff
#define ECN_MASK 0x3
#define ECN_CE 0x3

/* Where the inner packet is, found by the outer parse. Offsets are from ctx->data. */
struct tunnel {
	int l2_len; /* Ethernet header and VLAN tags */
	int inner_off; /* inner IP header */
	int inner_len; /* bytes of the outer packet from inner_off on */
	int inner_family; /* 4 or 6 */
	int kind; /* DECAP_IPIP or DECAP_GUE */
	__u8 outer_ecn;
};

static __always_inline int is_local(struct sluice_addr *a)
{
	return bpf_map_lookup_elem(&decap_locals, a) != NULL;
}

static __always_inline int tunnel_proto(__u8 proto)
{
	return proto == IPPROTO_IPIP || proto == IPPROTO_IPV6 || proto == IPPROTO_UDP;
}

/*
 * The UDP header of a GUE packet for us, followed by payload_len bytes of outer IP
 * payload (already checked to lie in the frame). Returns 0 with t filled in, or the
 * drop counter.
 */
static __always_inline int outer_udp(struct cursor *c, struct udphdr *udp, int payload_len,
				     struct tunnel *t)
{
	int udp_len;
	__u8 *first;

	if ((void *)(udp + 1) > c->end)
		return DECAP_DROP_TRUNCATED;
	udp_len = bpf_ntohs(udp->len);
	if (udp_len < (int)sizeof(*udp) || udp_len > payload_len)
		return DECAP_DROP_BAD_OUTER;
	t->kind = DECAP_GUE;
	t->inner_off += sizeof(*udp);
	t->inner_len = udp_len - sizeof(*udp);
	/* GUE variant 1: the first two bits are 01, i.e. an IPv4 or IPv6 header. */
	first = (void *)(udp + 1);
	if (t->inner_len < 1 || (void *)(first + 1) > c->end)
		return DECAP_DROP_TRUNCATED;
	switch (*first >> 4) {
	case 4:
		t->inner_family = 4;
		break;
	case 6:
		t->inner_family = 6;
		break;
	default:
		return DECAP_DROP_BAD_INNER;
	}
	return 0;
}

/* Returns 0 with t filled in when the packet is a tunnel to decapsulate, else a counter. */
static __always_inline int outer_ipv4(struct cursor *c, struct tunnel *t)
{
	struct iphdr *ip = c->pos;
	struct sluice_addr dst;
	struct udphdr *udp;
	int hdr_len, tot_len, avail;

	if ((void *)(ip + 1) > c->end || ip->version != 4 || ip->ihl < 5)
		return DECAP_PASSED;
	if (!tunnel_proto(ip->protocol))
		return DECAP_PASSED;
	addr_from_ipv4(&dst, ip->daddr);
	if (!is_local(&dst))
		return DECAP_PASSED;
	hdr_len = ip->ihl * 4;
	if (ip->protocol == IPPROTO_UDP) {
		udp = c->pos + hdr_len;
		if ((void *)(udp + 1) > c->end || udp->dest != bpf_htons(gue_port))
			return DECAP_PASSED;
	}
	/* From here on the packet is a tunnel packet addressed to us. */
	if (ipv4_is_fragment(ip))
		return DECAP_PASSED_FRAGMENT;
	if (parse_iphdr(c, &ip) < 0)
		return DECAP_DROP_TRUNCATED;
	if (ipv4_header_sum(ip, hdr_len, c->end) != 0xffff)
		return DECAP_DROP_BAD_OUTER;
	tot_len = bpf_ntohs(ip->tot_len);
	avail = c->end - (void *)ip;
	if (tot_len < hdr_len)
		return DECAP_DROP_BAD_OUTER;
	if (tot_len > avail)
		return DECAP_DROP_TRUNCATED;
	t->outer_ecn = ip->tos & ECN_MASK;
	t->inner_off = t->l2_len + hdr_len;
	if (ip->protocol == IPPROTO_UDP)
		return outer_udp(c, c->pos, tot_len - hdr_len, t);
	t->kind = DECAP_IPIP;
	t->inner_len = tot_len - hdr_len;
	t->inner_family = ip->protocol == IPPROTO_IPIP ? 4 : 6;
	return 0;
}

static __always_inline int outer_ipv6(struct cursor *c, struct tunnel *t)
{
	struct ipv6hdr *ip6 = c->pos;
	struct sluice_addr dst;
	struct udphdr *udp;
	int payload_len, avail;

	if ((void *)(ip6 + 1) > c->end || ip6->version != 6)
		return DECAP_PASSED;
	if (!tunnel_proto(ip6->nexthdr))
		return DECAP_PASSED;
	addr_from_ipv6(&dst, &ip6->daddr);
	if (!is_local(&dst))
		return DECAP_PASSED;
	if (ip6->nexthdr == IPPROTO_UDP) {
		udp = (void *)(ip6 + 1);
		if ((void *)(udp + 1) > c->end || udp->dest != bpf_htons(gue_port))
			return DECAP_PASSED;
	}
	parse_ipv6hdr(c, &ip6);
	payload_len = bpf_ntohs(ip6->payload_len);
	avail = c->end - c->pos;
	if (payload_len == 0) /* jumbogram: not something a tunnel carries */
		return DECAP_DROP_BAD_OUTER;
	if (payload_len > avail)
		return DECAP_DROP_TRUNCATED;
	t->outer_ecn = (ip6->flow_lbl[0] >> 4) & ECN_MASK;
	t->inner_off = t->l2_len + sizeof(*ip6);
	if (ip6->nexthdr == IPPROTO_UDP)
		return outer_udp(c, c->pos, payload_len, t);
	t->kind = DECAP_IPIP;
	t->inner_len = payload_len;
	t->inner_family = ip6->nexthdr == IPPROTO_IPIP ? 4 : 6;
	return 0;
}

/* RFC 1624 incremental update of an IPv4 header checksum for one changed 16-bit word. */
static __always_inline void ipv4_csum_replace(struct iphdr *ip, __be16 old, __be16 new)
{
	__u32 sum = (__u16)~ip->check;

	sum += (__u16)~old;
	sum += new;
	ip->check = ~csum_fold32(sum);
}

/* Checks the inner header and applies the outer ECN mark. Returns 0 or a counter. */
static __always_inline int inner_check(struct xdp_md *ctx, struct tunnel *t)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 off = t->inner_off;
	void *inner;
	__u8 ecn;

	/* At most 22 (L2) + 60 (IPv4 with options) + 8 (UDP); tells the verifier so. */
	if (off > MAX_OUTER_OFFSET)
		return DECAP_DROP_INTERNAL;
	inner = data + (off & MAX_OUTER_OFFSET);
	if (t->inner_family == 4) {
		struct iphdr *ip = inner;
		int hdr_len, tot_len;

		if (t->inner_len < (int)sizeof(*ip) || (void *)(ip + 1) > data_end)
			return DECAP_DROP_TRUNCATED;
		if (ip->version != 4 || ip->ihl < 5)
			return DECAP_DROP_BAD_INNER;
		hdr_len = ip->ihl * 4;
		tot_len = bpf_ntohs(ip->tot_len);
		if (hdr_len > t->inner_len)
			return DECAP_DROP_TRUNCATED;
		if (tot_len < hdr_len)
			return DECAP_DROP_BAD_INNER;
		if (tot_len > t->inner_len)
			return DECAP_DROP_TRUNCATED;
		if (t->outer_ecn != ECN_CE)
			return 0;
		ecn = ip->tos & ECN_MASK;
		if (ecn == 0)
			return DECAP_DROP_ECN;
		if (ecn != ECN_CE) {
			__be16 old = *(__be16 *)ip;

			ip->tos |= ECN_CE;
			ipv4_csum_replace(ip, old, *(__be16 *)ip);
		}
		return 0;
	} else {
		struct ipv6hdr *ip6 = inner;

		if (t->inner_len < (int)sizeof(*ip6) || (void *)(ip6 + 1) > data_end)
			return DECAP_DROP_TRUNCATED;
		if (ip6->version != 6)
			return DECAP_DROP_BAD_INNER;
		if (bpf_ntohs(ip6->payload_len) == 0)
			return DECAP_DROP_BAD_INNER;
		if ((int)sizeof(*ip6) + bpf_ntohs(ip6->payload_len) > t->inner_len)
			return DECAP_DROP_TRUNCATED;
		if (t->outer_ecn != ECN_CE)
			return 0;
		ecn = (ip6->flow_lbl[0] >> 4) & ECN_MASK;
		if (ecn == 0)
			return DECAP_DROP_ECN;
		ip6->flow_lbl[0] |= ECN_CE << 4;
		return 0;
	}
}

struct l2_header {
	struct ethhdr eth;
	struct vlan_tag tags[SLUICE_MAX_VLANS];
};

/* Removes the outer headers between the L2 header and the inner packet. */
static __always_inline int strip_outer(struct xdp_md *ctx, struct tunnel *t)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__be16 type = bpf_htons(t->inner_family == 4 ? ETH_P_IP : ETH_P_IPV6);
	struct l2_header l2;
	int tags = (t->l2_len - sizeof(struct ethhdr)) / sizeof(struct vlan_tag);

	/* Save the L2 header: the outer headers may be shorter than it (overlap). */
	if (data + sizeof(l2) > data_end)
		return DECAP_DROP_INTERNAL; /* cannot happen: an IP header follows */
	__builtin_memcpy(&l2, data, sizeof(l2));
	if (tags == 0)
		l2.eth.h_proto = type;
	else if (tags == 1)
		l2.tags[0].proto = type;
	else
		l2.tags[1].proto = type;

	if (bpf_xdp_adjust_head(ctx, t->inner_off - t->l2_len))
		return DECAP_DROP_INTERNAL;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if (data + sizeof(struct ethhdr) > data_end)
		return DECAP_DROP_INTERNAL;
	if (tags == 0) {
		__builtin_memcpy(data, &l2, sizeof(struct ethhdr));
	} else if (tags == 1) {
		if (data + sizeof(struct ethhdr) + sizeof(struct vlan_tag) > data_end)
			return DECAP_DROP_INTERNAL;
		__builtin_memcpy(data, &l2, sizeof(struct ethhdr) + sizeof(struct vlan_tag));
	} else {
		if (data + sizeof(l2) > data_end)
			return DECAP_DROP_INTERNAL;
		__builtin_memcpy(data, &l2, sizeof(l2));
	}
	return t->kind;
}

static __always_inline int decap(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	struct cursor c = { .pos = data, .end = (void *)(long)ctx->data_end };
	struct tunnel t = {};
	int type, ret;

	type = parse_ethhdr(&c);
	if (type < 0)
		return DECAP_PASSED;
	t.l2_len = c.pos - data;
	if (type == ETH_P_IP)
		ret = outer_ipv4(&c, &t);
	else if (type == ETH_P_IPV6)
		ret = outer_ipv6(&c, &t);
	else
		return DECAP_PASSED;
	if (ret)
		return ret;
	ret = inner_check(ctx, &t);
	if (ret)
		return ret;
	return strip_outer(ctx, &t);
}

SEC("xdp")
int sluice_decap(struct xdp_md *ctx)
{
	__u64 bytes = ctx->data_end - ctx->data;
	int counter = decap(ctx);

	count(&decap_stats, counter, bytes);
	return counter >= DECAP_FIRST_DROP ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
