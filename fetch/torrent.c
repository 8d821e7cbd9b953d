/* torrent.h: the BitTorrent transport's event loop. */
#include "fetch/torrent.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "crypto/sha1.h"
#include "crypto/sha256.h"
#include "fetch/peerwire.h"
#include "fetch/progress.h"
#include "fetch/sink.h"
#include "fetch/torrent_meta.h"
#include "util/clock.h"
#include "util/daemon.h"
#include "util/errbuf.h"

#define PIPELINE		16	/* requests outstanding at one peer */
#define PEER_REQ_MAX		64	/* requests a peer may have queued with us; more drops it */
#define UPLOAD_SLOTS		8	/* peers we unchoke at once */
#define CONNECT_MS		5000	/* a connection attempt */
#define HANDSHAKE_MS		10000	/* connected, no handshake yet */
#define IDLE_MS			120000	/* nothing at all from a peer (BEP 3: keep-alives every 2 min) */
#define KEEPALIVE_MS		90000	/* we send one when quiet this long */
#define SNUB_MS			20000	/* requests outstanding, no block this long: give up on the peer */
#define PIECE_RAM		(64u << 20)	/* piece buffers at once, over all peers */
#define WEBSEED_RUN		(4u << 20)	/* bytes one web seed request asks for beside peers */
#define WEBSEED_RUN_ALONE	(32u << 20)	/* and with no peer connected */
#define ANNOUNCE_MIN_S		5	/* re-announce this soon while no peer is connected */
#define ANNOUNCE_MAX_S		60	/* and at least this often */
#define UDP_TRY_MS		2000	/* BEP 15 says 15 * 2^n s; a boot cannot wait that long */
#define UDP_TRIES		2
#define MAX_BANNED		64
#define MAX_KNOWN		256	/* peer addresses kept from trackers */
#define UNSOLICITED_MAX		(4u << 20)	/* block bytes nobody asked for before a peer is dropped */
#define LOOP_MS			250
#define LSD_EVERY_S		60	/* BEP 14 announcements, after the one at the start */
#define READS_PER_ROUND		8	/* reads from one peer before the loop moves on */
#define TRACKER_MAX_TIME_S	10	/* one HTTP announce, whole */

enum peer_state { P_FREE, P_CONNECTING, P_HANDSHAKE, P_ACTIVE };
enum blk_state { B_NONE, B_ASKED, B_GOT };

struct req {
	uint32_t index, begin, len;
};

struct peer {
	enum peer_state st;
	int fd;
	struct tracker_peer addr;
	uint8_t id[20];
	uint8_t *bits;		/* their pieces */
	bool choking_us, interested_in_us, am_choking, am_interested;
	uint8_t *in;		/* received, not yet parsed */
	size_t inlen, incap;
	uint8_t *out;		/* to send */
	size_t outlen, outcap;
	int piece;		/* the piece we download from it, -1 = none */
	uint8_t *buf;		/* its bytes */
	uint8_t *blk;		/* enum blk_state per block */
	unsigned nblk, asked;
	uint64_t t_state, last_rx, last_tx, last_block;
	uint64_t unsolicited;
	struct req req[PEER_REQ_MAX];
	unsigned nreq;
};

struct piece {
	uint8_t have;
	uint8_t claims;		/* peers (or the web seed) downloading it now */
	uint16_t avail;		/* peers that have it */
};

struct tor {
	const struct fetch_opts *o;
	struct fetch_opts *ho;	/* o for web seeds: a short connect timeout, no checksum */
	struct fetch_opts *tro;	/* o for HTTP trackers: the same, and a whole announce is bounded */
	struct torrent_opts to;
	struct torrent_meta m;
	struct fetch_sink *sink;
	fetch_event_fn ev;
	void *ev_ctx;
	struct torrent_stats *st;
	uint8_t peer_id[20];
	uint32_t key;
	int lfd;
	uint16_t port;
	int lsd_fd;		/* BEP 14 socket, -1 = none */
	uint64_t next_lsd;
	char cookie[LSD_COOKIE_LEN + 1];
	struct piece *pc;
	uint32_t have_n;
	uint64_t have_bytes;
	struct peer peers[TORRENT_PEERS_MAX];
	unsigned max_peers, max_dl;
	struct tracker_peer known[MAX_KNOWN];
	unsigned nknown, next_known;
	struct tracker_peer banned[MAX_BANNED];
	uint8_t banned_id[MAX_BANNED][20];
	unsigned nbanned;
	bool webseed_bad[TORRENT_MAX_WEBSEEDS];
	uint64_t t0, last_progress, last_block_any, last_ev, next_announce[TORRENT_MAX_TRACKERS];
	uint64_t ws_end;		/* when the last web seed run ended */
	uint32_t ws_run;		/* bytes of the next web seed run beside peers (0: WEBSEED_RUN) */
	bool announced[TORRENT_MAX_TRACKERS];
	uint64_t rng;
	char *err;
	size_t errlen;
	bool done_announced;	/* `completed` went to the trackers */
	bool seeder;		/* the seeding process (torrent_opts.seed_spawn) */
	uint64_t seed_until;	/* complete: serve until then (0 = no time limit) */
	int seed_fd;		/* the seeder's image, read-only */
	uint64_t seed_base;
};

/* SIGTERM in the seeder (systemd's shutdown, sysvinit's sendsigs): stop serving, say
 * `stopped`, exit. */
static volatile sig_atomic_t seed_signal;

/* The seeder's copy of /etc/resolv.conf as it was at the fork: switch_root deletes the
 * initramfs's files, and the seeder's root stays the initramfs (musl reads the file at
 * every lookup), so before it announces to a tracker it puts the file back there (the
 * booted system does not see that root). */
static char seed_resolv[4096];
static size_t seed_resolv_len;

