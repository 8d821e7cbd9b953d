#include "crypto/sha256.h"

/* init builds with -Os; this is the one hot loop worth unrolling */
#pragma GCC optimize("O2")

#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <immintrin.h>
#define HAVE_X86 1
#endif

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static const uint32_t H0[8] = {
	0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

static inline uint32_t ror(uint32_t x, unsigned n)
{
	return x >> n | x << (32 - n);
}

static inline uint32_t load_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void blocks_portable(uint32_t h[8], const uint8_t *p, size_t n)
{
	for (; n; n--, p += SHA256_BLOCK) {
		uint32_t w[64], a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];

		for (int t = 0; t < 16; t++)
			w[t] = load_be32(p + 4 * t);
		for (int t = 16; t < 64; t++) {
			uint32_t s0 = ror(w[t - 15], 7) ^ ror(w[t - 15], 18) ^ (w[t - 15] >> 3);
			uint32_t s1 = ror(w[t - 2], 17) ^ ror(w[t - 2], 19) ^ (w[t - 2] >> 10);

			w[t] = w[t - 16] + s0 + w[t - 7] + s1;
		}
		for (int t = 0; t < 64; t++) {
			uint32_t t1 = hh + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + K[t] + w[t];
			uint32_t t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));

			hh = g;
			g = f;
			f = e;
			e = d + t1;
			d = c;
			c = b;
			b = a;
			a = t1 + t2;
		}
		h[0] += a; h[1] += b; h[2] += c; h[3] += d;
		h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
	}
}

#ifdef HAVE_X86
/*
 * The SHA extensions keep the state as two vectors, ABEF and CDGH; each
 * sha256rnds2 does two rounds, taking W+K for them from the low quadword.
 */
__attribute__((target("sha,sse4.1,ssse3")))
static void blocks_shani(uint32_t h[8], const uint8_t *p, size_t n)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
	__m128i abef, cdgh, tmp;

	tmp = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[0]), 0xb1);	/* B A D C */
	cdgh = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[4]), 0x1b);	/* H G F E */
	abef = _mm_alignr_epi8(tmp, cdgh, 8);
	cdgh = _mm_blend_epi16(cdgh, tmp, 0xf0);

/* four rounds with message words m (already W, not yet +K) */
#define R4(i, m) do { \
		tmp = _mm_add_epi32(m, _mm_loadu_si128((const __m128i *)&K[4 * (i)])); \
		cdgh = _mm_sha256rnds2_epu32(cdgh, abef, tmp); \
		abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(tmp, 0x0e)); \
	} while (0)
/* next four message words from the last sixteen: m0 = W[t-16..], m3 = W[t-4..] */
#define W4(m0, m1, m2, m3) \
	(m0 = _mm_sha256msg2_epu32(_mm_add_epi32(_mm_sha256msg1_epu32(m0, m1), _mm_alignr_epi8(m3, m2, 4)), m3))
	for (; n; n--, p += SHA256_BLOCK) {
		__m128i save_abef = abef, save_cdgh = cdgh;
		__m128i m0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 0)), bswap);
		__m128i m1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16)), bswap);
		__m128i m2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 32)), bswap);
		__m128i m3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 48)), bswap);

		R4(0, m0); R4(1, m1); R4(2, m2); R4(3, m3);
		W4(m0, m1, m2, m3); R4(4, m0);
		W4(m1, m2, m3, m0); R4(5, m1);
		W4(m2, m3, m0, m1); R4(6, m2);
		W4(m3, m0, m1, m2); R4(7, m3);
		W4(m0, m1, m2, m3); R4(8, m0);
		W4(m1, m2, m3, m0); R4(9, m1);
		W4(m2, m3, m0, m1); R4(10, m2);
		W4(m3, m0, m1, m2); R4(11, m3);
		W4(m0, m1, m2, m3); R4(12, m0);
		W4(m1, m2, m3, m0); R4(13, m1);
		W4(m2, m3, m0, m1); R4(14, m2);
		W4(m3, m0, m1, m2); R4(15, m3);
		abef = _mm_add_epi32(abef, save_abef);
		cdgh = _mm_add_epi32(cdgh, save_cdgh);
	}
