/* Table tests for the NBD client handshake (blockdev/nbd.c): server byte sequences in hex. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>

#include "blockdev/nbd.h"
#include "blockdev/nbdproto.h"

/* ---- a scripted server: reads come from a byte buffer, writes are recorded ---- */
struct script {
	unsigned char in[70000];
	size_t in_len, in_pos;
	unsigned char out[8192];
	size_t out_len;
};

static int s_read(void *ctx, void *buf, size_t len)
{
	struct script *s = ctx;
	if (s->in_len - s->in_pos < len) {
		s->in_pos = s->in_len;
		return -ECONNRESET;
	}
	memcpy(buf, s->in + s->in_pos, len);
	s->in_pos += len;
	return 0;
}

static int s_write(void *ctx, const void *buf, size_t len)
{
	struct script *s = ctx;
	if (sizeof(s->out) - s->out_len < len)
		return -ENOSPC;
	memcpy(s->out + s->out_len, buf, len);
	s->out_len += len;
	return 0;
}

/* Append hex digits (spaces ignored) to buf. */
static size_t unhex(const char *hex, unsigned char *buf, size_t cap)
{
	size_t n = 0;
	int hi = -1;
	for (; *hex; hex++) {
		int v = 0;
		if (*hex == ' ')
			continue;
		if (*hex >= '0' && *hex <= '9') v = *hex - '0';
		else if (*hex >= 'a' && *hex <= 'f') v = *hex - 'a' + 10;
		else if (*hex >= 'A' && *hex <= 'F') v = *hex - 'A' + 10;
		else fail_msg("bad hex digit '%c'", *hex);
		if (hi < 0) { hi = v; continue; }
		assert_true(n < cap);
		buf[n++] = (unsigned char)(hi << 4 | v);
		hi = -1;
	}
	assert_true(hi < 0);
	return n;
}

/* ---- wire pieces ---- */
#define MAGIC "4e42444d41474943 "
#define IHAVEOPT "49484156454f5054 "
#define GREET_FIXED_NOZ MAGIC IHAVEOPT "0003 "   /* FIXED_NEWSTYLE | NO_ZEROES */
#define GREET_FIXED MAGIC IHAVEOPT "0001 "
#define GREET_UNFIXED MAGIC IHAVEOPT "0000 "
#define REP "0003e889045565a9 "
#define GO "00000007 "
#define R_INFO(len) REP GO "00000003 " len " "
#define INFO_EXPORT_1M_RW R_INFO("0000000c") "0000 0000000000100000 0001 "
#define INFO_EXPORT_1M_RO R_INFO("0000000c") "0000 0000000000100000 0003 "
#define INFO_BLOCK(min, pref, max) R_INFO("0000000e") "0003 " min " " pref " " max " "
#define ACK REP GO "00000001 00000000 "
#define ERR(type, len) REP GO type " " len " "
#define Z16 "00000000000000000000000000000000"
#define ZEROES124 Z16 Z16 Z16 Z16 Z16 Z16 Z16 "0000000000000000000000000000"

struct row {
	const char *server;   /* hex */
	const char *name;     /* export name */
	int rc;               /* expected return */
	const char *needle;   /* in err when rc != 0 */
	uint64_t size;        /* when rc == 0 */
	uint16_t tflags;
	int used_go;
	uint32_t bmin;
};

static void check(const char *file, int line, const struct row *r)
{
	static struct script s;
	struct nbd_io io = { s_read, s_write, &s };
	struct nbd_export x;
	char err[256] = "";
	int rc;

	memset(&s, 0, sizeof(s));
	s.in_len = unhex(r->server, s.in, sizeof(s.in));
	rc = nbd_handshake(&io, r->name, &x, err, sizeof(err));
	if (rc != r->rc)
		fail_msg("%s:%d: rc %d, expected %d (err: %s)", file, line, rc, r->rc, err);
	if (rc) {
		if (!err[0] || !strstr(err, r->needle) || strchr(err, '\n'))
			fail_msg("%s:%d: err '%s' lacks '%s'", file, line, err, r->needle);
		return;
	}
	if (x.size != r->size || x.tflags != r->tflags || x.used_go != r->used_go || x.block_min != r->bmin)
		fail_msg("%s:%d: size %llu flags 0x%x go %d bmin %u", file, line,
			 (unsigned long long)x.size, x.tflags, x.used_go, x.block_min);
	if (x.read_only != !!(r->tflags & NBD_TFLAG_READ_ONLY))
		fail_msg("%s:%d: read_only %d", file, line, x.read_only);
}
#define ROW(...) check(__FILE__, __LINE__, &(const struct row){ __VA_ARGS__ })
/* A row that must fail: no export fields to compare. */
#define BAD(srv, name, rc, needle) ROW(srv, name, rc, needle, 0, 0, 0, 0)

