#include "util/netlink.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <time.h>

#define ALIGN4(n) (((n) + 3u) & ~(size_t)3u)

void *nlu_init(struct nlu_msg *m, uint16_t type, uint16_t flags, const void *fam, size_t hdrlen)
{
	struct nlmsghdr h = { .nlmsg_type = type, .nlmsg_flags = (uint16_t)(flags | NLM_F_REQUEST) };

	memset(m->b, 0, sizeof(h) + ALIGN4(hdrlen));
	memcpy(m->b, &h, sizeof(h));
	if (fam && hdrlen)
		memcpy(m->b + sizeof(h), fam, hdrlen);
	m->len = sizeof(h) + ALIGN4(hdrlen);
	m->overflow = false;
	return m->b + sizeof(h);
}

size_t nlu_put(struct nlu_msg *m, uint16_t type, const void *data, size_t len)
{
	struct nlattr a = { .nla_len = (uint16_t)(sizeof(a) + len), .nla_type = type };
	size_t at = m->len;

	if (len > 0xffff - sizeof(a) || m->len + ALIGN4(sizeof(a) + len) > sizeof(m->b)) {
		m->overflow = true;
		return at;
	}
	memcpy(m->b + at, &a, sizeof(a));
	if (len)
		memcpy(m->b + at + sizeof(a), data, len);
	memset(m->b + at + sizeof(a) + len, 0, ALIGN4(sizeof(a) + len) - sizeof(a) - len);
	m->len += ALIGN4(sizeof(a) + len);
	return at;
}

size_t nlu_put_u8(struct nlu_msg *m, uint16_t type, uint8_t v) { return nlu_put(m, type, &v, sizeof(v)); }
size_t nlu_put_u16(struct nlu_msg *m, uint16_t type, uint16_t v) { return nlu_put(m, type, &v, sizeof(v)); }
size_t nlu_put_u32(struct nlu_msg *m, uint16_t type, uint32_t v) { return nlu_put(m, type, &v, sizeof(v)); }
size_t nlu_put_u64(struct nlu_msg *m, uint16_t type, uint64_t v) { return nlu_put(m, type, &v, sizeof(v)); }
size_t nlu_put_str(struct nlu_msg *m, uint16_t type, const char *s) { return nlu_put(m, type, s, strlen(s) + 1); }

size_t nlu_nest_start(struct nlu_msg *m, uint16_t type)
{
	return nlu_put(m, type, NULL, 0);
}

void nlu_nest_end(struct nlu_msg *m, size_t at)
{
	struct nlattr a;

	if (m->overflow || m->len - at > 0xffff)
		return;
	memcpy(&a, m->b + at, sizeof(a));
	a.nla_len = (uint16_t)(m->len - at);
	memcpy(m->b + at, &a, sizeof(a));
}

void nlu_attr_walk(const unsigned char *p, size_t len, nlu_attr_fn fn, void *ctx)
{
	while (len >= sizeof(struct nlattr)) {
		struct nlattr a;

		memcpy(&a, p, sizeof(a));
		if (a.nla_len < sizeof(a) || a.nla_len > len)
			return;
		fn(ctx, a.nla_type & NLA_TYPE_MASK, p + sizeof(a), a.nla_len - sizeof(a));
		if (ALIGN4(a.nla_len) >= len)
			return;
		p += ALIGN4(a.nla_len);
		len -= ALIGN4(a.nla_len);
	}
}

void nlu_walk(const unsigned char *buf, size_t n, nlu_msg_fn fn, void *ctx)
{
	size_t off = 0;

	while (n - off >= sizeof(struct nlmsghdr)) {
		struct nlmsghdr h;

		memcpy(&h, buf + off, sizeof(h));
		if (h.nlmsg_len < sizeof(h) || h.nlmsg_len > n - off)
			return;
		fn(ctx, h.nlmsg_type, h.nlmsg_seq, buf + off + sizeof(h), h.nlmsg_len - sizeof(h));
		if (ALIGN4(h.nlmsg_len) >= n - off)
			return;
		off += ALIGN4(h.nlmsg_len);
	}
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const unsigned char *nlu_payload(const struct nlmsghdr *h, size_t hdrlen, size_t *len)
{
	size_t skip = NLMSG_HDRLEN + NLMSG_ALIGN(hdrlen);

	if (h->nlmsg_len < skip)
		return NULL;
	*len = h->nlmsg_len - skip;
	return (const unsigned char *)h + skip;
}

struct req_state {
	uint32_t seq;
	nlu_reply_fn fn;
	void *ctx;
	bool done;
	int rc, fn_rc;
};

static void on_reply(void *ctx, uint16_t type, uint32_t seq, const unsigned char *p, size_t len)
{
	struct req_state *s = ctx;
	int32_t err;
	int rc;

	if (s->done || seq != s->seq)
		return;		/* an event, or a late answer to an earlier request */
	if (type == NLMSG_ERROR) {
		s->done = true;
		if (len < sizeof(err)) {
			s->rc = -EPROTO;
			return;
		}
		memcpy(&err, p, sizeof(err));
		s->rc = err > 0 ? -EPROTO : err;	/* 0 = ACK */
		return;
	}
	if (type == NLMSG_DONE) {
		s->done = true;
		s->rc = 0;
		return;
	}
	if (type == NLMSG_NOOP || type == NLMSG_OVERRUN || !s->fn || s->fn_rc < 0)
		return;
	/* p follows the header inside the (4-aligned) datagram: the whole message is there */
	rc = s->fn(s->ctx, (const struct nlmsghdr *)(const void *)(p - NLMSG_HDRLEN));
	if (rc < 0)
		s->fn_rc = rc;
}

int nlu_request(int fd, struct nlu_msg *m, uint32_t seq, nlu_reply_fn fn, void *ctx, int timeout_ms)
{
	static unsigned char buf[NLU_RECV_MAX] __attribute__((aligned(4)));
	struct sockaddr_nl to = { .nl_family = AF_NETLINK }, from;
	struct req_state s = { .seq = seq, .fn = fn, .ctx = ctx };
	struct nlmsghdr h;
	long long deadline = now_ms() + timeout_ms;

	if (m->overflow)
		return -EMSGSIZE;
	memcpy(&h, m->b, sizeof(h));
	h.nlmsg_len = (uint32_t)m->len;
	h.nlmsg_seq = seq;
	memcpy(m->b, &h, sizeof(h));
	if (sendto(fd, m->b, m->len, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		return -errno;
	while (!s.done) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long long left = deadline - now_ms();
		socklen_t fl = sizeof(from);
		ssize_t n;
		int r;

		if (left <= 0)
			return -ETIMEDOUT;
		r = poll(&p, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -ETIMEDOUT;
		n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC, (struct sockaddr *)&from, &fl);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		if ((size_t)n > sizeof(buf))
			return -EPROTO;		/* truncated: the rest of the answer is lost */
		if (fl < sizeof(from) || from.nl_family != AF_NETLINK || from.nl_pid != 0)
			continue;		/* only the kernel answers */
		nlu_walk(buf, (size_t)n, on_reply, &s);
	}
	return s.rc < 0 ? s.rc : s.fn_rc;
}