static void seed_resolv_save(void)
{
	int fd = open("/etc/resolv.conf", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return;
	n = read(fd, seed_resolv, sizeof(seed_resolv));
	close(fd);
	seed_resolv_len = n > 0 ? (size_t)n : 0;
}

static void seed_resolv_restore(void)
{
	int fd;

	if (!seed_resolv_len || access("/etc/resolv.conf", R_OK) == 0)
		return;
	mkdir("/etc", 0755);
	fd = open("/etc/resolv.conf", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	if (write(fd, seed_resolv, seed_resolv_len) < 0) {
		/* best effort: a tracker named by address needs none */
	}
	close(fd);
}

/* ---- small helpers ---------------------------------------------------- */

static uint32_t rnd(struct tor *t, uint32_t n)
{
	uint64_t z = (t->rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z ^= z >> 31;
	return n ? (uint32_t)(z % n) : 0;
}

static bool bit(const uint8_t *b, uint32_t i)
{
	return b[i / 8] & (0x80u >> (i % 8));
}

static void emit(struct tor *t, enum fetch_event_type type, const char *msg)
{
	struct fetch_event e = {
		.type = type,
		.bytes = t->have_bytes,
		.total = t->m.length,
		.elapsed_ms = mono_ms() - t->t0,
		.attempt = 1,
		.msg = msg,
	};

	if (type == FETCH_EV_PROGRESS) {
		if (e.elapsed_ms - t->last_ev < 1000 / FETCH_EVENTS_PER_S)
			return;
		t->last_ev = e.elapsed_ms;
	}
	if (t->ev)
		t->ev(&e, t->ev_ctx);
}

__attribute__((format(printf, 2, 3)))
static void warn(struct tor *t, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	emit(t, FETCH_EV_WARNING, msg);
}

static const char *addr_str(const struct tracker_peer *a, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u.%u:%u", a->ip[0], a->ip[1], a->ip[2], a->ip[3], a->port);
	return buf;
}

static bool same_addr(const struct tracker_peer *a, const struct tracker_peer *b)
{
	return a->port == b->port && !memcmp(a->ip, b->ip, 4);
}

static bool is_banned(struct tor *t, const struct tracker_peer *a, const uint8_t *id)
{
	for (unsigned i = 0; i < t->nbanned; i++)
		if ((a && same_addr(&t->banned[i], a)) || (id && !memcmp(t->banned_id[i], id, 20)))
			return true;
	return false;
}

/* ---- pieces ------------------------------------------------------------ */

static bool complete(const struct tor *t)
{
	return t->have_n == t->m.npieces;
}

static uint32_t last_len(const struct tor *t)
{
	return torrent_piece_size(&t->m, t->m.npieces - 1);
}

static void release_piece(struct tor *t, struct peer *p, bool cancel)
{
	if (p->piece < 0)
		return;
	if (cancel && p->st == P_ACTIVE)
		for (unsigned b = 0; b < p->nblk; b++)
			if (p->blk[b] == B_ASKED && p->outcap - p->outlen >= 17) {
				uint32_t psz = torrent_piece_size(&t->m, (uint32_t)p->piece);
				uint32_t off = b * PW_BLOCK, l = psz - off < PW_BLOCK ? psz - off : PW_BLOCK;

				p->outlen += pw_put_request(p->out + p->outlen, PW_CANCEL, (uint32_t)p->piece, off, l);
			}
	if (t->pc[p->piece].claims)
		t->pc[p->piece].claims--;
	p->piece = -1;
	free(p->buf);
	free(p->blk);
	p->buf = NULL;
	p->blk = NULL;
	p->asked = 0;
}

static void peer_close(struct tor *t, struct peer *p)
{
	release_piece(t, p, false);
	if (p->bits) {
		for (uint32_t i = 0; i < t->m.npieces; i++)
			if (bit(p->bits, i) && t->pc[i].avail)
				t->pc[i].avail--;
	}
	if (p->fd >= 0)
		close(p->fd);
	free(p->bits);
	free(p->in);
	free(p->out);
	memset(p, 0, sizeof(*p));
	p->fd = -1;
	p->piece = -1;
	p->st = P_FREE;
}

static void ban(struct tor *t, struct peer *p, const char *why)
{
	char a[32];

	if (t->nbanned < MAX_BANNED) {
		t->banned[t->nbanned] = p->addr;
		memcpy(t->banned_id[t->nbanned], p->id, 20);
		t->nbanned++;
	}
	t->st->banned++;
	warn(t, "peer %s banned: %s", addr_str(&p->addr, a, sizeof(a)), why);
	peer_close(t, p);
}

static int queue(struct peer *p, const void *buf, size_t len)
{
	if (p->outcap - p->outlen < len)
		return -ENOBUFS;
	memcpy(p->out + p->outlen, buf, len);
	p->outlen += len;
	return 0;
}

/* A verified piece: into the sink at its offset, then every peer hears we have it. */
static int commit_piece(struct tor *t, uint32_t i, const uint8_t *data, bool from_webseed)
{
	uint32_t sz = torrent_piece_size(&t->m, i);
	uint8_t msg[9];
	int rc;

	if (t->pc[i].have)
		return 0;	/* endgame: another copy was first */
	rc = t->sink->pwrite(t->sink->ctx, data, sz, (uint64_t)i * t->m.piece_len);
	if (rc) {
		seterr(t->err, t->errlen, "writing piece %u to %s failed: %s", i,
		       t->sink->what ? t->sink->what : "the sink", strerror(-rc));
		return rc;
	}
	t->pc[i].have = 1;
	t->have_n++;
	t->have_bytes += sz;
	if (from_webseed)
		t->st->from_webseed += sz;
	else
		t->st->from_peers += sz;
	t->last_progress = mono_ms();
	pw_put_have(msg, i);
	for (unsigned k = 0; k < t->max_peers; k++) {
		struct peer *q = &t->peers[k];

		if (q->st != P_ACTIVE)
			continue;
		if (q->piece == (int)i)
			release_piece(t, q, true);	/* endgame: stop the other copies */
		if (queue(q, msg, sizeof(msg)) < 0)
			peer_close(t, q);
	}
	emit(t, FETCH_EV_PROGRESS, NULL);
	return 0;
}

static bool piece_ok(const struct tor *t, uint32_t i, const uint8_t *data)
{
	uint8_t d[SHA1_DIGEST];

	sha1(data, torrent_piece_size(&t->m, i), d);
	return !memcmp(d, t->m.pieces + (size_t)i * SHA1_DIGEST, SHA1_DIGEST);
}

/* Rarest first among the pieces p has and nobody fetches; in the endgame (none left)
 * a piece another peer fetches, fewest copies first. -1 = nothing to ask p for. */
static int pick(struct tor *t, const struct peer *p)
{
	uint32_t n = t->m.npieces, start = rnd(t, n);
	int best = -1;
	unsigned best_avail = ~0u, best_claims = ~0u;

	for (uint32_t k = 0; k < n; k++) {
		uint32_t i = (start + k) % n;

		if (t->pc[i].have || t->pc[i].claims || !bit(p->bits, i))
			continue;
		if (t->pc[i].avail < best_avail) {
			best = (int)i;
			best_avail = t->pc[i].avail;
		}
	}
	if (best >= 0)
		return best;
	for (uint32_t k = 0; k < n; k++) {	/* endgame */
		uint32_t i = (start + k) % n;

		if (t->pc[i].have || !bit(p->bits, i) || t->pc[i].claims >= 2)
			continue;
		if (t->pc[i].claims < best_claims) {
			best = (int)i;
			best_claims = t->pc[i].claims;
		}
	}
	return best;
}

static unsigned downloading(const struct tor *t)
{
	unsigned n = 0;

	for (unsigned k = 0; k < t->max_peers; k++)
		n += t->peers[k].piece >= 0;
	return n;
}

/* Keep PIPELINE requests outstanding at p. */
static int fill_requests(struct tor *t, struct peer *p)
{
	uint8_t msg[17];

	if (p->st != P_ACTIVE || p->choking_us || !p->bits || t->have_n == t->m.npieces)
		return 0;
	if (p->piece < 0) {
		int i;

		if (downloading(t) >= t->max_dl)
			return 0;
		i = pick(t, p);
		if (i < 0)
			return 0;
		p->nblk = (torrent_piece_size(&t->m, (uint32_t)i) + PW_BLOCK - 1) / PW_BLOCK;
		p->buf = malloc(torrent_piece_size(&t->m, (uint32_t)i));
		p->blk = calloc(p->nblk, 1);
		if (!p->buf || !p->blk) {
			free(p->buf);
			free(p->blk);
			p->buf = p->blk = NULL;
			return 0;	/* out of memory now: try later */
		}
		p->piece = i;
		p->asked = 0;
		t->pc[i].claims++;
		p->last_block = mono_ms();
	}
	for (unsigned b = 0; b < p->nblk && p->asked < PIPELINE; b++) {
		uint32_t psz = torrent_piece_size(&t->m, (uint32_t)p->piece), off = b * PW_BLOCK;

		if (p->blk[b] != B_NONE)
			continue;
		pw_put_request(msg, PW_REQUEST, (uint32_t)p->piece, off, psz - off < PW_BLOCK ? psz - off : PW_BLOCK);
		if (queue(p, msg, sizeof(msg)) < 0)
			return -ENOBUFS;
		if (!p->asked)
			p->last_block = mono_ms();
		p->blk[b] = B_ASKED;
		p->asked++;
	}
	return 0;
}

static bool wants_from(const struct tor *t, const struct peer *p)
{
	if (!p->bits)
		return false;
	for (uint32_t i = 0; i < t->m.npieces; i++)
		if (!t->pc[i].have && bit(p->bits, i))
			return true;
	return false;
}

static int update_interest(struct tor *t, struct peer *p)
{
	bool want = wants_from(t, p);
	uint8_t msg[5];

	if (want == p->am_interested)
		return 0;
	p->am_interested = want;
	pw_put_simple(msg, want ? PW_INTERESTED : PW_NOT_INTERESTED);
	return queue(p, msg, sizeof(msg));
}

/* ---- one peer's messages ------------------------------------------------- */

/* 0, or -errno: drop the peer (ban it yourself for a bad piece). */
static int on_block(struct tor *t, struct peer *p, const struct pw_msg *m)
{
	uint32_t b = m->begin / PW_BLOCK, psz;

	if (p->piece != (int)m->index || m->begin % PW_BLOCK || b >= p->nblk || p->blk[b] != B_ASKED) {
		p->unsolicited += m->length;	/* cancelled, or after a choke: allowed, bounded */
		return p->unsolicited > UNSOLICITED_MAX ? -EPROTO : 0;
	}
	psz = torrent_piece_size(&t->m, m->index);
	if (m->length != (psz - m->begin < PW_BLOCK ? psz - m->begin : PW_BLOCK))
		return -EBADMSG;
	memcpy(p->buf + m->begin, m->data, m->length);
	p->blk[b] = B_GOT;
	p->asked--;
	p->last_block = t->last_block_any = mono_ms();
	for (unsigned k = 0; k < p->nblk; k++)
		if (p->blk[k] != B_GOT)
			return 0;
	if (!piece_ok(t, m->index, p->buf)) {
		t->st->bad_pieces++;
		return -EILSEQ;
	}
	{
		uint32_t i = m->index;
		uint8_t *buf = p->buf;
		int rc;

		p->buf = NULL;	/* commit_piece may release p's claim: keep the bytes */
		release_piece(t, p, false);
		rc = commit_piece(t, i, buf, false);
		free(buf);
		return rc ? -EIO : 0;
	}
}

static int on_request(struct tor *t, struct peer *p, const struct pw_msg *m)
{
	if (p->am_choking || !t->pc[m->index].have || !t->sink->pread)
		return 0;	/* BEP 3: requests while choked are dropped */
	if (p->nreq >= PEER_REQ_MAX)
		return -ENOBUFS;
	p->req[p->nreq++] = (struct req){ m->index, m->begin, m->length };
	return 0;
}

static void on_cancel(struct peer *p, const struct pw_msg *m)
{
	for (unsigned i = 0; i < p->nreq; i++)
		if (p->req[i].index == m->index && p->req[i].begin == m->begin && p->req[i].len == m->length) {
			memmove(&p->req[i], &p->req[i + 1], (p->nreq - i - 1) * sizeof(p->req[0]));
			p->nreq--;
			return;
		}
}

static int on_message(struct tor *t, struct peer *p, const struct pw_msg *m)
{
	switch (m->id) {
	case PW_CHOKE:
		p->choking_us = true;
		release_piece(t, p, false);	/* BEP 3: its pending requests are void */
		return 0;
	case PW_UNCHOKE:
		p->choking_us = false;
		return 0;
	case PW_INTERESTED:
		p->interested_in_us = true;
		return 0;
	case PW_NOT_INTERESTED:
		p->interested_in_us = false;
		return 0;
	case PW_HAVE:
		if (!bit(p->bits, m->index)) {
			p->bits[m->index / 8] |= (uint8_t)(0x80u >> (m->index % 8));
			t->pc[m->index].avail++;
		}
		return update_interest(t, p);
	case PW_BITFIELD:
		for (uint32_t i = 0; i < t->m.npieces; i++) {
			bool had = bit(p->bits, i), has = bit(m->data, i);

			if (has && !had)
				t->pc[i].avail++;
			else if (had && !has && t->pc[i].avail)
				t->pc[i].avail--;
		}
		memcpy(p->bits, m->data, m->data_len);
		return update_interest(t, p);
	case PW_REQUEST:
		return on_request(t, p, m);
	case PW_PIECE:
		return on_block(t, p, m);
	case PW_CANCEL:
		on_cancel(p, m);
		return 0;
	default:	/* keep-alive, port, extensions */
		return 0;
	}
}

static int peer_start(struct tor *t, struct peer *p)
{
	uint8_t hs[PW_HANDSHAKE_LEN];
	size_t bf = (t->m.npieces + 7) / 8;

	p->incap = (PW_MSG_MAX > 5 + bf ? PW_MSG_MAX : 5 + bf) + PW_HANDSHAKE_LEN;
	p->outcap = 2 * (13 + PW_BLOCK) + 5 + bf + 4096;
	p->in = malloc(p->incap);
	p->out = malloc(p->outcap);
	p->bits = calloc(bf ? bf : 1, 1);
	if (!p->in || !p->out || !p->bits)
		return -ENOMEM;
	pw_handshake(hs, t->m.info_hash, t->peer_id);
	queue(p, hs, sizeof(hs));
	p->st = P_HANDSHAKE;
	p->t_state = p->last_rx = p->last_tx = mono_ms();
	return 0;
}

/* After the handshake: our bitfield (when we have something). */
static int peer_active(struct tor *t, struct peer *p)
{
	size_t bf = (t->m.npieces + 7) / 8;
	uint8_t h[5];

	p->st = P_ACTIVE;
	p->choking_us = p->am_choking = true;
	if (!t->have_n)
		return 0;
	if (p->outcap - p->outlen < 5 + bf)
		return -ENOBUFS;
	pw_put_bitfield_header(h, t->m.npieces);
	queue(p, h, sizeof(h));
	memset(p->out + p->outlen, 0, bf);
	for (uint32_t i = 0; i < t->m.npieces; i++)
		if (t->pc[i].have)
			p->out[p->outlen + i / 8] |= (uint8_t)(0x80u >> (i % 8));
	p->outlen += bf;
	return 0;
}

/* Serve queued requests while the output buffer has room for a whole block. */
static void serve(struct tor *t, struct peer *p)
{
	while (p->nreq && p->outcap - p->outlen >= 13 + PW_BLOCK + 64) {
		struct req r = p->req[0];

		memmove(&p->req[0], &p->req[1], (p->nreq - 1) * sizeof(p->req[0]));
		p->nreq--;
		p->outlen += pw_put_piece_header(p->out + p->outlen, r.index, r.begin, r.len);
		if (t->sink->pread(t->sink->ctx, p->out + p->outlen, r.len, (uint64_t)r.index * t->m.piece_len + r.begin)) {
			peer_close(t, p);
			return;
		}
		p->outlen += r.len;
		t->st->uploaded += r.len;
	}
}

static void peer_read(struct tor *t, struct peer *p)
{
	char a[32];

	for (unsigned reads = 0; reads < READS_PER_ROUND; reads++) {	/* then the others get their turn */
		ssize_t n = read(p->fd, p->in + p->inlen, p->incap - p->inlen);
		size_t used = 0;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			peer_close(t, p);
			return;
		}
		p->inlen += (size_t)n;
		p->last_rx = mono_ms();
		if (p->st == P_HANDSHAKE) {
			if (p->inlen < PW_HANDSHAKE_LEN)
				continue;
			if (pw_handshake_check(p->in, t->m.info_hash, p->id) || !memcmp(p->id, t->peer_id, 20) ||
			    is_banned(t, NULL, p->id) || peer_active(t, p)) {
				peer_close(t, p);	/* another torrent, ourselves, or banned */
				return;
			}
			used = PW_HANDSHAKE_LEN;
		}
		while (p->st == P_ACTIVE) {
			struct pw_msg m;
			int rc = pw_parse(p->in + used, p->inlen - used, t->m.npieces, t->m.piece_len, last_len(t), &m);

			if (rc == 0)
				break;
			if (rc < 0) {
				warn(t, "peer %s: %s message: dropped", addr_str(&p->addr, a, sizeof(a)),
				     rc == -E2BIG ? "oversize" : "malformed");
				peer_close(t, p);
				return;
			}
			used += (size_t)rc;
			rc = on_message(t, p, &m);
			if (rc == -EILSEQ) {
				char why[64];

				snprintf(why, sizeof(why), "piece %u failed its SHA-1", m.index);
				ban(t, p, why);
				return;
			}
			if (rc == -EIO) {	/* the sink failed: run() sees it in t->err */
				peer_close(t, p);
				return;
			}
			if (rc) {
				peer_close(t, p);
				return;
			}
		}
		if (p->st == P_FREE)
			return;
		memmove(p->in, p->in + used, p->inlen - used);
		p->inlen -= used;
	}
}

static void peer_write(struct tor *t, struct peer *p)
{
	for (;;) {
		ssize_t n;

		serve(t, p);	/* refill with the blocks it asked for */
		if (p->st == P_FREE || !p->outlen)
			return;
		n = send(p->fd, p->out, p->outlen, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			peer_close(t, p);
			return;
		}
		memmove(p->out, p->out + n, p->outlen - (size_t)n);
		p->outlen -= (size_t)n;
		p->last_tx = mono_ms();
	}
}

static struct peer *free_slot(struct tor *t)
{
	for (unsigned k = 0; k < t->max_peers; k++)
		if (t->peers[k].st == P_FREE)
			return &t->peers[k];
	return NULL;
}

/* Outgoing connections stop a quarter short of max_peers: the rest is for peers that connect
 * to us, so machines that join a fleet late still find room at the ones already in it. */
static bool outbound_slot(const struct tor *t)
{
	unsigned used = 0;

	for (unsigned k = 0; k < t->max_peers; k++)
		used += t->peers[k].st != P_FREE;
	return used < t->max_peers - t->max_peers / 4;
}

static bool connected_to(const struct tor *t, const struct tracker_peer *a)
{
	for (unsigned k = 0; k < t->max_peers; k++)
		if (t->peers[k].st != P_FREE && same_addr(&t->peers[k].addr, a))
			return true;
	return false;
}

static void peer_connect(struct tor *t, const struct tracker_peer *a)
{
	struct peer *p = free_slot(t);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(a->port) };
	int fd;

	if (!p || !outbound_slot(t) || is_banned(t, a, NULL) || connected_to(t, a))
		return;
	if (a->port == t->port && a->ip[0] == 127 && t->lfd >= 0)
		return;	/* our own listener on loopback */
	memcpy(&sa.sin_addr, a->ip, 4);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno != EINPROGRESS) {
		close(fd);
		return;
	}
	memset(p, 0, sizeof(*p));
	p->fd = fd;
	p->piece = -1;
	p->addr = *a;
	p->st = P_CONNECTING;
	p->t_state = p->last_rx = p->last_tx = mono_ms();
	t->st->peers_seen++;
}