static void test_good(void **state)
{
	(void)state;
	ROW(GREET_FIXED_NOZ INFO_EXPORT_1M_RW ACK, "root", 0, "", 1 << 20, 1, 1, 0);
	ROW(GREET_FIXED_NOZ INFO_EXPORT_1M_RO ACK, "root", 0, "", 1 << 20, 3, 1, 0);
	/* block sizes, a name and a description reply are accepted in any order */
	ROW(GREET_FIXED_NOZ R_INFO("00000006") "0001 72 6f 6f 74" INFO_BLOCK("00000200", "00001000", "02000000")
	    R_INFO("00000002") "0002" INFO_EXPORT_1M_RW ACK, "root", 0, "", 1 << 20, 1, 1, 512);
	/* NBD_REP_ERR_UNSUP -> NBD_OPT_EXPORT_NAME, without NO_ZEROES: 124 zero bytes follow */
	ROW(GREET_FIXED ERR("80000001", "00000000") "0000000000200000 0001 " ZEROES124, "x", 0, "", 2 << 20, 1, 0, 0);
	/* the error reply may carry a message */
	ROW(GREET_FIXED_NOZ ERR("80000001", "00000003") "6e6f21" "0000000000200000 0001", "x", 0, "", 2 << 20, 1, 0, 0);
	/* an unfixed newstyle server gets NBD_OPT_EXPORT_NAME directly */
	ROW(GREET_UNFIXED "0000000000300000 0001 " ZEROES124, "", 0, "", 3 << 20, 1, 0, 0);
	/* largest accepted size */
	ROW(GREET_FIXED_NOZ R_INFO("0000000c") "0000 1000000000000000 0001" ACK, "r", 0, "", 1ULL << 60, 1, 1, 0);
}

static void test_hostile(void **state)
{
	(void)state;
	BAD("", "r", -ECONNRESET, "greeting");
	BAD("4e42444d4147", "r", -ECONNRESET, "greeting");
	BAD("0000000000000000 " IHAVEOPT "0003", "r", -EPROTO, "NBDMAGIC");
	BAD("485454502f312e31 2034303020426164 2f31", "r", -EPROTO, "is this an NBD server");
	BAD(MAGIC "0000420281861253 0000", "r", -EPROTONOSUPPORT, "oldstyle");
	BAD(MAGIC "1122334455667788 0003", "r", -EPROTO, "IHAVEOPT");
	/* truncated option reply */
	BAD(GREET_FIXED_NOZ "0003e8890455", "r", -ECONNRESET, "reply to NBD_OPT_GO");
	BAD(GREET_FIXED_NOZ R_INFO("0000000c") "0000 00000000", "r", -ECONNRESET, "NBD_REP_INFO");
	/* bad reply magic, wrong option, huge length */
	BAD(GREET_FIXED_NOZ "0003e889045565aa " GO "00000001 00000000", "r", -EPROTO, "magic");
	BAD(GREET_FIXED_NOZ REP "00000001 00000001 00000000", "r", -EPROTO, "answered option 1");
	BAD(GREET_FIXED_NOZ REP GO "00000003 7fffffff", "r", -EPROTO, "-byte option reply");
	/* unknown reply type */
	BAD(GREET_FIXED_NOZ REP GO "00000042 00000000", "r", -EPROTO, "unknown reply type 0x00000042");
	/* malformed INFO payloads */
	BAD(GREET_FIXED_NOZ R_INFO("00000001") "00", "r", -EPROTO, "at least 2");
	BAD(GREET_FIXED_NOZ R_INFO("0000000b") "0000 00000000001000 0001", "r", -EPROTO, "NBD_INFO_EXPORT of 11");
	BAD(GREET_FIXED_NOZ R_INFO("0000000d") "0003 00000200 00001000 000200", "r", -EPROTO, "NBD_INFO_BLOCK_SIZE of 13");
	BAD(GREET_FIXED_NOZ INFO_BLOCK("00000300", "00001000", "02000000"), "r", -EPROTO, "invalid block sizes");
	BAD(GREET_FIXED_NOZ INFO_BLOCK("00001000", "00000200", "02000000"), "r", -EPROTO, "invalid block sizes");
	BAD(GREET_FIXED_NOZ INFO_BLOCK("00000000", "00000200", "02000000"), "r", -EPROTO, "invalid block sizes");
	BAD(GREET_FIXED_NOZ INFO_BLOCK("00000200", "00001000", "00000800"), "r", -EPROTO, "invalid block sizes");
	/* ACK problems */
	BAD(GREET_FIXED_NOZ ACK, "r", -EPROTO, "without sending NBD_INFO_EXPORT");
	BAD(GREET_FIXED_NOZ INFO_EXPORT_1M_RW REP GO "00000001 00000004 00000000", "r", -EPROTO, "NBD_REP_ACK with 4");
	/* huge, zero size; missing HAS_FLAGS */
	BAD(GREET_FIXED_NOZ R_INFO("0000000c") "0000 ffffffffffffffff 0001" ACK, "r", -EFBIG, "18446744073709551615");
	BAD(GREET_FIXED_NOZ R_INFO("0000000c") "0000 1000000000000001 0001" ACK, "r", -EFBIG, "export size");
	BAD(GREET_FIXED_NOZ R_INFO("0000000c") "0000 0000000000000000 0001" ACK, "r", -EPROTO, "empty");
	BAD(GREET_FIXED_NOZ R_INFO("0000000c") "0000 0000000000100000 0000" ACK, "r", -EPROTO, "HAS_FLAGS");
	/* error replies */
	BAD(GREET_FIXED_NOZ ERR("80000006", "00000000"), "wrong", -ENOENT, "no export named 'wrong'");
	BAD(GREET_FIXED_NOZ ERR("80000006", "00000005") "6e6f0a7065", "wrong", -ENOENT, "no?pe");
	BAD(GREET_FIXED_NOZ ERR("80000002", "00000000"), "r", -EACCES, "NBD_REP_ERR_POLICY");
	BAD(GREET_FIXED_NOZ ERR("80000005", "00000000"), "r", -EACCES, "TLS");
	BAD(GREET_FIXED_NOZ ERR("80000007", "00000000"), "r", -ESHUTDOWN, "NBD_REP_ERR_SHUTDOWN");
	BAD(GREET_FIXED_NOZ ERR("800000ff", "00000000"), "r", -EPROTO, "0x800000ff");
	BAD(GREET_FIXED_NOZ ERR("80000006", "00001000") "6e6f", "r", -ECONNRESET, "error reply");
	/* EXPORT_NAME fallback: hang-up means no such export; bad padding; truncated */
	BAD(GREET_FIXED ERR("80000001", "00000000"), "nope", -ENOENT, "after NBD_OPT_EXPORT_NAME 'nope'");
	BAD(GREET_FIXED ERR("80000001", "00000000") "0000000000200000 0001 01" ZEROES124, "x", -EPROTO, "padding");
	BAD(GREET_FIXED ERR("80000001", "00000000") "0000000000200000 0001 0000", "x", -ECONNRESET, "zero bytes");
}