#undef R4
#undef W4
	tmp = _mm_shuffle_epi32(abef, 0x1b);	/* F E B A */
	cdgh = _mm_shuffle_epi32(cdgh, 0xb1);	/* D C H G */
	_mm_storeu_si128((__m128i *)&h[0], _mm_blend_epi16(tmp, cdgh, 0xf0));	/* D C B A */
	_mm_storeu_si128((__m128i *)&h[4], _mm_alignr_epi8(cdgh, tmp, 8));	/* H G F E */
}

#define CPUID_FEATURES		1
#define CPUID_EXTENDED		7
#define ECX1_SSSE3		(1u << 9)
#define ECX1_SSE41		(1u << 19)
#define EBX7_SHA		(1u << 29)

static bool cpu_has_sha(void)
{
	unsigned a, b, c, d;

	if (!__get_cpuid(CPUID_FEATURES, &a, &b, &c, &d) || !(c & ECX1_SSSE3) || !(c & ECX1_SSE41))
		return false;
	if (!__get_cpuid_count(CPUID_EXTENDED, 0, &a, &b, &c, &d))
		return false;
	return b & EBX7_SHA;
}
#endif

static int impl = -1;	/* -1 unknown, 0 portable, 1 SHA extensions */

bool sha256_accelerated(void)
{
	if (impl < 0) {
#ifdef HAVE_X86
		impl = cpu_has_sha();
#else
		impl = 0;
#endif
	}
	return impl == 1;
}

void sha256_use_portable(bool on)
{
	impl = -1;
	if (on)
		impl = 0;
	else
		sha256_accelerated();
}

static void blocks(uint32_t h[8], const uint8_t *p, size_t n)
{
#ifdef HAVE_X86
	if (sha256_accelerated()) {
		blocks_shani(h, p, n);
		return;
	}
#endif
	blocks_portable(h, p, n);
}

void sha256_init(struct sha256 *s)
{
	memcpy(s->h, H0, sizeof(H0));
	s->len = 0;
	s->used = 0;
}

void sha256_update(struct sha256 *s, const void *data, size_t len)
{
	const uint8_t *p = data;

	s->len += len;
	if (s->used) {
		size_t take = SHA256_BLOCK - s->used < len ? SHA256_BLOCK - s->used : len;

		memcpy(s->buf + s->used, p, take);
		s->used += take;
		p += take;
		len -= take;
		if (s->used < SHA256_BLOCK)
			return;
		blocks(s->h, s->buf, 1);
		s->used = 0;
	}
	if (len >= SHA256_BLOCK) {
		blocks(s->h, p, len / SHA256_BLOCK);
		p += len / SHA256_BLOCK * SHA256_BLOCK;
		len %= SHA256_BLOCK;
	}
	memcpy(s->buf, p, len);
	s->used = len;
}

void sha256_final(struct sha256 *s, uint8_t out[SHA256_DIGEST])
{
	uint64_t bits = s->len * 8;

	s->buf[s->used++] = 0x80;
	if (s->used > SHA256_BLOCK - 8) {
		memset(s->buf + s->used, 0, SHA256_BLOCK - s->used);
		blocks(s->h, s->buf, 1);
		s->used = 0;
	}
	memset(s->buf + s->used, 0, SHA256_BLOCK - 8 - s->used);
	for (int i = 0; i < 8; i++)
		s->buf[SHA256_BLOCK - 1 - i] = (uint8_t)(bits >> (8 * i));
	blocks(s->h, s->buf, 1);
	for (int i = 0; i < 8; i++) {
		out[4 * i] = (uint8_t)(s->h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(s->h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(s->h[i] >> 8);
		out[4 * i + 3] = (uint8_t)s->h[i];
	}
}