static void peer_accept(struct tor *t)
{
	for (;;) {
		struct sockaddr_in sa;
		socklen_t sl = sizeof(sa);
		int fd = accept4(t->lfd, (struct sockaddr *)&sa, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct peer *p;

		if (fd < 0)
			return;
		p = free_slot(t);
		if (!p || sa.sin_family != AF_INET) {
			close(fd);
			continue;
		}
		memset(p, 0, sizeof(*p));
		p->fd = fd;
		p->piece = -1;
		memcpy(p->addr.ip, &sa.sin_addr, 4);
		p->addr.port = ntohs(sa.sin_port);
		t->st->peers_seen++;
		if (peer_start(t, p))
			peer_close(t, p);
	}
}

/* ---- trackers ------------------------------------------------------------ */

static void add_known(struct tor *t, const struct tracker_answer *a)
{
	for (unsigned i = 0; i < a->npeers; i++) {
		unsigned k;

		for (k = 0; k < t->nknown; k++)
			if (same_addr(&t->known[k], &a->peers[i]))
				break;
		if (k == t->nknown && t->nknown < MAX_KNOWN)
			t->known[t->nknown++] = a->peers[i];
	}
}

static int announce_http(struct tor *t, const char *url, const struct tracker_announce *an, struct tracker_answer *ans,
			 char *err, size_t errlen)
{
	char *full = malloc(TORRENT_URL_MAX + 512), *body = malloc(TRACKER_ANSWER_MAX);
	struct fetch_request rq = { .max_attempts = 1, .any_status = true };
	struct fetch_stats fs;
	struct fetch_sink s;
	struct sink_mem mem;
	int rc = -ENOMEM;

	if (!full || !body)
		goto out;
	rc = tracker_http_url(url, an, full, TORRENT_URL_MAX + 512);
	if (rc)
		goto out;
	sink_mem_init(&mem, body, TRACKER_ANSWER_MAX, &s);
	rq.url = full;
	rq.errbody = body;
	rq.errbody_cap = TRACKER_ANSWER_MAX;
	rc = fetch_request(t->tro, &rq, &s, NULL, NULL, &fs, err, errlen);
	if (rc)
		goto out;
	if (fs.http_code >= 400) {
		seterr(err, errlen, "HTTP %ld", fs.http_code);
		rc = -EPROTO;
		goto out;
	}
	rc = tracker_http_parse(body, mem.len, ans, err, errlen);
out:
	free(full);
	free(body);
	return rc;
}

/* udp://host:port[/...] */
static int udp_resolve(const char *url, struct sockaddr_storage *ss, socklen_t *sl)
{
	char host[256], port[8];
	const char *h = url + strlen("udp://"), *c = strchr(h, ':'), *end;
	struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_DGRAM }, *res;

	if (!c || (size_t)(c - h) >= sizeof(host))
		return -EINVAL;
	end = c + 1 + strcspn(c + 1, "/?");
	if (end - c - 1 <= 0 || (size_t)(end - c - 1) >= sizeof(port))
		return -EINVAL;
	memcpy(host, h, (size_t)(c - h));
	host[c - h] = '\0';
	memcpy(port, c + 1, (size_t)(end - c - 1));
	port[end - c - 1] = '\0';
	if (getaddrinfo(host, port, &hints, &res))
		return -EHOSTUNREACH;
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*sl = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

/* Send out[len], wait for an answer parse() accepts; UDP_TRIES times UDP_TRY_MS. */
static int udp_exchange(int fd, const uint8_t *out, size_t len, uint8_t *in, size_t incap, size_t *inlen,
			int (*accept_fn)(const uint8_t *, size_t, void *), void *ctx)
{
	for (int tries = 0; tries < UDP_TRIES; tries++) {
		uint64_t until = mono_ms() + UDP_TRY_MS;

		if (send(fd, out, len, 0) < 0)
			return -errno;
		for (;;) {
			uint64_t now = mono_ms();
			struct pollfd pf = { fd, POLLIN, 0 };
			ssize_t n;
			int rc;

			if (now >= until)
				break;
			if (poll(&pf, 1, (int)(until - now)) <= 0)
				continue;
			n = recv(fd, in, incap, 0);
			if (n < 0)
				continue;	/* ICMP refused and the like: keep waiting out the try */
			*inlen = (size_t)n;
			rc = accept_fn(in, (size_t)n, ctx);
			if (rc != -EAGAIN)
				return rc;
		}
	}
	return -ETIMEDOUT;
}

struct udp_ctx {
	uint32_t tid;
	uint64_t conn;
	struct tracker_answer *ans;
	char *err;
	size_t errlen;
};

static int udp_accept_connect(const uint8_t *in, size_t len, void *c)
{
	struct udp_ctx *u = c;

	return tracker_udp_connect_parse(in, len, u->tid, &u->conn, u->err, u->errlen);
}

static int udp_accept_announce(const uint8_t *in, size_t len, void *c)
{
	struct udp_ctx *u = c;

	return tracker_udp_announce_parse(in, len, u->tid, u->ans, u->err, u->errlen);
}

static int announce_udp(struct tor *t, const char *url, const struct tracker_announce *an, struct tracker_answer *ans,
			char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	uint8_t out[TRACKER_UDP_ANNOUNCE_LEN], in[20 + 6 * TRACKER_MAX_PEERS];
	size_t inlen;
	struct udp_ctx u = { .ans = ans, .err = err, .errlen = errlen };
	int fd, rc = udp_resolve(url, &ss, &sl);

	if (rc) {
		seterr(err, errlen, "cannot resolve the host of %s", url);
		return rc;
	}
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&ss, sl) < 0) {
		rc = -errno;
		goto out;
	}
	u.tid = rnd(t, UINT32_MAX);
	tracker_udp_connect(out, u.tid);
	rc = udp_exchange(fd, out, TRACKER_UDP_CONNECT_LEN, in, sizeof(in), &inlen, udp_accept_connect, &u);
	if (rc)
		goto out;
	u.tid = rnd(t, UINT32_MAX);
	tracker_udp_announce(out, u.conn, u.tid, an);
	rc = udp_exchange(fd, out, TRACKER_UDP_ANNOUNCE_LEN, in, sizeof(in), &inlen, udp_accept_announce, &u);