static void test_endless_replies(void **state)
{
	static char hex[200000];
	size_t n;

	(void)state;
	n = (size_t)snprintf(hex, sizeof(hex), "%s", GREET_FIXED_NOZ);
	for (int i = 0; i < NBD_MAX_REPLIES + 2; i++)
		n += (size_t)snprintf(hex + n, sizeof(hex) - n, "%s", R_INFO("00000002") "0001");
	BAD(hex, "r", -EPROTO, "more than 64 replies");
}

static void test_client_bytes(void **state)
{
	static struct script s;
	struct nbd_io io = { s_read, s_write, &s };
	struct nbd_export x;
	char err[256];
	unsigned char want[64];
	size_t n;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.in_len = unhex(GREET_FIXED_NOZ INFO_EXPORT_1M_RW ACK, s.in, sizeof(s.in));
	assert_int_equal(nbd_handshake(&io, "root", &x, err, sizeof(err)), 0);
	/* client flags, then IHAVEOPT, NBD_OPT_GO, len 12, name len 4, "root", 1 request: BLOCK_SIZE */
	n = unhex("00000003" IHAVEOPT "00000007 0000000c 00000004 726f6f74 0001 0003", want, sizeof(want));
	assert_int_equal(s.out_len, n);
	assert_memory_equal(s.out, want, n);

	memset(&s, 0, sizeof(s));
	s.in_len = unhex(GREET_UNFIXED "0000000000300000 0001 " ZEROES124, s.in, sizeof(s.in));
	assert_int_equal(nbd_handshake(&io, "ab", &x, err, sizeof(err)), 0);
	n = unhex("00000000" IHAVEOPT "00000001 00000002 6162", want, sizeof(want));
	assert_int_equal(s.out_len, n);
	assert_memory_equal(s.out, want, n);
}

static void test_long_name(void **state)
{
	static struct script s;
	struct nbd_io io = { s_read, s_write, &s };
	struct nbd_export x;
	static char name[5000];
	char err[128];

	(void)state;
	memset(&s, 0, sizeof(s));
	memset(name, 'n', sizeof(name) - 1);
	assert_int_equal(nbd_handshake(&io, name, &x, err, sizeof(err)), -ENAMETOOLONG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_endless_replies),
		cmocka_unit_test(test_client_bytes),
		cmocka_unit_test(test_long_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
