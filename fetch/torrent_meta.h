/*
 * torrent_meta: a BitTorrent v1 metainfo file (BEP 3) read into a plain struct: the
 * info-hash (SHA-1 of the info dictionary's exact bytes), name, length, piece length,
 * the pieces' SHA-1s, trackers (announce, BEP 12 announce-list) and web seeds (BEP 19
 * url-list). One file only: a multi-file torrent is refused by name.
 */
#ifndef NETINIT_FETCH_TORRENT_META_H
#define NETINIT_FETCH_TORRENT_META_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/sha1.h"

#define TORRENT_META_MAX	(8u << 20)	/* largest .torrent we read */
#define TORRENT_URL_MAX		1024		/* one tracker or web seed URL, with NUL */
#define TORRENT_MAX_TRACKERS	8
#define TORRENT_MAX_WEBSEEDS	4
#define TORRENT_NAME_MAX	256
#define TORRENT_PIECE_MIN	(16u << 10)	/* a piece is at least one block ... */
#define TORRENT_PIECE_MAX	(16u << 20)	/* ... and at most this (we hold pieces in RAM) */
#define TORRENT_LENGTH_MAX	(1ULL << 42)	/* 4 TiB */

struct torrent_meta {
	uint8_t info_hash[SHA1_DIGEST];
	char name[TORRENT_NAME_MAX];	/* safe as one file name: no '/', not "." or "..", printable */
	uint64_t length;		/* bytes of the file */
	uint32_t piece_len;
	uint32_t npieces;
	uint8_t *pieces;		/* npieces * SHA1_DIGEST bytes (malloc'd) */
	char trackers[TORRENT_MAX_TRACKERS][TORRENT_URL_MAX];	/* http(s):// and udp:// */
	unsigned ntrackers;
	char webseeds[TORRENT_MAX_WEBSEEDS][TORRENT_URL_MAX];	/* http(s)://, the file's own URL */
	unsigned nwebseeds;
};

/* Parse len bytes of metainfo. 0, or -EBADMSG / -E2BIG / -ENOTSUP (multi-file) with err. */
int torrent_meta_parse(struct torrent_meta *m, const void *buf, size_t len, char *err, size_t errlen);
void torrent_meta_free(struct torrent_meta *m);
/* Bytes of piece i (the last one may be shorter). */
uint32_t torrent_piece_size(const struct torrent_meta *m, uint32_t i);

#endif