out:
	if (rc == -ETIMEDOUT)
		seterr(err, errlen, "no answer in %d tries of %d ms", UDP_TRIES, UDP_TRY_MS);
	close(fd);
	return rc;
}

static void announce(struct tor *t, unsigned i, enum tracker_event event)
{
	struct tracker_announce an = {
		.info_hash = t->m.info_hash, .peer_id = t->peer_id, .port = t->port, .uploaded = t->st->uploaded,
		.downloaded = t->have_bytes, .left = t->m.length - t->have_bytes, .event = event, .key = t->key,
	};
	struct tracker_answer *ans = calloc(1, sizeof(*ans));
	const char *url = t->m.trackers[i];
	char err[300] = "";
	unsigned next;
	int rc;

	if (!ans)
		return;
	if (t->seeder)
		seed_resolv_restore();
	if (!strncasecmp(url, "udp://", 6))
		rc = announce_udp(t, url, &an, ans, err, sizeof(err));
	else
		rc = announce_http(t, url, &an, ans, err, sizeof(err));
	if (rc) {
		warn(t, "tracker %.300s: %s", url, err[0] ? err : strerror(-rc));
		next = ANNOUNCE_MIN_S * 2;
	} else {
		add_known(t, ans);
		t->announced[i] = true;
		next = ans->interval_s ? ans->interval_s : ANNOUNCE_MAX_S;
	}
	if (next > ANNOUNCE_MAX_S)
		next = ANNOUNCE_MAX_S;
	t->next_announce[i] = mono_ms() + (uint64_t)next * 1000;
	free(ans);
}

