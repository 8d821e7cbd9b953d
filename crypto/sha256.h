/*
 * sha256: SHA-256 (FIPS 180-4) for hashing images while they stream, using the
 * x86 SHA extensions when the CPU has them (about 5x mbedTLS's software
 * version) and portable C otherwise.
 */
#ifndef NETINIT_CRYPTO_SHA256_H
#define NETINIT_CRYPTO_SHA256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SHA256_BLOCK	64	/* bytes per compression */
#define SHA256_DIGEST	32	/* bytes of output */

struct sha256 {
	uint32_t h[8];		/* chaining state */
	uint64_t len;		/* bytes hashed so far */
	uint8_t buf[SHA256_BLOCK];	/* partial block */
	size_t used;		/* bytes in buf */
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
void sha256_final(struct sha256 *s, uint8_t out[SHA256_DIGEST]);

/* true if the SHA extensions are in use; sha256_use_portable(true) turns them off (tests). */
bool sha256_accelerated(void);
void sha256_use_portable(bool on);

#endif
