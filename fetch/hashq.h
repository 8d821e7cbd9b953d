/*
 * hashq: SHA-256 of a byte stream computed on another CPU while the caller
 * keeps receiving: bytes are copied into a small ring of fixed buffers that a
 * worker thread hashes. With one CPU (or if the thread cannot start) it hashes
 * inline. Memory is bounded by HASHQ_SLOTS x HASHQ_SLOT_SIZE.
 */
#ifndef NETINIT_FETCH_HASHQ_H
#define NETINIT_FETCH_HASHQ_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/sha256.h"

#define HASHQ_SLOTS	8		/* buffers in the ring */
#define HASHQ_SLOT_SIZE	(256 * 1024)	/* bytes per buffer */

struct hashq;

/* NULL only when out of memory. */
struct hashq *hashq_new(void);
void hashq_add(struct hashq *q, const void *data, size_t len);
/* Forget everything added so far (restart from zero). */
void hashq_reset(struct hashq *q);
/* Digest of everything added since the last reset; q stays usable. */
void hashq_digest(struct hashq *q, uint8_t out[SHA256_DIGEST]);
void hashq_free(struct hashq *q);

#endif