static bool any_peers(const struct tor *t)
{
	for (unsigned k = 0; k < t->max_peers; k++)
		if (t->peers[k].st != P_FREE)
			return true;
	return false;
}

static unsigned active_peers(const struct tor *t)
{
	unsigned n = 0;

	for (unsigned k = 0; k < t->max_peers; k++)
		n += t->peers[k].st == P_ACTIVE;
	return n;
}

/* ---- web seeds ----------------------------------------------------------- */

struct ws_ctx {
	struct tor *t;
	uint32_t piece;		/* the piece the next byte belongs to */
	uint32_t fill;
	uint8_t *buf;
	int rc;			/* a bad piece or a sink error */
};

static int ws_write(void *ctx, const void *data, size_t len)
{
	struct ws_ctx *w = ctx;
	const uint8_t *p = data;

	while (len) {
		uint32_t sz = torrent_piece_size(&w->t->m, w->piece), k = sz - w->fill;

		if (k > len)
			k = (uint32_t)len;
		memcpy(w->buf + w->fill, p, k);
		w->fill += k;
		p += k;
		len -= k;
		if (w->fill == sz) {
			if (!piece_ok(w->t, w->piece, w->buf)) {
				w->t->st->bad_pieces++;
				w->rc = -EILSEQ;
				return -EBADMSG;
			}
			w->rc = commit_piece(w->t, w->piece, w->buf, true);
			if (w->rc)
				return w->rc;
			w->t->pc[w->piece].claims--;
			w->piece++;
			w->fill = 0;
		}
	}
	return 0;
}

/* Fetch the first run of pieces nobody fetches from web seed s. */
static void webseed_run(struct tor *t, unsigned s, uint64_t run)
{
	struct fetch_request rq = { .url = t->m.webseeds[s], .max_attempts = 2 };
	struct fetch_sink sink;
	struct ws_ctx w = { .t = t };
	uint32_t first, last;
	char err[400];
	int rc;

	for (first = 0; first < t->m.npieces && (t->pc[first].have || t->pc[first].claims); first++)
		;
	if (first == t->m.npieces)
		return;
	for (last = first; last + 1 < t->m.npieces && !t->pc[last + 1].have && !t->pc[last + 1].claims &&
	     (uint64_t)(last + 2 - first) * t->m.piece_len <= run; last++)
		;
	w.buf = malloc(t->m.piece_len);
	if (!w.buf)
		return;
	for (uint32_t i = first; i <= last; i++)
		t->pc[i].claims++;
	w.piece = first;
	sink_callback_init(&sink, ws_write, NULL, &w);
	sink.what = "the web seed's pieces";
	rq.range_from = (uint64_t)first * t->m.piece_len;
	rq.range_len = (uint64_t)last * t->m.piece_len + torrent_piece_size(&t->m, last) - rq.range_from;
	rc = fetch_request(t->ho, &rq, &sink, NULL, NULL, NULL, err, sizeof(err));
	for (uint32_t i = w.piece; i <= last; i++)	/* what it did not deliver */
		if (t->pc[i].claims)
			t->pc[i].claims--;
	if (w.rc == -EILSEQ) {
		t->webseed_bad[s] = true;
		warn(t, "web seed %.300s disabled: piece %u failed its SHA-1", t->m.webseeds[s], w.piece);
	} else if (rc && !w.rc) {
		warn(t, "web seed %.300s: %s", t->m.webseeds[s], err);
	}
	free(w.buf);
}

/* ---- the loop --------------------------------------------------------------- */

static void timeouts(struct tor *t, uint64_t now)
{
	for (unsigned k = 0; k < t->max_peers; k++) {
		struct peer *p = &t->peers[k];
		uint8_t ka[4];

		if (p->st == P_FREE)
			continue;
		if ((p->st == P_CONNECTING && now - p->t_state > CONNECT_MS) ||
		    (p->st == P_HANDSHAKE && now - p->t_state > HANDSHAKE_MS) ||
		    now - p->last_rx > IDLE_MS ||
		    (p->st == P_ACTIVE && p->asked && now - p->last_block > SNUB_MS)) {
			peer_close(t, p);	/* silent or snubbing: bounded */
			continue;
		}
		if (p->st == P_ACTIVE && !p->outlen && now - p->last_tx > KEEPALIVE_MS)
			queue(p, ka, pw_put_keepalive(ka));
	}
}

/* Unchoke interested peers up to UPLOAD_SLOTS: a fleet serves itself, no tit-for-tat. */
static void chokes(struct tor *t)
{
	unsigned open = 0;
	uint8_t msg[5];

	/* a slot is held by a peer that still wants something: one that has it all (or lost
	 * interest) stays unchoked, harmlessly, but makes room for the next */
	for (unsigned k = 0; k < t->max_peers; k++)
		open += t->peers[k].st == P_ACTIVE && !t->peers[k].am_choking && t->peers[k].interested_in_us;
	for (unsigned k = 0; k < t->max_peers && open < UPLOAD_SLOTS; k++) {
		struct peer *p = &t->peers[k];

		if (p->st != P_ACTIVE || !p->am_choking || !p->interested_in_us || !t->sink->pread)
			continue;
		pw_put_simple(msg, PW_UNCHOKE);
		if (!queue(p, msg, sizeof(msg))) {
			p->am_choking = false;
			open++;
		}
	}
}

