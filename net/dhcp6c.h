/*
 * dhcp6c: the DHCPv6 client of one interface as a small table of states
 * (RFC 8415 18.2): SOLICIT (collect Advertises for the first retransmission
 * time, or take one with preference 255 at once; a Reply with Rapid Commit
 * binds directly), REQUEST (to the best server until its Reply; NoAddrsAvail /
 * NotOnLink / too many tries start over at SOLICIT), INFORM (stateless:
 * Information-Request until a Reply), BOUND, FAILED (overall timeout).
 * Retransmission per RFC 8415 15: RT = IRT + RAND*IRT, then 2*RTprev +
 * RAND*RTprev, capped at MRT, RAND in [-0.1, +0.1] (strictly > 0 for the
 * first Solicit) from the caller's seed; MRC ends REQUEST.
 * No sockets and no clock of its own: the caller passes the time, delivers
 * received payloads (the UDP data) and supplies a send callback, so the same
 * code runs on a UDP socket, in unit tests and in fuzzers.
 */
#ifndef NETINIT_NET_DHCP6C_H
#define NETINIT_NET_DHCP6C_H

#include <stdbool.h>
#include <stdint.h>
#include "net/dhcp6.h"

/* Retransmission parameters, RFC 8415 7.6 (milliseconds). */
#define DHCP6_SOL_TIMEOUT_MS	1000
#define DHCP6_SOL_MAX_RT_MS	3600000
#define DHCP6_REQ_TIMEOUT_MS	1000
#define DHCP6_REQ_MAX_RT_MS	30000
#define DHCP6_REQ_MAX_RC	10
#define DHCP6_INF_TIMEOUT_MS	1000
#define DHCP6_INF_MAX_RT_MS	3600000

enum dhcp6c_state {
	DHCP6C_SOLICIT = 0,	/* Solicit sent, collecting Advertises */
	DHCP6C_REQUEST,		/* Request sent to c->best's server, waiting for its Reply */
	DHCP6C_INFORM,		/* stateless: Information-Request sent */
	DHCP6C_BOUND,		/* c->lease holds the Reply */
	DHCP6C_FAILED,		/* overall timeout */
	DHCP6C_NSTATES,
};

/* Send one DHCPv6 message (the UDP payload) to ff02::1:2 port 547. 0 or -errno. */
typedef int (*dhcp6c_send_fn)(void *ctx, const uint8_t *msg, size_t len);

struct dhcp6c {
	/* set by the caller before dhcp6c_start */
	uint8_t mac[6];			/* gives the DUID-LL and the IAID */
	bool stateless;			/* Information-Request only, no address */
	bool no_rapid_commit;		/* leave option 14 out of the Solicit */
	uint64_t timeout_ms;		/* overall, from dhcp6c_start */
	uint32_t max_delay_ms;		/* first message delayed by 0..this (RFC 8415
					 * 18.2.1 SOL_MAX_DELAY is 1000); 0 = at once */
	uint32_t seed;			/* randomness for RAND and the xid; any value */
	dhcp6c_send_fn send;
	void *ctx;

	/* state */
	enum dhcp6c_state state;
	uint32_t xid;			/* 24 bits, new per exchange */
	uint8_t duid[DHCP6_DUID_LL_LEN];
	uint32_t iaid;
	uint64_t start_ms, deadline_ms, next_ms;
	uint64_t xact_ms;		/* first transmission of this exchange (elapsed time) */
	uint64_t collect_ms;		/* SOLICIT: Advertises collected until this time */
	uint64_t rt_ms;			/* current retransmission timeout */
	uint64_t sol_max_rt_ms, inf_max_rt_ms;	/* MRT: RFC defaults, or options 82/83 */
	unsigned tries;			/* transmissions in this state */
	bool have_best;
	struct dhcp6_msg best;		/* the best Advertise so far / the one requested */
	struct dhcp6_msg lease;		/* the Reply, valid in DHCP6C_BOUND */

	/* counters */
	unsigned malformed;		/* packets dropped as malformed */
	unsigned ignored;		/* well-formed but not for us / unexpected */
	unsigned sent;			/* all messages sent */
	unsigned solicits, requests, informs;	/* of which */
	unsigned advertises;		/* usable Advertises received */
	unsigned refused;		/* Advertises/Replies refused by a status (below) */
	uint16_t last_status;		/* the last non-Success status seen, with its text */
	char last_status_msg[DHCP6_STR_MAX];
};

/* Start (or restart) the client at time now: sends the first Solicit (or
 * Information-Request), unless max_delay_ms defers it to a tick. */
void dhcp6c_start(struct dhcp6c *c, uint64_t now_ms);

/* Deliver one received DHCPv6 payload. Returns 1 when the client just became
 * BOUND, 0 otherwise (dropped or progressed). */
int dhcp6c_input(struct dhcp6c *c, const uint8_t *msg, size_t len, uint64_t now_ms);

/* Run timers. Returns -ETIMEDOUT once the overall timeout passed (state
 * FAILED), else 0. */
int dhcp6c_tick(struct dhcp6c *c, uint64_t now_ms);

/* When dhcp6c_tick must run next (absolute ms); UINT64_MAX when BOUND/FAILED. */
uint64_t dhcp6c_next_ms(const struct dhcp6c *c);

/* "solicit", "request", "inform", "bound", "failed" */
const char *dhcp6c_state_name(enum dhcp6c_state s);

#endif
