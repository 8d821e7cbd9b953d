/*
 * dhcp: DHCPv4 on the wire (RFC 2131, 2132, 3396, 3397, 3442): build client
 * messages, parse server replies into a struct dhcp_msg, and wrap/unwrap the
 * IPv4+UDP headers a packet socket needs. Every length is checked against the
 * end of the packet; anything malformed is refused (-EBADMSG), never trusted.
 * Pure functions: no sockets, no state (the client is net/dhcpc.h).
 */
#ifndef NETINIT_NET_DHCP_H
#define NETINIT_NET_DHCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#define DHCP_SERVER_PORT	67
#define DHCP_CLIENT_PORT	68
#define DHCP_MAGIC		0x63825363u	/* 99.130.83.99, RFC 2131 3 */
#define DHCP_OP_REQUEST		1		/* BOOTREQUEST */
#define DHCP_OP_REPLY		2		/* BOOTREPLY */
#define DHCP_HTYPE_ETHER	1		/* ARP hardware type Ethernet */
#define DHCP_FLAG_BROADCAST	0x8000u		/* flags: reply by broadcast */
#define DHCP_MIN_LEN		300		/* BOOTP minimum message size, RFC 1542 */
#define DHCP_MAX_LEN		1472		/* what we accept: 1500 - IP - UDP */

/* The fixed BOOTP/DHCP header, RFC 2131 figure 1; options follow. */
struct dhcp_hdr {
	uint8_t op;		/* DHCP_OP_REQUEST or DHCP_OP_REPLY */
	uint8_t htype;		/* hardware address type: DHCP_HTYPE_ETHER */
	uint8_t hlen;		/* hardware address length: 6 */
	uint8_t hops;		/* relay hops; 0 from a client */
	uint32_t xid;		/* transaction id chosen by the client (network order) */
	uint16_t secs;		/* seconds since the client began (network order) */
	uint16_t flags;		/* DHCP_FLAG_BROADCAST (network order) */
	uint32_t ciaddr;	/* client address, only when already bound */
	uint32_t yiaddr;	/* "your" address: what the server gives */
	uint32_t siaddr;	/* next server in the boot process (TFTP) */
	uint32_t giaddr;	/* relay agent address */
	uint8_t chaddr[16];	/* client hardware address, first hlen bytes */
	uint8_t sname[64];	/* server host name, NUL-terminated, or options (overload) */
	uint8_t file[128];	/* boot file name, NUL-terminated, or options (overload) */
	uint32_t magic;		/* DHCP_MAGIC (network order) */
} __attribute__((packed));

/* IPv4 header without options, RFC 791. */
struct dhcp_ip4 {
	uint8_t ver_ihl;	/* version 4 << 4 | header length in 32-bit words */
	uint8_t tos;		/* type of service: 0 */
	uint16_t tot_len;	/* header + payload bytes (network order) */
	uint16_t id;		/* identification */
	uint16_t frag;		/* flags (bit 13 MF) and fragment offset (network order) */
	uint8_t ttl;		/* time to live */
	uint8_t proto;		/* IPPROTO_UDP */
	uint16_t csum;		/* header checksum */
	uint32_t saddr;		/* source address */
	uint32_t daddr;		/* destination address */
} __attribute__((packed));

/* UDP header, RFC 768. */
struct dhcp_udp {
	uint16_t sport;		/* source port (network order) */
	uint16_t dport;		/* destination port (network order) */
	uint16_t len;		/* header + payload bytes (network order) */
	uint16_t csum;		/* checksum, 0 = none (allowed for IPv4) */
} __attribute__((packed));

/* Option codes used here (RFC 2132 unless noted). */
enum dhcp_opt {
	DHCP_OPT_PAD = 0,
	DHCP_OPT_NETMASK = 1,
	DHCP_OPT_ROUTERS = 3,
	DHCP_OPT_DNS = 6,
	DHCP_OPT_HOSTNAME = 12,
	DHCP_OPT_DOMAIN = 15,
	DHCP_OPT_MTU = 26,
	DHCP_OPT_BROADCAST = 28,
	DHCP_OPT_REQUESTED_IP = 50,
	DHCP_OPT_LEASE = 51,
	DHCP_OPT_OVERLOAD = 52,
	DHCP_OPT_MSG_TYPE = 53,
	DHCP_OPT_SERVER_ID = 54,
	DHCP_OPT_PARAM_LIST = 55,
	DHCP_OPT_MESSAGE = 56,
	DHCP_OPT_MAX_SIZE = 57,
	DHCP_OPT_T1 = 58,
	DHCP_OPT_T2 = 59,
	DHCP_OPT_VENDOR_CLASS = 60,
	DHCP_OPT_CLIENT_ID = 61,
	DHCP_OPT_TFTP_SERVER = 66,
	DHCP_OPT_BOOTFILE = 67,
	DHCP_OPT_SEARCH = 119,		/* RFC 3397 */
	DHCP_OPT_CLASSLESS = 121,	/* RFC 3442 */
	DHCP_OPT_END = 255,
};