/* ---- Local Service Discovery (BEP 14) ------------------------------------ */

static void lsd_start(struct tor *t)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(LSD_PORT) };
	struct ip_mreq mr;
	int one = 1, fd;

	t->lsd_fd = -1;
	/* only for a torrent that names no tracker: the segment is then the way to find peers
	 * (and a network that only knows its tracker gets no multicast from us) */
	if (t->to.no_lsd || t->m.ntrackers)
		return;
	for (int i = 0; i < LSD_COOKIE_LEN; i++)
		t->cookie[i] = "0123456789abcdef"[rnd(t, 16)];
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	memset(&mr, 0, sizeof(mr));
	inet_pton(AF_INET, LSD_GROUP, &mr.imr_multiaddr);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof(mr)) < 0) {
		warn(t, "Local Service Discovery off: %s", strerror(errno));
		close(fd);
		return;
	}
	t->lsd_fd = fd;
}

static void lsd_send(struct tor *t)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(LSD_PORT) };
	char msg[300];
	size_t n = lsd_announce(msg, sizeof(msg), t->m.info_hash, t->port, t->cookie);

	inet_pton(AF_INET, LSD_GROUP, &to.sin_addr);
	if (n)
		sendto(t->lsd_fd, msg, n, 0, (struct sockaddr *)&to, sizeof(to));
	t->next_lsd = mono_ms() + LSD_EVERY_S * 1000ull;
}

static void lsd_read(struct tor *t)
{
	for (int i = 0; i < 16; i++) {
		char buf[LSD_MSG_MAX];
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(t->lsd_fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
		struct tracker_answer one = { .npeers = 1 };
		uint16_t port;

		if (n < 0)
			return;
		if (lsd_parse(buf, (size_t)n, t->m.info_hash, t->cookie, &port) || from.sin_family != AF_INET)
			continue;
		memcpy(one.peers[0].ip, &from.sin_addr, 4);
		one.peers[0].port = port;
		if (!connected_to(t, &one.peers[0])) {
			t->st->lsd_peers++;
			add_known(t, &one);
			/* also while seeding: a machine that has the image goes to the ones that ask */
			peer_connect(t, &one.peers[0]);
		}
	}
}

static int poll_once(struct tor *t, int timeout_ms)
{
	struct pollfd pf[TORRENT_PEERS_MAX + 2];
	int map[TORRENT_PEERS_MAX + 2];
	unsigned n = 0;

	if (t->lfd >= 0) {
		pf[n] = (struct pollfd){ t->lfd, POLLIN, 0 };
		map[n++] = -1;
	}
	if (t->lsd_fd >= 0) {
		pf[n] = (struct pollfd){ t->lsd_fd, POLLIN, 0 };
		map[n++] = -2;
	}
	for (unsigned k = 0; k < t->max_peers; k++) {
		struct peer *p = &t->peers[k];

		if (p->st == P_FREE)
			continue;
		pf[n] = (struct pollfd){ p->fd, p->st == P_CONNECTING ? POLLOUT :
					 (short)(POLLIN | (p->outlen || p->nreq ? POLLOUT : 0)), 0 };
		map[n++] = (int)k;
	}
	if (poll(pf, n, timeout_ms) < 0)
		return errno == EINTR ? 0 : -errno;
	for (unsigned i = 0; i < n; i++) {
		struct peer *p;

		if (!pf[i].revents)
			continue;
		if (map[i] == -1) {
			peer_accept(t);
			continue;
		}
		if (map[i] == -2) {
			lsd_read(t);
			continue;
		}
		p = &t->peers[map[i]];
		if (p->st == P_FREE || p->fd != pf[i].fd)
			continue;	/* closed (or its slot reused) by an earlier one in this round */
		if (p->st == P_CONNECTING) {
			int e = 0;
			socklen_t el = sizeof(e);

			getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &e, &el);
			if (e || (pf[i].revents & (POLLERR | POLLHUP)) || peer_start(t, p))
				peer_close(t, p);
			continue;
		}
		if (pf[i].revents & (POLLIN | POLLERR | POLLHUP))
			peer_read(t, p);
		if (p->st != P_FREE && (pf[i].revents & POLLOUT))
			peer_write(t, p);
	}
	return 0;
}

static void work(struct tor *t)
{
	for (unsigned k = 0; k < t->max_peers; k++) {
		struct peer *p = &t->peers[k];

		if (p->st != P_ACTIVE)
			continue;
		if (fill_requests(t, p) < 0) {
			peer_close(t, p);
			continue;
		}
		serve(t, p);
		if (p->st == P_ACTIVE && p->outlen)
			peer_write(t, p);
	}
}

static void listen_start(struct tor *t)
{
	uint16_t base = t->to.port ? t->to.port : TORRENT_PORT_DEFAULT;

	t->lfd = -1;
	t->port = base;
	for (unsigned i = 0; i < 9; i++) {
		struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)(base + i)) };
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1;

		if (fd < 0)
			return;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (!bind(fd, (struct sockaddr *)&sa, sizeof(sa)) && !listen(fd, 16)) {
			t->lfd = fd;
			t->port = (uint16_t)(base + i);
			return;
		}
		close(fd);
	}
}

static int fetch_meta(struct tor *t, const char *meta_url)
{
	struct fetch_request rq = { .url = meta_url };
	struct fetch_sink s;
	struct sink_mem mem;
	char *buf = malloc(TORRENT_META_MAX);
	int rc;

	if (!buf) {
		seterr(t->err, t->errlen, "out of memory for the metainfo");
		return -ENOMEM;
	}
	sink_mem_init(&mem, buf, TORRENT_META_MAX, &s);
	s.what = "the metainfo buffer (8 MiB)";
	rc = fetch_request(t->o, &rq, &s, NULL, NULL, NULL, t->err, t->errlen);
	if (!rc) {
		rc = torrent_meta_parse(&t->m, buf, mem.len, t->err, t->errlen);
		if (rc) {
			char why[300];

			snprintf(why, sizeof(why), "%s", t->err);
			seterr(t->err, t->errlen, "%.400s: %s", meta_url, why);
		}
	}
	free(buf);
	return rc;
}

/* rd.live.sha256 (o->sum) or o->digest: the whole image, read back from the sink. */
static int check_sha256(struct tor *t)
{
	const size_t chunk = 1u << 20;
	uint8_t *buf = malloc(chunk), want[32], got[32];
	struct sha256 h;
	int rc = 0;

	if (!buf)
		return -ENOMEM;
	memcpy(want, t->o->sum.sha256, 32);
	if (t->o->sum.set && t->o->sum.is_auto) {
		char url[TORRENT_URL_MAX + 8], text[CHECKSUM_FILE_MAX];
		struct fetch_request rq = { .url = url };
		struct fetch_sink s;
		struct sink_mem mem;

		if (!t->m.nwebseeds) {
			seterr(t->err, t->errlen, "rd.live.sha256=auto needs a web seed (<url-list>.sha256) in the torrent");
			rc = -EINVAL;
			goto out;
		}
		snprintf(url, sizeof(url), "%s.sha256", t->m.webseeds[0]);
		sink_mem_init(&mem, text, sizeof(text) - 1, &s);
		rc = fetch_request(t->ho, &rq, &s, NULL, NULL, NULL, t->err, t->errlen);
		if (!rc)
			rc = checksum_file_parse(text, mem.len, t->m.name, want, t->err, t->errlen);
		if (rc)
			goto out;
	}
	sha256_init(&h);
	for (uint64_t off = 0; off < t->m.length; off += chunk) {
		size_t n = t->m.length - off < chunk ? (size_t)(t->m.length - off) : chunk;

		rc = t->sink->pread(t->sink->ctx, buf, n, off);
		if (rc) {
			seterr(t->err, t->errlen, "reading the image back for its sha256: %s", strerror(-rc));
			goto out;
		}
		sha256_update(&h, buf, n);
	}
	sha256_final(&h, got);
	memcpy(t->st->sha256, got, 32);
	if (t->o->sum.set && memcmp(got, want, 32)) {
		char g[65], w[65];

		checksum_hex_encode(got, g);
		checksum_hex_encode(want, w);
		seterr(t->err, t->errlen, "sha256 of %s is %s, expected %s", t->m.name, g, w);
		rc = -EBADMSG;
	}
out:
	free(buf);
	return rc;
}


