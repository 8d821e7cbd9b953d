#include "crypto/sha1.h"

#pragma GCC optimize("O2")

#include <string.h>

#include "crypto/sha256.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define HAVE_X86 1
#endif

static inline uint32_t rol(uint32_t x, unsigned n)
{
	return x << n | x >> (32 - n);
}

/* One round: the four functions of FIPS 180-4 4.1.1 by their rounds, no branch inside */
#define ROUND(f, k, i) do { \
		uint32_t t_ = rol(a, 5) + (f) + e + (k) + w[i]; \
		e = d; d = c; c = rol(b, 30); b = a; a = t_; \
	} while (0)

static void block(uint32_t h[5], const uint8_t *p)
{
	uint32_t w[80], a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (; i < 80; i++)
		w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	for (i = 0; i < 20; i++)
		ROUND(d ^ (b & (c ^ d)), 0x5a827999, i);		/* Ch */
	for (; i < 40; i++)
		ROUND(b ^ c ^ d, 0x6ed9eba1, i);			/* Parity */
	for (; i < 60; i++)
		ROUND((b & c) | (d & (b | c)), 0x8f1bbcdc, i);	/* Maj */
	for (; i < 80; i++)
		ROUND(b ^ c ^ d, 0xca62c1d6, i);			/* Parity */
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
}

#ifdef HAVE_X86
/*
 * The x86 SHA extensions: four rounds per sha1rnds4 (its immediate picks the round
 * function: rounds 0-19, 20-39, 40-59, 60-79), the schedule four words at a time with
 * sha1msg1/sha1msg2, and sha1nexte deriving the next group's E from the state four
 * rounds back. Lanes hold words high to low: A (or w[t]) in the top lane.
 */
__attribute__((target("sha,sse4.1,ssse3")))
static void block_shani(uint32_t h[5], const uint8_t *p)
{
	const __m128i bswap = _mm_set_epi64x(0x0001020304050607LL, 0x08090a0b0c0d0e0fLL);
	__m128i abcd = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)h), 0x1b);
	__m128i e0 = _mm_set_epi32((int)h[4], 0, 0, 0), abcd_in = abcd, e, prev;
	__m128i w[20];
	int g;

	for (g = 0; g < 4; g++)
		w[g] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * g)), bswap);
	for (; g < 20; g++)
		w[g] = _mm_sha1msg2_epu32(_mm_xor_si128(_mm_sha1msg1_epu32(w[g - 4], w[g - 3]), w[g - 2]), w[g - 1]);
	e = _mm_add_epi32(e0, w[0]);
	prev = abcd;
	abcd = _mm_sha1rnds4_epu32(abcd, e, 0);
#define RNDS4(g, f) do { \
		e = _mm_sha1nexte_epu32(prev, w[g]); \
		prev = abcd; \
		abcd = _mm_sha1rnds4_epu32(abcd, e, f); \
	} while (0)
	/* sha1rnds4's function index must be an immediate: one line per group */
	RNDS4(1, 0); RNDS4(2, 0); RNDS4(3, 0); RNDS4(4, 0);
	RNDS4(5, 1); RNDS4(6, 1); RNDS4(7, 1); RNDS4(8, 1); RNDS4(9, 1);
	RNDS4(10, 2); RNDS4(11, 2); RNDS4(12, 2); RNDS4(13, 2); RNDS4(14, 2);
	RNDS4(15, 3); RNDS4(16, 3); RNDS4(17, 3); RNDS4(18, 3); RNDS4(19, 3);
#undef RNDS4
	e0 = _mm_sha1nexte_epu32(prev, e0);
	abcd = _mm_add_epi32(abcd, abcd_in);
	_mm_storeu_si128((__m128i *)h, _mm_shuffle_epi32(abcd, 0x1b));
	h[4] = (uint32_t)_mm_extract_epi32(e0, 3);
}
#endif

static void compress(uint32_t h[5], const uint8_t *p)
{
#ifdef HAVE_X86
	if (sha256_accelerated()) {	/* the same CPU feature: one switch for both */
		block_shani(h, p);
		return;
	}
#endif
	block(h, p);
}

void sha1_init(struct sha1 *s)
{
	static const uint32_t h0[5] = { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0 };

	memcpy(s->h, h0, sizeof(h0));
	s->len = 0;
	s->used = 0;
}

void sha1_update(struct sha1 *s, const void *data, size_t len)
{
	const uint8_t *p = data;

	s->len += len;
	if (s->used) {
		size_t k = SHA1_BLOCK - s->used < len ? SHA1_BLOCK - s->used : len;

		memcpy(s->buf + s->used, p, k);
		s->used += k;
		p += k;
		len -= k;
		if (s->used < SHA1_BLOCK)
			return;
		compress(s->h, s->buf);
		s->used = 0;
	}
	for (; len >= SHA1_BLOCK; p += SHA1_BLOCK, len -= SHA1_BLOCK)
		compress(s->h, p);
	memcpy(s->buf, p, len);
	s->used = len;
}

void sha1_final(struct sha1 *s, uint8_t out[SHA1_DIGEST])
{
	uint64_t bits = s->len * 8;

	s->buf[s->used++] = 0x80;
	if (s->used > SHA1_BLOCK - 8) {
		memset(s->buf + s->used, 0, SHA1_BLOCK - s->used);
		compress(s->h, s->buf);
		s->used = 0;
	}
	memset(s->buf + s->used, 0, SHA1_BLOCK - 8 - s->used);
	for (int i = 0; i < 8; i++)
		s->buf[SHA1_BLOCK - 1 - i] = (uint8_t)(bits >> (8 * i));
	compress(s->h, s->buf);
	for (int i = 0; i < 5; i++) {
		out[4 * i] = (uint8_t)(s->h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(s->h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(s->h[i] >> 8);
		out[4 * i + 3] = (uint8_t)s->h[i];
	}
}

void sha1(const void *data, size_t len, uint8_t out[SHA1_DIGEST])
{
	struct sha1 s;

	sha1_init(&s);
	sha1_update(&s, data, len);
	sha1_final(&s, out);
}
