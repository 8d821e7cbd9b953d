/*
 * dhcp6: DHCPv6 on the wire (RFC 8415; DNS options RFC 3646, boot options
 * RFC 5970): build the client's Solicit, Request and Information-Request,
 * parse a server's Advertise or Reply into a struct dhcp6_msg. Every option
 * length is checked against the end of the packet and of the option that
 * contains it (IA_NA, IAADDR); anything malformed is refused (-EBADMSG),
 * never trusted. Pure functions: no sockets, no state (the client is
 * net/dhcp6c.h, the UDP transport net/dhcp6run.h).
 */
#ifndef NETINIT_NET_DHCP6_H
#define NETINIT_NET_DHCP6_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#define DHCP6_CLIENT_PORT	546
#define DHCP6_SERVER_PORT	547
#define DHCP6_ALL_SERVERS	"ff02::1:2"	/* All_DHCP_Relay_Agents_and_Servers, RFC 8415 7.1 */
#define DHCP6_MAX_LEN		1452		/* what we accept: 1500 - IPv6 - UDP */
#define DHCP6_HDR_LEN		4		/* msg-type + 24-bit transaction id */
#define DHCP6_DUID_MAX		130		/* RFC 8415 11.1: at most 128 octets + type */

/* msg-type, RFC 8415 7.3. */
enum dhcp6_type {
	DHCP6_SOLICIT = 1,
	DHCP6_ADVERTISE = 2,
	DHCP6_REQUEST = 3,
	DHCP6_CONFIRM = 4,
	DHCP6_RENEW = 5,
	DHCP6_REBIND = 6,
	DHCP6_REPLY = 7,
	DHCP6_RELEASE = 8,
	DHCP6_DECLINE = 9,
	DHCP6_RECONFIGURE = 10,		/* ignored: we never renew, and do no auth */
	DHCP6_INFORMATION_REQUEST = 11,
};

/* Option codes used here (RFC 8415 21 unless noted). */
enum dhcp6_opt {
	DHCP6_OPT_CLIENTID = 1,
	DHCP6_OPT_SERVERID = 2,
	DHCP6_OPT_IA_NA = 3,
	DHCP6_OPT_IAADDR = 5,
	DHCP6_OPT_ORO = 6,
	DHCP6_OPT_PREFERENCE = 7,
	DHCP6_OPT_ELAPSED_TIME = 8,
	DHCP6_OPT_STATUS_CODE = 13,
	DHCP6_OPT_RAPID_COMMIT = 14,
	DHCP6_OPT_DNS_SERVERS = 23,	/* RFC 3646 */
	DHCP6_OPT_DOMAIN_LIST = 24,	/* RFC 3646 */
	DHCP6_OPT_BOOTFILE_URL = 59,	/* RFC 5970 */
	DHCP6_OPT_BOOTFILE_PARAM = 60,	/* RFC 5970 */
	DHCP6_OPT_SOL_MAX_RT = 82,	/* RFC 8415 21.24 */
	DHCP6_OPT_INF_MAX_RT = 83,	/* RFC 8415 21.25 */
};

/* Status codes, RFC 8415 21.13. */
enum dhcp6_status {
	DHCP6_SUCCESS = 0,
	DHCP6_UNSPEC_FAIL = 1,
	DHCP6_NO_ADDRS_AVAIL = 2,
	DHCP6_NO_BINDING = 3,
	DHCP6_NOT_ON_LINK = 4,
	DHCP6_USE_MULTICAST = 5,
	DHCP6_NO_PREFIX_AVAIL = 6,
};

#define DHCP6_DUID_LL		3	/* DUID type: link-layer address, RFC 8415 11.4 */
#define DHCP6_HWTYPE_ETHER	1	/* hardware type (IANA ARP): Ethernet */
#define DHCP6_DUID_LL_LEN	10	/* type 2 + hwtype 2 + MAC 6 */
#define DHCP6_PREF_MAX		255	/* an Advertise with it is taken at once, 18.2.1 */
#define DHCP6_MAX_ADDRS		4	/* IAADDRs kept from the IA_NA */
#define DHCP6_MAX_DNS		4
#define DHCP6_STR_MAX		256	/* strings: 255 + NUL */