static bool webseed_due(const struct tor *t, uint64_t now, unsigned idle)
{
	unsigned s;

	if (complete(t) || t->to.no_webseed)
		return false;
	for (s = 0; s < t->m.nwebseeds && t->webseed_bad[s]; s++)
		;
	if (s == t->m.nwebseeds)
		return false;
	/* no peer at all (not even one connecting), or none gave a block for idle ms; with
	 * LSD on, its answers get idle ms from the start to arrive first */
	if (!any_peers(t))
		return t->lsd_fd < 0 || now - t->t0 >= idle;
	return now - t->last_block_any >= idle;
}

/* Complete: is serving over? In the download, at seed_until; in the seeder, at seed_until
 * (0: none), the ratio, or a signal. */
static bool seed_over(const struct tor *t)
{
	if (!t->seeder)
		return mono_ms() >= t->seed_until;
	if (seed_signal)
		return true;
	if (t->to.seed_ratio_pct && t->st->uploaded * 100 >= t->m.length * t->to.seed_ratio_pct)
		return true;
	return t->seed_until && mono_ms() >= t->seed_until;
}

/* The peer loop: download (and serve) until complete, then serve until seed_over. */
static int run(struct tor *t)
{
	uint64_t deadline = (uint64_t)t->o->retry_deadline_s * 1000;
	unsigned idle = t->to.webseed_idle_ms ? t->to.webseed_idle_ms : TORRENT_WEBSEED_IDLE_MS;

	for (unsigned i = 0; i < t->to.nextra; i++)
		peer_connect(t, &t->to.extra[i]);
	for (;;) {
		uint64_t now = mono_ms();
		int rc;

		if (!t->to.no_trackers)
			for (unsigned i = 0; i < t->m.ntrackers; i++)
				if (now >= t->next_announce[i]) {
					announce(t, i, t->announced[i] ? TRACKER_EV_NONE : TRACKER_EV_STARTED);
					if (!active_peers(t) && !complete(t) && t->next_announce[i] > now + ANNOUNCE_MIN_S * 1000)
						t->next_announce[i] = now + ANNOUNCE_MIN_S * 1000;
				}
		if (t->lsd_fd >= 0 && now >= t->next_lsd)
			lsd_send(t);
		/* more peers from what trackers (and LSD) told us, round robin */
		for (unsigned tries = 0; tries < t->nknown && outbound_slot(t) && !complete(t); tries++) {
			peer_connect(t, &t->known[t->next_known]);
			t->next_known = (t->next_known + 1) % t->nknown;
		}
		rc = poll_once(t, webseed_due(t, now, idle) ? 0 : LOOP_MS);
		if (rc) {
			seterr(t->err, t->errlen, "poll: %s", strerror(-rc));
			return rc;
		}
		if (t->err[0])
			return -EIO;	/* the sink failed under commit_piece */
		now = mono_ms();
		timeouts(t, now);
		chokes(t);
		work(t);
		if (webseed_due(t, now, idle)) {
			unsigned s;

			for (s = 0; s < t->m.nwebseeds && t->webseed_bad[s]; s++)
				;
			if (s < t->m.nwebseeds) {
				/* alone, long requests; beside peers (even ones that choke us for now: in a
				 * fleet booting at once they unchoke as slots free), short ones so they get
				 * their turn, doubled up to the alone size for each turn in which no peer
				 * sent a block (a machine left with peers that have nothing for it) */
				uint64_t run = WEBSEED_RUN_ALONE;

				if (any_peers(t)) {
					if (!t->ws_run || t->last_block_any > t->ws_end)
						t->ws_run = WEBSEED_RUN;
					else if (t->ws_run < WEBSEED_RUN_ALONE)
						t->ws_run *= 2;
					run = t->ws_run;
				}
				webseed_run(t, s, run);
				if (t->err[0])
					return -EIO;
				/* give the peers their turn again, also ones that choke us now: the run
				 * blocked the peer loop, so their unchokes and blocks wait unread */
				t->ws_end = mono_ms();
				if (any_peers(t))
					t->last_block_any = t->ws_end;
			}
		}
		if (complete(t)) {
			if (!t->done_announced) {
				emit(t, FETCH_EV_PROGRESS, NULL);
				for (unsigned i = 0; i < t->m.ntrackers && !t->to.no_trackers; i++)
					announce(t, i, TRACKER_EV_COMPLETED);
				t->done_announced = true;
				/* with a seeder to come, the download ends here; it seeds */
				t->seed_until = mono_ms() + (uint64_t)(t->to.seed_spawn ? 0 : t->to.seed_s) * 1000;
			}
			if (seed_over(t))
				return 0;
			continue;
		}
		now = mono_ms();
		if (deadline && now > t->last_progress && now - t->last_progress > deadline) {
			seterr(t->err, t->errlen, "no piece of %s arrived for %u s (%" PRIu32 " of %" PRIu32
			       " pieces in; %u peers seen, %u banned)", t->m.name, t->o->retry_deadline_s, t->have_n,
			       t->m.npieces, t->st->peers_seen, t->st->banned);
			return -ETIMEDOUT;
		}
	}
}

/* ---- the seeder: the same loop, upload only, in a process of its own ----- */

