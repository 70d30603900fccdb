// SPDX-License-Identifier: (GPL-2.0 OR BSD-3-Clause)
/*
 * sluice_steer: XDP program for a dataplane port in af_xdp mode. Packets for an active
 * VIP go to the dataplane's AF_XDP socket of the RX queue they arrived on; everything
 * else (ARP, ND, VRRP, BGP, SSH, health-check replies, fragments) goes to the kernel.
 *
 * A packet is VIP traffic when (destination address, IP protocol, destination port) is
 * in steer_vips, or (destination address, IP protocol, 0). TCP, UDP and SCTP have ports;
 * other protocols look up port 0. ICMP/ICMPv6 errors (destination unreachable, packet
 * too big, time exceeded, parameter problem) are looked up by the packet they quote,
 * as (quoted source, quoted protocol, quoted source port): the dataplane routes them to
 * the backend of that flow. Other ICMP (echo) looks up (destination, ICMP, 0).
 *
 * Neighbor discovery goes to the dataplane only for the addresses in steer_addrs (its
 * VIPs and its own addresses): ARP whose target address is one, ND solicitations whose
 * target is one, ND advertisements addressed to one. So the dataplane answers for its
 * addresses and learns its backends' MACs, while the kernel keeps resolving its own.
 * Up to 2 VLAN tags and 6 IPv6 extension headers are walked; IP fragments other than
 * IPv6 atomic fragments pass (the dataplane does not balance them).
 */
#include <linux/bpf.h>
#include <linux/in.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "parsing.h"
#include "steering.h"

#define IPV6_MAX_EXT_HEADERS 6

/*
 * ICMP and ICMPv6 share the layout of their first 8 bytes (<linux/icmp.h> pulls libc
 * headers into a BPF build, so only the fields used here are declared).
 */
struct icmp_head {
	__u8 type;
	__u8 code;
	__sum16 checksum;
	__be32 rest;
};

#define ICMP_DEST_UNREACH 3
#define ICMP_TIME_EXCEEDED 11
#define ICMP_PARAMETERPROB 12
#define ICMPV6_DEST_UNREACH 1
#define ICMPV6_PKT_TOOBIG 2
#define ICMPV6_TIME_EXCEED 3
#define ICMPV6_PARAMPROB 4
#define ICMPV6_ND_FIRST 133 /* router solicitation */
#define ICMPV6_ND_SOLICIT 135
#define ICMPV6_ND_ADVERT 136
#define ICMPV6_ND_LAST 137 /* redirect */
#define ARP_HW_ETHER 1

struct arp_ipv4 {
	__be16 hw_type;
	__be16 proto_type;
	__u8 hw_len;
	__u8 proto_len;
	__be16 op;
	__u8 sender_mac[6];
	__be32 sender_ip; /* unaligned in the frame: read as bytes */
	__u8 target_mac[6];
	__u8 target_ip[4];
} __attribute__((packed));

/* RX queue index -> AF_XDP socket. Resized by the loader to the port's queue count. */
struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, STEERING_DEFAULT_MAX_QUEUES);
	__type(key, __u32);
	__type(value, __u32);
} xsks_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, STEERING_DEFAULT_MAX_VIPS);
	__type(key, struct steering_vip_key);
	__type(value, struct steering_vip_value);
} steer_vips SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, STEERING_DEFAULT_MAX_ADDRS);
	__type(key, struct sluice_addr);
	__type(value, struct steering_addr_value);
} steer_addrs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, STEER_NR_COUNTERS);
	__type(key, __u32);
	__type(value, struct sluice_counter);
} steer_stats SEC(".maps");

enum {
	KEY_OK = 0, /* key filled in: look it up */
	KEY_PASS = 1, /* not for the dataplane whatever the VIPs are */
	KEY_NEIGHBOR = 2, /* neighbor discovery for an address of the dataplane */
	KEY_TRUNCATED = -1,
};

struct l4_ports {
	__be16 source;
	__be16 dest;
};

static __always_inline int has_ports(__u8 proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP || proto == IPPROTO_SCTP;
}