/* One IAADDR (21.6) of the IA_NA. */
struct dhcp6_addr {
	struct in6_addr addr;
	uint32_t preferred, valid;	/* seconds; 0xffffffff = infinity */
	bool has_status;
	uint16_t status;		/* enum dhcp6_status inside the IAADDR */
};

/* A parsed server message (Advertise or Reply). Strings are NUL-terminated and
 * hold only safe characters (no control characters, quotes, backslashes, $). */
struct dhcp6_msg {
	uint8_t type;				/* DHCP6_ADVERTISE or DHCP6_REPLY */
	uint32_t xid;				/* 24 bits */
	uint8_t server_id[DHCP6_DUID_MAX];	/* option 2, the server's DUID */
	uint8_t server_id_len;
	bool has_status;			/* top-level option 13 */
	uint16_t status;			/* enum dhcp6_status (0 when absent) */
	char status_msg[DHCP6_STR_MAX];		/* its text, scrubbed */
	bool has_ia_na;				/* an IA_NA with our IAID */
	uint32_t iaid, t1, t2;			/* seconds */
	bool has_ia_status;
	uint16_t ia_status;			/* option 13 inside the IA_NA */
	char ia_status_msg[DHCP6_STR_MAX];
	struct dhcp6_addr addrs[DHCP6_MAX_ADDRS];	/* usable ones (valid > 0, status 0) */
	uint8_t n_addrs;
	uint16_t addr_status;			/* last non-Success status inside an IAADDR, 0 = none */
	struct in6_addr dns[DHCP6_MAX_DNS];	/* option 23 */
	uint8_t n_dns;
	char search[DHCP6_STR_MAX];		/* option 24 as "a.example b.example" */
	char bootfile_url[DHCP6_STR_MAX];	/* option 59 */
	char bootfile_param[DHCP6_STR_MAX];	/* option 60, parameters joined by ' ' */
	bool has_preference;
	uint8_t preference;			/* option 7 (0 when absent) */
	bool rapid_commit;			/* option 14 present */
	uint32_t sol_max_rt, inf_max_rt;	/* options 82, 83 in seconds (60..86400), 0 = none */
};

/* What a client message carries. */
struct dhcp6_req {
	uint8_t type;			/* DHCP6_SOLICIT, DHCP6_REQUEST or DHCP6_INFORMATION_REQUEST */
	uint32_t xid;			/* low 24 bits used */
	uint16_t elapsed_cs;		/* option 8: hundredths of a second, 0xffff max */
	const uint8_t *duid;		/* option 1: our DUID */
	size_t duid_len;
	bool ia_na;			/* ask for an address (Solicit, Request) */
	uint32_t iaid;
	bool rapid_commit;		/* option 14 (Solicit only) */
	const uint8_t *server_id;	/* option 2 (Request): the chosen server's DUID */
	size_t server_id_len;
	const struct dhcp6_addr *addrs;	/* IAADDRs put in the Request's IA_NA (from the Advertise) */
	size_t n_addrs;
};

/* DUID-LL (RFC 8415 11.4) of an Ethernet MAC into out (cap >= DHCP6_DUID_LL_LEN):
 * the same on every boot of the same NIC. Returns its length or -ENOSPC. */
int dhcp6_duid_ll(uint8_t *out, size_t cap, const uint8_t mac[6]);

/* The IAID we use for a MAC: its last four octets (stable, unique per NIC). */
uint32_t dhcp6_iaid(const uint8_t mac[6]);

/* Build a client message into buf: ORO asks for 23, 24, 59, 60. Returns its
 * length or -ENOSPC / -EINVAL. */
int dhcp6_build(uint8_t *buf, size_t cap, const struct dhcp6_req *r);

/* Parse a server message. duid/duid_len: ours (the Client Identifier must be
 * present and equal); iaid: the IA_NA we asked for (others are skipped).
 * -EBADMSG: malformed (count it); -ENOMSG: well-formed but not for us (other
 * transaction id, other client, a client/relay message type, Reconfigure);
 * 0: *out filled. */
int dhcp6_parse(const uint8_t *pkt, size_t len, uint32_t xid, const uint8_t *duid,
		size_t duid_len, uint32_t iaid, struct dhcp6_msg *out);

/* "Success", "UnspecFail", "NoAddrsAvail", "NoBinding", "NotOnLink",
 * "UseMulticast", "NoPrefixAvail", else "unknown status". */
const char *dhcp6_status_name(uint16_t status);

#endif
