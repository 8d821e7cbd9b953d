/*
 * sha1: SHA-1 (FIPS 180-4), only for what BitTorrent v1 names by it: the info-hash
 * and each piece's digest (fetch/torrent*). Not for anything that must resist a
 * chosen-prefix collision: images are still checked with SHA-256 (rd.live.sha256).
 * Uses the x86 SHA extensions when sha256_accelerated() does (one switch for both).
 */
#ifndef NETINIT_CRYPTO_SHA1_H
#define NETINIT_CRYPTO_SHA1_H

#include <stddef.h>
#include <stdint.h>

#define SHA1_BLOCK	64	/* bytes per compression */
#define SHA1_DIGEST	20	/* bytes of output */

struct sha1 {
	uint32_t h[5];		/* chaining state */
	uint64_t len;		/* bytes hashed so far */
	uint8_t buf[SHA1_BLOCK];	/* partial block */
	size_t used;		/* bytes in buf */
};

void sha1_init(struct sha1 *s);
void sha1_update(struct sha1 *s, const void *data, size_t len);
void sha1_final(struct sha1 *s, uint8_t out[SHA1_DIGEST]);
/* One call: the digest of len bytes at data. */
void sha1(const void *data, size_t len, uint8_t out[SHA1_DIGEST]);

#endif
