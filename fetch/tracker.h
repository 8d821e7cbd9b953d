/*
 * tracker: BitTorrent trackers as pure functions. HTTP (BEP 3): the announce URL and
 * the bencoded answer with its peers, compact (BEP 23: 6 bytes a peer) or as a list of
 * dictionaries; UDP (BEP 15): the connect and announce packets and their answers.
 * fetch/torrent.c sends them (HTTP through the fetch engine, UDP on its own socket).
 * Also Local Service Discovery (BEP 14): the multicast BT-SEARCH message that finds peers on
 * the same segment without a tracker.
 */
#ifndef NETINIT_FETCH_TRACKER_H
#define NETINIT_FETCH_TRACKER_H

#include <stddef.h>
#include <stdint.h>

#define TRACKER_MAX_PEERS	200	/* peers taken from one answer */
#define TRACKER_ANSWER_MAX	(64u << 10)	/* bytes of an HTTP tracker's answer we read */
#define TRACKER_UDP_MAGIC	0x41727101980ULL	/* BEP 15: connect's protocol id */
#define TRACKER_UDP_CONNECT_LEN	16
#define TRACKER_UDP_ANNOUNCE_LEN 98

enum tracker_event { TRACKER_EV_NONE = 0, TRACKER_EV_COMPLETED = 1, TRACKER_EV_STARTED = 2, TRACKER_EV_STOPPED = 3 };
enum tracker_udp_action { TRACKER_UDP_CONNECT = 0, TRACKER_UDP_ANNOUNCE = 1, TRACKER_UDP_ERROR = 3 };

struct tracker_peer {
	uint8_t ip[4];		/* IPv4, network order */
	uint16_t port;		/* host order */
};

struct tracker_answer {
	unsigned interval_s;	/* re-announce after this long (0 = not said) */
	struct tracker_peer peers[TRACKER_MAX_PEERS];
	unsigned npeers;
};

struct tracker_announce {
	const uint8_t *info_hash, *peer_id;	/* 20 bytes each */
	uint16_t port;
	uint64_t uploaded, downloaded, left;
	enum tracker_event event;
	uint32_t key;		/* UDP: a random key of this client */
};

/* The announce URL (announce + '?' or '&' + BEP 3's query, compact=1). 0 or -ENAMETOOLONG. */
int tracker_http_url(const char *announce, const struct tracker_announce *a, char *out, size_t outlen);
/* An HTTP tracker's answer. 0, or -EBADMSG (not a tracker answer), -EREMOTEIO ("failure
 * reason": it is in err). Peers with port 0 or a 0.0.0.0 address are skipped. */
int tracker_http_parse(const void *buf, size_t len, struct tracker_answer *out, char *err, size_t errlen);

/* UDP (BEP 15) packets, big-endian. Builders return the length. */
size_t tracker_udp_connect(uint8_t out[TRACKER_UDP_CONNECT_LEN], uint32_t tid);
size_t tracker_udp_announce(uint8_t out[TRACKER_UDP_ANNOUNCE_LEN], uint64_t conn_id, uint32_t tid,
			    const struct tracker_announce *a);
/* Answers for transaction tid: connect gives the connection id; announce the peers.
 * 0, -EAGAIN (another transaction or action: ignore it), -EBADMSG, -EREMOTEIO (error
 * action: its message in err). */
int tracker_udp_connect_parse(const uint8_t *in, size_t len, uint32_t tid, uint64_t *conn_id, char *err,
			      size_t errlen);
int tracker_udp_announce_parse(const uint8_t *in, size_t len, uint32_t tid, struct tracker_answer *out,
			       char *err, size_t errlen);

/* ---- Local Service Discovery (BEP 14) ---- */
#define LSD_GROUP	"239.192.152.143"	/* IPv4 multicast group */
#define LSD_PORT	6771
#define LSD_MSG_MAX	1400			/* a datagram we read */
#define LSD_COOKIE_LEN	16			/* hex digits of our cookie (our own messages come back) */

/* "BT-SEARCH * HTTP/1.1" for info_hash with our listen port and cookie; the length, 0 if cap is too small. */
size_t lsd_announce(char *out, size_t cap, const uint8_t info_hash[20], uint16_t port, const char *cookie);
/* A BT-SEARCH datagram: 0 with *port when one of its Infohash lines is info_hash and its
 * cookie is not ours; -ENOENT (another torrent, or our own), -EBADMSG (not BT-SEARCH, no
 * valid Port). */
int lsd_parse(const void *in, size_t len, const uint8_t info_hash[20], const char *cookie, uint16_t *port);

#endif
