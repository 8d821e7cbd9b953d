/* Unit tests: util/netlink builds messages byte for byte as the kernel's uapi lays them out,
 * walks replies without leaving the datagram, and its request loop (against a real
 * NETLINK_ROUTE socket) ends at the ACK, the error or NLMSG_DONE. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "util/netlink.h"

static void test_build(void **state)
{
	struct nlu_msg m;
	struct ifinfomsg *ifi;
	struct nlmsghdr h;
	struct nlattr a;
	size_t nest;

	(void)state;
	ifi = nlu_init(&m, RTM_NEWLINK, NLM_F_ACK, NULL, sizeof(*ifi));
	ifi->ifi_index = 7;
	assert_int_equal(m.len, 16 + 16);
	nlu_put_str(&m, IFLA_IFNAME, "ens3");		/* 4 + 5 -> 12 */
	assert_int_equal(m.len, 32 + 12);
	nest = nlu_nest_start(&m, IFLA_LINKINFO | NLA_F_NESTED);
	nlu_put_u16(&m, 1, 0x1234);			/* 4 + 2 -> 8 */
	nlu_nest_end(&m, nest);
	assert_int_equal(m.len, 44 + 4 + 8);
	memcpy(&a, m.b + nest, sizeof(a));
	assert_int_equal(a.nla_len, 12);
	assert_int_equal(a.nla_type, IFLA_LINKINFO | NLA_F_NESTED);
	memcpy(&h, m.b, sizeof(h));
	assert_int_equal(h.nlmsg_type, RTM_NEWLINK);
	assert_int_equal(h.nlmsg_flags, NLM_F_ACK | NLM_F_REQUEST);
	assert_int_equal(m.b[32 + 4], 'e');
	assert_int_equal(m.b[32 + 8], '\0');
	assert_false(m.overflow);
}

static void test_overflow(void **state)
{
	static unsigned char big[NLU_MSG_MAX];
	struct nlu_msg m;
	int fd;

	(void)state;
	nlu_init(&m, RTM_NEWLINK, 0, NULL, 16);
	nlu_put(&m, 1, big, sizeof(big));
	assert_true(m.overflow);
	assert_int_equal(m.len, 32);	/* nothing was written */
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		skip();
	assert_int_equal(nlu_request(fd, &m, 1, NULL, NULL, 1000), -EMSGSIZE);
	close(fd);
}

struct seen {
	unsigned n;
	size_t lens[8];
	uint16_t types[8];
};

static void count_attr(void *ctx, uint16_t type, const unsigned char *d, size_t len)
{
	struct seen *s = ctx;

	(void)d;
	if (s->n < 8) {
		s->types[s->n] = type;
		s->lens[s->n] = len;
	}
	s->n++;
}

static void test_attr_walk(void **state)
{
	/* one good attribute (type 3, 2 bytes), then one claiming 200 bytes of 8 */
	unsigned char b[16] = { 6, 0, 3, 0x80, 'a', 'b', 0, 0, 200, 0, 4, 0, 1, 2, 3, 4 };
	struct seen s = { 0 };

	(void)state;
	nlu_attr_walk(b, sizeof(b), count_attr, &s);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.types[0], 3);	/* NLA_F_NESTED stripped */
	assert_int_equal(s.lens[0], 2);
	/* an attribute shorter than its header ends the walk */
	memset(&s, 0, sizeof(s));
	b[0] = 2;
	nlu_attr_walk(b, sizeof(b), count_attr, &s);
	assert_int_equal(s.n, 0);
}

static void count_msg(void *ctx, uint16_t type, uint32_t seq, const unsigned char *p, size_t len)
{
	struct seen *s = ctx;

	(void)p;
	(void)seq;
	if (s->n < 8) {
		s->types[s->n] = type;
		s->lens[s->n] = len;
	}
	s->n++;
}

static void test_walk(void **state)
{
	unsigned char b[64] = { 0 };
	struct nlmsghdr h = { .nlmsg_len = 20, .nlmsg_type = 16 };
	struct seen s = { 0 };

	(void)state;
	memcpy(b, &h, sizeof(h));
	h.nlmsg_len = 100;		/* the second claims more than is left */
	h.nlmsg_type = 17;
	memcpy(b + 20, &h, sizeof(h));
	nlu_walk(b, 40, count_msg, &s);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.types[0], 16);
	assert_int_equal(s.lens[0], 4);
}

struct links {
	unsigned n;
	int lo_seen;
};

static int on_link(void *ctx, const struct nlmsghdr *h)
{
	struct links *l = ctx;
	const struct ifinfomsg *ifi = NLMSG_DATA(h);

	if (h->nlmsg_type != RTM_NEWLINK || h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
		return -EPROTO;
	l->n++;
	if (ifi->ifi_type == 772)	/* ARPHRD_LOOPBACK */
		l->lo_seen = 1;
	return 0;
}

static int stop_at_first(void *ctx, const struct nlmsghdr *h)
{
	(void)ctx;
	(void)h;
	return -ECANCELED;
}

/* against the kernel: a dump ends at NLMSG_DONE, an ACKed request at its error */
static void test_request_kernel(void **state)
{
	struct nlu_msg m;
	struct ifinfomsg *ifi;
	struct links l = { 0 };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

	(void)state;
	if (fd < 0)
		skip();
	ifi = nlu_init(&m, RTM_GETLINK, NLM_F_DUMP, NULL, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	assert_int_equal(nlu_request(fd, &m, 10, on_link, &l, 5000), 0);
	assert_true(l.n >= 1);
	assert_true(l.lo_seen);
	/* the callback's error ends the request, and the next one still works */
	nlu_init(&m, RTM_GETLINK, NLM_F_DUMP, NULL, sizeof(*ifi));
	assert_int_equal(nlu_request(fd, &m, 11, stop_at_first, NULL, 5000), -ECANCELED);
	/* a link that does not exist: the kernel's -ENODEV comes back */
	ifi = nlu_init(&m, RTM_GETLINK, NLM_F_ACK, NULL, sizeof(*ifi));
	ifi->ifi_index = 0x7ffffff0;
	assert_int_equal(nlu_request(fd, &m, 12, NULL, NULL, 5000), -ENODEV);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_attr_walk),
		cmocka_unit_test(test_walk),
		cmocka_unit_test(test_request_kernel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
