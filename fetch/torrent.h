/*
 * torrent: a BitTorrent v1 transport into a fetch sink at offsets (fetch_sink.pwrite):
 * the metainfo over http(s) through the fetch engine, HTTP (BEP 3, compact BEP 23) and
 * UDP (BEP 15) trackers, Local Service Discovery on the segment (BEP 14), a poll loop over a bounded number of peers (BEP 3 peer wire,
 * rarest first, endgame), every piece SHA-1-checked before it is written, pieces served
 * to peers that ask while we run, and web seeds (BEP 19 url-list) fetched by HTTP Range
 * through the fetch engine whenever peers give nothing. A piece that fails its hash is
 * discarded and its peer banned. Never prints: events as fetch_url's.
 */
#ifndef NETINIT_FETCH_TORRENT_H
#define NETINIT_FETCH_TORRENT_H

#include <stdbool.h>
#include <stdint.h>

#include "fetch/fetch.h"
#include "fetch/tracker.h"
#include "util/event.h"

#define TORRENT_PEERS_DEFAULT	32	/* connections at once; a quarter kept for peers that connect to us */
#define TORRENT_PEERS_MAX	64
#define TORRENT_PORT_DEFAULT	6881	/* listen port (the next 8 are tried too) */
#define TORRENT_WEBSEED_IDLE_MS	1500	/* no block from any peer this long: the web seed fetches */
#define TORRENT_MAX_EXTRA_PEERS	8

struct torrent_opts {
	unsigned max_peers;		/* 0 = TORRENT_PEERS_DEFAULT */
	uint16_t port;			/* 0 = TORRENT_PORT_DEFAULT.. */
	unsigned seed_s;		/* after the image is complete, keep serving this long (in
					 * the seeder with seed_spawn; 0 there: no time limit) */
	/* Seeding in a process of its own (the booted system's, once the image is verified):
	 * torrent_fetch forks it and returns; it runs the same peer loop upload-only, reading
	 * the image from seed_fd alone (read-only: it never writes), announces `stopped` and
	 * exits when seed_s or seed_ratio_pct is reached or on SIGTERM. */
	bool seed_spawn;
	int seed_fd;			/* the image, opened O_RDONLY by the caller (who closes it) */
	uint64_t seed_base;		/* the image starts at this offset of seed_fd */
	unsigned seed_ratio_pct;	/* stop once uploaded >= length * pct / 100 (0 = none) */
	const char *seed_name;		/* its comm and argv[0] (NULL: "netinit-seed") */
	event_fn seed_ev;		/* the seeder's own lines (how it ended), or NULL */
	void *seed_ev_ctx;
	unsigned webseed_idle_ms;	/* 0 = TORRENT_WEBSEED_IDLE_MS */
	bool no_webseed;		/* ignore url-list */
	bool no_trackers;		/* ignore announce/announce-list (extra peers only) */
	bool no_lsd;			/* no Local Service Discovery (BEP 14; else on when the
					 * torrent names no tracker) */
	struct tracker_peer extra[TORRENT_MAX_EXTRA_PEERS];	/* peers known without a tracker */
	unsigned nextra;
};

struct torrent_stats {
	char name[256];			/* the metainfo's name */
	uint64_t length;
	uint32_t npieces, piece_len;
	uint64_t from_peers, from_webseed;	/* verified bytes from each */
	uint64_t uploaded;
	unsigned bad_pieces, banned, peers_seen;
	unsigned lsd_peers;		/* peers Local Service Discovery found */
	uint64_t elapsed_ms;
	uint8_t info_hash[20];
	uint8_t sha256[32];		/* of the whole image, with o->sum or o->digest (else zero) */
	int seed_pid;			/* seed_spawn: the seeder's pid, or -errno (0: not started) */
	uint16_t port;			/* the port peers reach us on */
};

void torrent_opts_init(struct torrent_opts *to);

/* Is url one of ours: torrent:// (dracut: the metainfo over http) or torrent+https://?
 * (these two are in fetch/opts.c: the boot plan uses them without the transport) */
bool torrent_is_url(const char *url);
/* The metainfo's URL for a torrent URL: torrent://h/p -> http://h/p, torrent+https://h/p ->
 * https://h/p. 0 or -EINVAL / -ENAMETOOLONG. */
int torrent_meta_url(const char *url, char *out, size_t outlen);

/*
 * Fetch the metainfo at meta_url (http/https, with o's TLS/proxy/timeouts), then the file
 * it describes into sink, which must have pwrite (and pread to serve peers). With o->sum
 * set the whole image is checked with SHA-256 at the end (auto: "<web seed>.sha256"), read
 * back from the sink; with o->digest it is only measured (st->sha256).
 * 0, or -errno with one line in err: -EBADMSG (metainfo, checksum), -ENOTSUP (multi-file),
 * -EFBIG (does not fit), -ETIMEDOUT (no piece for rd.retry seconds), as fetch_url otherwise.
 * With to->seed_spawn, on success st->seed_pid says whether the seeder runs (a failed fork
 * does not fail the download).
 */
/* Parse rd.live.torrent.seed=: "<seconds>", "<ratio>x" (decimal, up to 2 places) or both
 * comma-separated ("600,2x": whichever comes first), "0" = no seeding. 0 or -EINVAL. */
int torrent_seed_parse(const char *s, unsigned *secs, unsigned *ratio_pct);
int torrent_fetch(const struct fetch_opts *o, const struct torrent_opts *to, const char *meta_url,
		  struct fetch_sink *sink, fetch_event_fn ev, void *ev_ctx, struct torrent_stats *st,
		  char *err, size_t errlen);

#endif