static int seed_pread(void *ctx, void *buf, size_t len, uint64_t off)
{
	struct tor *t = ctx;

	while (len) {
		ssize_t n = pread(t->seed_fd, buf, len, (off_t)(t->seed_base + off));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		buf = (uint8_t *)buf + n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

static void on_seed_signal(int sig)
{
	seed_signal = sig;
}

__attribute__((format(printf, 3, 4)))
static void seed_say(struct tor *t, int level, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	if (!t->to.seed_ev)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	t->to.seed_ev(t->to.seed_ev_ctx, level, msg);
}

/* In the child: serve until seed_over, say `stopped`, exit. Never returns. */
static void seeder_main(struct tor *t)
{
	struct fetch_sink ro = { .pread = seed_pread, .what = "the image (read-only)" };
	struct sigaction sa = { .sa_handler = on_seed_signal };	/* no SA_RESTART: poll returns */
	int keep[TORRENT_PEERS_MAX + 3], rc;
	uint64_t up0 = t->st->uploaded, t0 = mono_ms();
	unsigned n = 0;
	char up[32];
	const char *why;

	keep[n++] = t->seed_fd;
	if (t->lfd >= 0)
		keep[n++] = t->lfd;
	if (t->lsd_fd >= 0)
		keep[n++] = t->lsd_fd;
	for (unsigned k = 0; k < TORRENT_PEERS_MAX; k++)
		if (t->peers[k].st != P_FREE)
			keep[n++] = t->peers[k].fd;
	seed_resolv_save();
	daemon_detach(keep, n, false);
	daemon_set_cmdline(t->to.seed_name ? t->to.seed_name : "netinit-seed");
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	{
		sigset_t un;

		sigemptyset(&un);
		sigaddset(&un, SIGTERM);
		sigprocmask(SIG_UNBLOCK, &un, NULL);
	}
	t->ev = NULL;		/* the booted system's console gets no progress or tracker noise */
	ro.ctx = t;
	t->sink = &ro;		/* nothing to write with: only pread */
	t->seeder = true;
	t->seed_until = t->to.seed_s ? t0 + (uint64_t)t->to.seed_s * 1000 : 0;
	t->err[0] = '\0';
	rc = run(t);
	for (unsigned i = 0; i < t->m.ntrackers && !t->to.no_trackers; i++)
		if (t->announced[i])
			announce(t, i, TRACKER_EV_STOPPED);
	why = rc ? t->err : seed_signal ? (seed_signal == SIGTERM ? "SIGTERM" : "a signal") :
	      t->to.seed_ratio_pct && t->st->uploaded * 100 >= t->m.length * t->to.seed_ratio_pct ? "ratio reached" :
	      "time is up";
	progress_size(up, sizeof(up), t->st->uploaded - up0);
	seed_say(t, rc ? EV_WARN : EV_INFO, "stopped after %" PRIu64 " s (%s): %s served, ratio %.2f in all", (mono_ms() - t0) / 1000,
		 why, up, t->m.length ? (double)t->st->uploaded / (double)t->m.length : 0.0);
	_exit(rc ? 1 : 0);
}

/* After the image is verified: fork the seeder; the parent lets go of the peers, the
 * sockets and the trackers (the seeder took them over). */
static void seeder_spawn(struct tor *t)
{
	pid_t pid;

	t->seed_fd = t->to.seed_fd;
	t->seed_base = t->to.seed_base;
	if (t->seed_fd < 0) {
		t->st->seed_pid = -EBADF;
		return;
	}
	fflush(NULL);	/* or the child would write the caller's buffered output again */
	pid = fork();
	if (pid < 0) {
		t->st->seed_pid = -errno;
		return;
	}
	if (pid == 0)
		seeder_main(t);
	t->st->seed_pid = (int)pid;
}

void torrent_opts_init(struct torrent_opts *to)
{
	memset(to, 0, sizeof(*to));
	to->seed_fd = -1;
}

int torrent_fetch(const struct fetch_opts *o, const struct torrent_opts *to, const char *meta_url,
		  struct fetch_sink *sink, fetch_event_fn ev, void *ev_ctx, struct torrent_stats *st,
		  char *err, size_t errlen)
{
	struct torrent_stats local;
	struct tor *t;
	int rc, run_rc;

	if (!sink || !sink->pwrite) {
		seterr(err, errlen, "the image's place cannot take writes at an offset");
		return -EINVAL;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		seterr(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (!st)
		st = &local;
	memset(st, 0, sizeof(*st));
	if (err && errlen)
		err[0] = '\0';
	else {
		static char dummy[2];

		err = dummy;
		errlen = sizeof(dummy);
	}
	t->o = o;
	t->to = *to;
	t->sink = sink;
	t->ev = ev;
	t->ev_ctx = ev_ctx;
	t->st = st;
	t->err = err;
	t->errlen = errlen;
	t->lfd = -1;
	t->lsd_fd = -1;
	t->t0 = mono_ms();
	for (unsigned k = 0; k < TORRENT_PEERS_MAX; k++) {
		t->peers[k].fd = -1;
		t->peers[k].piece = -1;
	}
	if (getrandom(&t->rng, sizeof(t->rng), GRND_NONBLOCK) != sizeof(t->rng))
		t->rng = o->seed ^ t->t0 ^ (uint64_t)getpid() << 32;
	memcpy(t->peer_id, "-NI0001-", 8);
	for (int i = 8; i < 20; i++)
		t->peer_id[i] = (uint8_t)('0' + rnd(t, 10));
	t->key = rnd(t, UINT32_MAX);
	t->ho = malloc(sizeof(*t->ho));
	if (!t->ho) {
		rc = -ENOMEM;
		seterr(err, errlen, "out of memory");
		goto out;
	}
	*t->ho = *o;
	t->ho->sum.set = false;
	t->ho->sum.is_auto = false;
	t->ho->digest = false;
	t->ho->nmirrors = 0;
	if (!t->ho->connect_timeout_s || t->ho->connect_timeout_s > 5)
		t->ho->connect_timeout_s = 5;
	t->tro = malloc(sizeof(*t->tro));
	if (!t->tro) {
		rc = -ENOMEM;
		seterr(err, errlen, "out of memory");
		goto out;
	}
	*t->tro = *t->ho;
	t->tro->max_time_s = TRACKER_MAX_TIME_S;
	t->tro->retry_deadline_s = TRACKER_MAX_TIME_S;
	fetch_start_delay(o, ev, ev_ctx);	/* before the metainfo: the tracker and web seed too */
	rc = fetch_meta(t, meta_url);
	if (rc)
		goto out;
	snprintf(st->name, sizeof(st->name), "%s", t->m.name);
	st->length = t->m.length;
	st->npieces = t->m.npieces;
	st->piece_len = t->m.piece_len;
	memcpy(st->info_hash, t->m.info_hash, 20);
	if (sink->capacity)
		rc = fetch_fits(t->m.length, sink->capacity, sink->reserve, sink->what ? sink->what : "space", err, errlen);
	if (!rc && sink->mem_avail)
		rc = fetch_fits(t->m.length, sink->mem_avail, sink->mem_reserve, "RAM", err, errlen);
	if (rc)
		goto out;
	if (!t->m.ntrackers && !t->m.nwebseeds && !to->nextra) {
		seterr(err, errlen, "%s names no tracker and no web seed", meta_url);
		rc = -EINVAL;
		goto out;
	}
	t->pc = calloc(t->m.npieces, sizeof(*t->pc));
	if (!t->pc) {
		seterr(err, errlen, "out of memory for %u pieces", t->m.npieces);
		rc = -ENOMEM;
		goto out;
	}
	t->max_peers = to->max_peers && to->max_peers <= TORRENT_PEERS_MAX ? to->max_peers : TORRENT_PEERS_DEFAULT;
	t->max_dl = PIECE_RAM / t->m.piece_len;
	if (t->max_dl < 1)
		t->max_dl = 1;
	t->last_progress = t->last_block_any = mono_ms();
	listen_start(t);
	lsd_start(t);
	{
		char what[TORRENT_NAME_MAX + 64];

		snprintf(what, sizeof(what), "%s by BitTorrent (%u pieces of %u KiB)", t->m.name, t->m.npieces,
			 t->m.piece_len >> 10);
		emit(t, FETCH_EV_START, what);
	}
	st->port = t->lfd >= 0 ? t->port : 0;
	rc = run(t);
	run_rc = rc;
	if (!rc && sink->finish) {
		rc = sink->finish(sink->ctx);
		if (rc)
			seterr(err, errlen, "finishing %s failed: %s", sink->what ? sink->what : "the sink", strerror(-rc));
	}
	if (!rc && (o->sum.set || o->digest))
		rc = check_sha256(t);
	st->elapsed_ms = mono_ms() - t->t0;
	if (!rc && to->seed_spawn)
		seeder_spawn(t);	/* only a verified image is served on */
	if (st->seed_pid <= 0)
		for (unsigned i = 0; i < t->m.ntrackers && !to->no_trackers && t->announced[i]; i++)
			if (!run_rc)
				announce(t, i, TRACKER_EV_STOPPED);
	if (!rc)
		emit(t, FETCH_EV_DONE, NULL);
out:
	for (unsigned k = 0; k < TORRENT_PEERS_MAX; k++)
		if (t->peers[k].st != P_FREE)
			peer_close(t, &t->peers[k]);
	if (t->lfd >= 0)
		close(t->lfd);
	if (t->lsd_fd >= 0)
		close(t->lsd_fd);
	free(t->pc);
	free(t->ho);
	free(t->tro);
	torrent_meta_free(&t->m);
	free(t);
	return rc;
}
