/*
 * Netlink, the one place for it: a message builder (header, family header, attributes,
 * nests) and one request/reply loop, for rtnetlink (net/link.c) and generic netlink
 * (blockdev/nbdkern.c). What comes back is bounded like any input: a timeout, only the
 * kernel as sender, only our sequence number, every length checked against the datagram,
 * a truncated datagram refused. No libmnl: this is the whole of what netinit needs from it.
 */
#ifndef NETINIT_UTIL_NETLINK_H
#define NETINIT_UTIL_NETLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NLU_MSG_MAX	8192	/* the largest request we build */
#define NLU_RECV_MAX	32768	/* one datagram of replies (dumps come a page or two at a time) */
#define NLU_TIMEOUT_MS	5000	/* the kernel answers at once; this bounds a bug, not a network */

struct nlu_msg {
	union {
		unsigned char b[NLU_MSG_MAX];
		uint32_t align_;
	};
	size_t len;
	bool overflow;		/* an attribute did not fit: nlu_request() refuses to send */
};

/* Start a message: netlink header (type, flags; NLM_F_REQUEST is added) and hdrlen bytes of
 * family header (ifinfomsg, genlmsghdr...) copied from fam (zeros if NULL). Returns a
 * pointer to the family header in m, for the caller to fill. */
void *nlu_init(struct nlu_msg *m, uint16_t type, uint16_t flags, const void *fam, size_t hdrlen);

/* Append an attribute; returns its offset in m (for nlu_nest_end). */
size_t nlu_put(struct nlu_msg *m, uint16_t type, const void *data, size_t len);
size_t nlu_put_u8(struct nlu_msg *m, uint16_t type, uint8_t v);
size_t nlu_put_u16(struct nlu_msg *m, uint16_t type, uint16_t v);
size_t nlu_put_u32(struct nlu_msg *m, uint16_t type, uint32_t v);
size_t nlu_put_u64(struct nlu_msg *m, uint16_t type, uint64_t v);
size_t nlu_put_str(struct nlu_msg *m, uint16_t type, const char *s);	/* with its NUL */
size_t nlu_nest_start(struct nlu_msg *m, uint16_t type);		/* NLA_F_NESTED is the caller's */
void nlu_nest_end(struct nlu_msg *m, size_t at);

/* Call fn for each attribute in [p, p + len) (type without the NLA_F_* bits); stops at the
 * first malformed one (shorter than its header or longer than what is left). */
typedef void (*nlu_attr_fn)(void *ctx, uint16_t type, const unsigned char *data, size_t len);
void nlu_attr_walk(const unsigned char *p, size_t len, nlu_attr_fn fn, void *ctx);

/* Every message of one datagram in [buf, buf + n): fn gets the header's type, seq and the
 * payload after the netlink header. Stops at the first malformed length. Used for replies
 * and for multicast events alike. */
typedef void (*nlu_msg_fn)(void *ctx, uint16_t type, uint32_t seq, const unsigned char *payload, size_t len);
void nlu_walk(const unsigned char *buf, size_t n, nlu_msg_fn fn, void *ctx);

/* Send m with sequence number seq to the kernel and read replies until the request ends:
 * the ACK or error (NLMSG_ERROR: 0 or its -errno) or, for a dump, NLMSG_DONE (0). Every
 * other reply of ours goes to fn (may be NULL): the whole message, its length checked
 * against the datagram (NLMSG_DATA() and h->nlmsg_len may be used; nlu_payload() gives the
 * bytes after a family header). -ETIMEDOUT after timeout_ms without the end, -EMSGSIZE for
 * an overflowed m, -EPROTO for a malformed or truncated reply, or fn's first negative
 * return (the rest of the reply is read and dropped). */
struct nlmsghdr;
typedef int (*nlu_reply_fn)(void *ctx, const struct nlmsghdr *h);
int nlu_request(int fd, struct nlu_msg *m, uint32_t seq, nlu_reply_fn fn, void *ctx, int timeout_ms);

/* The bytes of h after its netlink header and a family header of hdrlen bytes (the
 * attributes): *len gets their length; NULL when h is shorter than the two headers. */
const unsigned char *nlu_payload(const struct nlmsghdr *h, size_t hdrlen, size_t *len);

#endif