/* Option 53 values. */
enum dhcp_type {
	DHCP_DISCOVER = 1,
	DHCP_OFFER = 2,
	DHCP_REQUEST = 3,
	DHCP_DECLINE = 4,
	DHCP_ACK = 5,
	DHCP_NAK = 6,
	DHCP_RELEASE = 7,
	DHCP_INFORM = 8,
};

#define DHCP_MAX_ROUTERS	4
#define DHCP_MAX_DNS		4
#define DHCP_MAX_ROUTES		16
#define DHCP_STR_MAX		256	/* option strings: 255 + NUL */

struct dhcp_route {
	struct in_addr dst;
	uint8_t prefix;
	struct in_addr gw;	/* 0.0.0.0 = on-link */
};

/* A parsed server reply. Strings are NUL-terminated and hold only safe characters. */
struct dhcp_msg {
	uint8_t type;				/* enum dhcp_type */
	struct in_addr yiaddr, siaddr, server_id;
	bool has_netmask;
	uint8_t prefix;				/* from option 1 (contiguous) */
	struct in_addr broadcast;
	struct in_addr routers[DHCP_MAX_ROUTERS];
	uint8_t n_routers;
	struct in_addr dns[DHCP_MAX_DNS];
	uint8_t n_dns;
	char hostname[64];
	char domain[DHCP_STR_MAX];
	char search[DHCP_STR_MAX];		/* option 119 as "a.example b.example" */
	uint16_t mtu;				/* 0 = not given */
	uint32_t lease, t1, t2;			/* seconds; 0 = not given */
	struct dhcp_route routes[DHCP_MAX_ROUTES];
	uint8_t n_routes;
	bool has_classless;			/* option 121 present: routers are ignored */
	char tftp_server[DHCP_STR_MAX];		/* option 66 */
	char bootfile[DHCP_STR_MAX];		/* option 67, else the file field */
	char message[DHCP_STR_MAX];		/* option 56 (NAK reason), sanitised */
};

/* What a client message carries. */
struct dhcp_req {
	uint8_t type;			/* DHCP_DISCOVER or DHCP_REQUEST */
	uint32_t xid;
	uint16_t secs;
	uint8_t mac[6];
	struct in_addr requested;	/* option 50, 0 = none */
	struct in_addr server_id;	/* option 54, 0 = none */
	const char *hostname;		/* option 12, NULL/"" = none */
	const char *vendor_class;	/* option 60, NULL/"" = none */
};

/* Build a client message into buf; returns its length or -ENOSPC. */
int dhcp_build(uint8_t *buf, size_t cap, const struct dhcp_req *r);

/* Parse a reply. -EBADMSG: malformed (count it); -ENOMSG: well-formed but
 * not for us (op, xid or chaddr differ); 0: *out filled. */
int dhcp_parse(const uint8_t *pkt, size_t len, uint32_t xid, const uint8_t mac[6],
	       struct dhcp_msg *out);

/* Wrap a DHCP message in IPv4+UDP from 0.0.0.0:68 to 255.255.255.255:67.
 * Returns the frame length or -ENOSPC. */
int dhcp_frame(uint8_t *buf, size_t cap, const uint8_t *msg, size_t len);

/* Check an IPv4+UDP frame from a packet socket and find the DHCP payload
 * for port 68. 0, -EBADMSG (malformed) or -ENOMSG (other traffic). */
int dhcp_unframe(const uint8_t *pkt, size_t len, const uint8_t **payload, size_t *plen);

/* A list of DNS names in wire format (RFC 1035 labels, backward compression pointers
 * allowed, zero padding skipped) as "a.example b.example" (at most 6 names, the
 * resolv.conf limit) into out[cap]. 0, or -EBADMSG (out then holds ""or a prefix). Used for
 * option 119 and the RA's DNSSL. */
int dhcp_names_decode(const uint8_t *data, size_t len, char *out, size_t cap);

#endif
