/* crypto/sha256: FIPS 180-4 vectors in both implementations, and the SHA
 * extensions agreeing with portable C on every length and split. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "fetch/hashq.h"
#include "crypto/sha256.h"

static void hex(const uint8_t d[SHA256_DIGEST], char out[65])
{
	for (int i = 0; i < SHA256_DIGEST; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

static void row(const char *file, int line, const char *msg, size_t repeat, const char *want)
{
	for (int portable = 0; portable < 2; portable++) {
		struct sha256 s;
		uint8_t d[SHA256_DIGEST];
		char got[65];

		sha256_use_portable(portable);
		sha256_init(&s);
		for (size_t i = 0; i < repeat; i++)
			sha256_update(&s, msg, strlen(msg));
		sha256_final(&s, d);
		hex(d, got);
		if (strcmp(got, want)) {
			print_error("%s:%d: %s: got %s, wanted %s\n", file, line, portable ? "portable" : "default",
				    got, want);
			fail();
		}
	}
	sha256_use_portable(false);
}
#define ROW(m, r, w) row(__FILE__, __LINE__, m, r, w)

static void test_vectors(void **state)
{
	ROW("", 1, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	ROW("abc", 1, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	ROW("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
	    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	ROW("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
	    1, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
	ROW("a", 1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void test_agree(void **state)
{
	static uint8_t buf[4096];
	uint32_t x = 12345;

	for (size_t i = 0; i < sizeof(buf); i++) {
		x = x * 1103515245 + 12345;
		buf[i] = (uint8_t)(x >> 16);
	}
	for (size_t len = 0; len < 700; len += 7) {
		uint8_t a[SHA256_DIGEST], b[SHA256_DIGEST];
		struct sha256 s;
		size_t split = len / 3;

		sha256_use_portable(true);
		sha256_init(&s);
		sha256_update(&s, buf, len);
		sha256_final(&s, a);
		sha256_use_portable(false);
		sha256_init(&s);
		sha256_update(&s, buf, split);
		sha256_update(&s, buf + split, len - split);
		sha256_final(&s, b);
		assert_memory_equal(a, b, SHA256_DIGEST);
	}
	print_message("SHA extensions: %s\n", sha256_accelerated() ? "in use" : "not available");
}

/* the threaded queue gives the same digest as hashing inline, across resets */
static void test_hashq(void **state)
{
	static uint8_t buf[3 * HASHQ_SLOT_SIZE + 1000];
	uint8_t a[SHA256_DIGEST], b[SHA256_DIGEST];
	struct hashq *q = hashq_new();
	struct sha256 s;

	assert_non_null(q);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 31 + (i >> 9));
	for (int round = 0; round < 3; round++) {
		size_t len = sizeof(buf) - (size_t)round * 777777 % sizeof(buf);
		size_t step = 1000 + (size_t)round * 70001;

		hashq_add(q, "garbage before the reset", 24);
		hashq_reset(q);
		for (size_t off = 0; off < len; off += step)
			hashq_add(q, buf + off, off + step > len ? len - off : step);
		hashq_digest(q, a);
		sha256_init(&s);
		sha256_update(&s, buf, len);
		sha256_final(&s, b);
		assert_memory_equal(a, b, SHA256_DIGEST);
	}
	hashq_reset(q);
	hashq_digest(q, a);
	sha256_init(&s);
	sha256_final(&s, b);
	assert_memory_equal(a, b, SHA256_DIGEST);
	hashq_free(q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_agree),
		cmocka_unit_test(test_hashq),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