/* Destination port of TCP/UDP/SCTP at the cursor into key; 0 for other protocols. */
static __always_inline int l4_dest_port(struct cursor *c, struct steering_vip_key *key)
{
	struct l4_ports *p = c->pos;

	if (!has_ports(key->protocol))
		return KEY_OK;
	if ((void *)(p + 1) > c->end)
		return KEY_TRUNCATED;
	key->port = p->dest;
	return KEY_OK;
}

/* Source port of the quoted packet (the VIP side of the flow an ICMP error is about). */
static __always_inline int quoted_source_port(struct cursor *c, struct steering_vip_key *key)
{
	struct l4_ports *p = c->pos;

	if (!has_ports(key->protocol))
		return KEY_OK;
	if ((void *)(p + 1) > c->end)
		return KEY_TRUNCATED;
	key->port = p->source;
	return KEY_OK;
}

static __always_inline int icmp4_key(struct cursor *c, struct steering_vip_key *key)
{
	struct icmp_head *icmp = c->pos;
	struct iphdr *quoted;

	if ((void *)(icmp + 1) > c->end)
		return KEY_TRUNCATED;
	switch (icmp->type) {
	case ICMP_DEST_UNREACH:
	case ICMP_TIME_EXCEEDED:
	case ICMP_PARAMETERPROB:
		break;
	default:
		return KEY_OK; /* (destination, ICMP, 0) */
	}
	c->pos = icmp + 1;
	if (parse_iphdr(c, &quoted) < 0)
		return KEY_TRUNCATED;
	addr_from_ipv4(&key->addr, quoted->saddr);
	key->protocol = quoted->protocol;
	if (quoted->frag_off & bpf_htons(IP_OFFSET))
		return KEY_OK; /* a non-first fragment quotes no ports */
	return quoted_source_port(c, key);
}

static __always_inline int owned_neighbor(const struct sluice_addr *addr)
{
	return bpf_map_lookup_elem(&steer_addrs, addr) ? KEY_NEIGHBOR : KEY_PASS;
}

/* key->addr holds the packet's destination; the cursor is past the ICMPv6 header. */
static __always_inline int nd_key(struct cursor *c, struct icmp_head *icmp6,
				  struct steering_vip_key *key)
{
	struct sluice_addr *target = c->pos;

	if (icmp6->type == ICMPV6_ND_ADVERT)
		return owned_neighbor(&key->addr);
	if (icmp6->type != ICMPV6_ND_SOLICIT)
		return KEY_PASS;
	if ((void *)(target + 1) > c->end)
		return KEY_TRUNCATED;
	return owned_neighbor(target);
}

static __always_inline int icmp6_key(struct cursor *c, struct steering_vip_key *key)
{
	struct icmp_head *icmp6 = c->pos;
	struct ipv6hdr *quoted;
	int next;

	if ((void *)(icmp6 + 1) > c->end)
		return KEY_TRUNCATED;
	switch (icmp6->type) {
	case ICMPV6_DEST_UNREACH:
	case ICMPV6_PKT_TOOBIG:
	case ICMPV6_TIME_EXCEED:
	case ICMPV6_PARAMPROB:
		break;
	case ICMPV6_ND_FIRST ... ICMPV6_ND_LAST:
		c->pos = icmp6 + 1;
		return nd_key(c, icmp6, key);
	default:
		return KEY_OK; /* (destination, ICMPv6, 0) */
	}
	c->pos = icmp6 + 1;
	next = parse_ipv6hdr(c, &quoted);
	if (next < 0)
		return KEY_TRUNCATED;
	addr_from_ipv6(&key->addr, &quoted->saddr);
	key->protocol = next;
	return quoted_source_port(c, key);
}

static __always_inline int ipv4_key(struct cursor *c, struct steering_vip_key *key)
{
	struct iphdr *ip;

	if (parse_iphdr(c, &ip) < 0)
		return KEY_TRUNCATED;
	if (ipv4_is_fragment(ip))
		return KEY_PASS;
	addr_from_ipv4(&key->addr, ip->daddr);
	key->protocol = ip->protocol;
	if (ip->protocol == IPPROTO_ICMP)
		return icmp4_key(c, key);
	return l4_dest_port(c, key);
}

struct ipv6_ext {
	__u8 nexthdr;
	__u8 len;
	__be16 frag_off; /* fragment header only: offset (13 bits), 2 reserved, M */
};

static __always_inline int ipv6_key(struct cursor *c, struct steering_vip_key *key)
{
	struct ipv6hdr *ip6;
	int next, i;

	next = parse_ipv6hdr(c, &ip6);
	if (next < 0)
		return KEY_TRUNCATED;
	addr_from_ipv6(&key->addr, &ip6->daddr);
	for (i = 0; i < IPV6_MAX_EXT_HEADERS; i++) {
		struct ipv6_ext *ext = c->pos;
		int len;

		if (next != IPPROTO_HOPOPTS && next != IPPROTO_ROUTING &&
		    next != IPPROTO_DSTOPTS && next != IPPROTO_FRAGMENT && next != IPPROTO_AH)
			break;
		if ((void *)(ext + 1) > c->end)
			return KEY_TRUNCATED;
		if (next == IPPROTO_FRAGMENT) {
			if (ext->frag_off & bpf_htons(0xfff9))
				return KEY_PASS; /* not an atomic fragment */
			len = 8;
		} else if (next == IPPROTO_AH) {
			len = (ext->len + 2) * 4;
		} else {
			len = (ext->len + 1) * 8;
		}
		if (c->pos + len > c->end)
			return KEY_TRUNCATED;
		next = ext->nexthdr;
		c->pos += len;
	}
	key->protocol = next;
	if (next == IPPROTO_ICMPV6)
		return icmp6_key(c, key);
	return l4_dest_port(c, key);
}

static __always_inline int arp_key(struct cursor *c)
{
	struct arp_ipv4 *arp = c->pos;
	struct sluice_addr target;

	if ((void *)(arp + 1) > c->end)
		return KEY_TRUNCATED;
	if (arp->hw_type != bpf_htons(ARP_HW_ETHER) || arp->proto_type != bpf_htons(ETH_P_IP) ||
	    arp->hw_len != 6 || arp->proto_len != 4)
		return KEY_PASS;
	__builtin_memset(&target, 0, sizeof(target));
	target.bytes[10] = 0xff;
	target.bytes[11] = 0xff;
	__builtin_memcpy(&target.bytes[12], arp->target_ip, 4);
	return owned_neighbor(&target);
}

static __always_inline int is_vip(struct steering_vip_key *key)
{
	if (bpf_map_lookup_elem(&steer_vips, key))
		return 1;
	if (!key->port)
		return 0;
	key->port = 0;
	return bpf_map_lookup_elem(&steer_vips, key) != NULL;
}

static __always_inline int steer(struct xdp_md *ctx)
{
	struct cursor c = { .pos = (void *)(long)ctx->data,
			    .end = (void *)(long)ctx->data_end };
	struct steering_vip_key key = {};
	int type, ret;

	type = parse_ethhdr(&c);
	if (type < 0)
		return STEER_TRUNCATED;
	if (type == ETH_P_IP)
		ret = ipv4_key(&c, &key);
	else if (type == ETH_P_IPV6)
		ret = ipv6_key(&c, &key);
	else if (type == ETH_P_ARP)
		ret = arp_key(&c);
	else
		return STEER_PASSED;
	if (ret == KEY_TRUNCATED)
		return STEER_TRUNCATED;
	if (ret == KEY_PASS || (ret == KEY_OK && !is_vip(&key)))
		return STEER_PASSED;
	/* An empty slot makes bpf_redirect_map return the fallback action, XDP_PASS. */
	if (bpf_redirect_map(&xsks_map, ctx->rx_queue_index, XDP_PASS) != XDP_REDIRECT)
		return STEER_NO_SOCKET;
	return ret == KEY_NEIGHBOR ? STEER_NEIGHBOR : STEER_STEERED;
}

SEC("xdp")
int sluice_steer(struct xdp_md *ctx)
{
	__u64 bytes = ctx->data_end - ctx->data;
	int counter = steer(ctx);

	count(&steer_stats, counter, bytes);
	return counter == STEER_STEERED || counter == STEER_NEIGHBOR ? XDP_REDIRECT : XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
