/* nbdkern: generic netlink and ioctl glue for the kernel's NBD driver (see nbdkern.h). */
#include "blockdev/nbdkern.h"
#include "blockdev/nbdproto.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- netlink wire structures (include/uapi/linux/netlink.h, genetlink.h) ---- */
#define NETLINK_GENERIC_PROTO 16
#define NLMSG_TYPE_ERROR 2
#define NLMSG_TYPE_DONE 3
#define NLM_F_REQUEST_ 0x1
#define NLM_F_ACK_ 0x4
#define GENL_ID_CTRL_ 0x10
#define CTRL_CMD_GETFAMILY_ 3
#define CTRL_ATTR_FAMILY_ID_ 1
#define CTRL_ATTR_FAMILY_NAME_ 2
#define CTRL_ATTR_MCAST_GROUPS_ 7
#define CTRL_ATTR_MCAST_GRP_NAME_ 1
#define CTRL_ATTR_MCAST_GRP_ID_ 2
#define NLA_F_NESTED_ (1u << 15)
#define NLA_TYPE_MASK_ 0x3fff
#define SOL_NETLINK_ 270
#define NETLINK_ADD_MEMBERSHIP_ 1
#define NBDK_REPLY_TIMEOUT_MS 5000 /* the kernel answers at once; this only bounds a bug */

struct nl_hdr {
	uint32_t len;    /* whole message, header included */
	uint16_t type;   /* family id, or NLMSG_TYPE_* */
	uint16_t flags;  /* NLM_F_* */
	uint32_t seq;    /* our sequence number, echoed in replies */
	uint32_t pid;    /* port id, 0 = kernel */
};

struct genl_hdr {
	uint8_t cmd;       /* NBDK_CMD_* / CTRL_CMD_* */
	uint8_t version;   /* family version */
	uint16_t reserved; /* zero */
};

struct nl_attr {
	uint16_t len;   /* header + payload, not padded */
	uint16_t type;  /* attribute number, NLA_F_NESTED for nests */
};

struct sockaddr_nl_ {
	uint16_t nl_family; /* AF_NETLINK */
	uint16_t nl_pad;
	uint32_t nl_pid;    /* 0: kernel */
	uint32_t nl_groups;
};

#define NL_ALIGN(n) (((n) + 3u) & ~3u)
#define MSGBUF 8192

struct msg {
	union {
		unsigned char b[MSGBUF];
		uint32_t align_;
	};
	size_t len;
	int overflow;
};

static void msg_init(struct msg *m, uint16_t type, uint8_t cmd, uint8_t version, uint32_t seq)
{
	struct nl_hdr *h = (struct nl_hdr *)m->b;
	struct genl_hdr *g = (struct genl_hdr *)(m->b + sizeof(*h));

	memset(m->b, 0, sizeof(*h) + sizeof(*g));
	h->type = type;
	h->flags = NLM_F_REQUEST_ | NLM_F_ACK_;
	h->seq = seq;
	g->cmd = cmd;
	g->version = version;
	m->len = sizeof(*h) + sizeof(*g);
	m->overflow = 0;
}

static size_t attr_put(struct msg *m, uint16_t type, const void *data, size_t len)
{
	struct nl_attr a = { .len = (uint16_t)(sizeof(a) + len), .type = type };
	size_t at = m->len;

	if (m->len + NL_ALIGN(sizeof(a) + len) > sizeof(m->b)) {
		m->overflow = 1;
		return at;
	}
	memcpy(m->b + m->len, &a, sizeof(a));
	if (len)
		memcpy(m->b + m->len + sizeof(a), data, len);
	memset(m->b + m->len + sizeof(a) + len, 0, NL_ALIGN(sizeof(a) + len) - sizeof(a) - len);
	m->len += NL_ALIGN(sizeof(a) + len);
	return at;
}

static void attr_u32(struct msg *m, uint16_t type, uint32_t v) { attr_put(m, type, &v, sizeof(v)); }
static void attr_u64(struct msg *m, uint16_t type, uint64_t v) { attr_put(m, type, &v, sizeof(v)); }

static size_t nest_start(struct msg *m, uint16_t type)
{
	return attr_put(m, type | NLA_F_NESTED_, NULL, 0);
}

static void nest_end(struct msg *m, size_t at)
{
	struct nl_attr a;

	if (m->overflow)
		return;
	memcpy(&a, m->b + at, sizeof(a));
	a.len = (uint16_t)(m->len - at);
	memcpy(m->b + at, &a, sizeof(a));
}

/* Walk attributes in [p, p+len): calls fn for each; stops at a malformed one. */
typedef void (*attr_fn)(void *ctx, uint16_t type, const unsigned char *data, size_t len);
static void attr_walk(const unsigned char *p, size_t len, attr_fn fn, void *ctx)
{
	while (len >= sizeof(struct nl_attr)) {
		struct nl_attr a;
		memcpy(&a, p, sizeof(a));
		if (a.len < sizeof(a) || a.len > len)
			return;
		fn(ctx, a.type & NLA_TYPE_MASK_, p + sizeof(a), a.len - sizeof(a));
		if (NL_ALIGN(a.len) >= len)
			return;
		p += NL_ALIGN(a.len);
		len -= NL_ALIGN(a.len);
	}
}

static int nl_send(int fd, struct msg *m)
{
	struct sockaddr_nl_ sa = { .nl_family = AF_NETLINK };
	struct nl_hdr h;

	if (m->overflow)
		return -EMSGSIZE;
	memcpy(&h, m->b, sizeof(h));
	h.len = (uint32_t)m->len;
	memcpy(m->b, &h, sizeof(h));
	if (sendto(fd, m->b, m->len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	return 0;
}

/*
 * Receive replies to seq until the ACK (or an error). For every genl message of that seq,
 * fn is called on its attributes. Other messages (events) are skipped.
 */
static int nl_transact(int fd, uint32_t seq, attr_fn fn, void *ctx)
{
	static unsigned char buf[MSGBUF] __attribute__((aligned(4)));

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;
		size_t off = 0;
		int r = poll(&p, 1, NBDK_REPLY_TIMEOUT_MS);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -ETIMEDOUT;
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		while ((size_t)n - off >= sizeof(struct nl_hdr)) {
			struct nl_hdr h;
			memcpy(&h, buf + off, sizeof(h));
			if (h.len < sizeof(h) || h.len > (size_t)n - off)
				break;
			if (h.seq == seq) {
				if (h.type == NLMSG_TYPE_ERROR) {
					int32_t e;
					if (h.len < sizeof(h) + sizeof(e))
						return -EPROTO;
					memcpy(&e, buf + off + sizeof(h), sizeof(e));
					return e; /* 0 = ACK */
				}
				if (h.type == NLMSG_TYPE_DONE)
					return 0;
				if (fn && h.len >= sizeof(h) + sizeof(struct genl_hdr))
					attr_walk(buf + off + sizeof(h) + sizeof(struct genl_hdr),
						  h.len - sizeof(h) - sizeof(struct genl_hdr), fn, ctx);
			}
			off += NL_ALIGN(h.len);
			if (off >= (size_t)n)
				break;
		}
	}
}

/* ---- family resolution ---- */

struct fam_ctx {
	struct nbdk_genl *g;
	int got_id;
	char grp_name[32];
	uint32_t grp_id;
};

static void grp_attr(void *ctx, uint16_t type, const unsigned char *d, size_t len)
{
	struct fam_ctx *f = ctx;

	if (type == CTRL_ATTR_MCAST_GRP_NAME_) {
		size_t k = len < sizeof(f->grp_name) - 1 ? len : sizeof(f->grp_name) - 1;
		memcpy(f->grp_name, d, k);
		f->grp_name[k] = '\0';
	} else if (type == CTRL_ATTR_MCAST_GRP_ID_ && len >= 4) {
		memcpy(&f->grp_id, d, 4);
	}
}

static void grp_list(void *ctx, uint16_t type, const unsigned char *d, size_t len)
{
	struct fam_ctx *f = ctx;

	(void)type;
	f->grp_name[0] = '\0';
	f->grp_id = 0;
	attr_walk(d, len, grp_attr, f);
	if (!strcmp(f->grp_name, NBD_GENL_MCAST))
		f->g->mcast = f->grp_id;
}

static void fam_attr(void *ctx, uint16_t type, const unsigned char *d, size_t len)
{
	struct fam_ctx *f = ctx;

	if (type == CTRL_ATTR_FAMILY_ID_ && len >= 2) {
		memcpy(&f->g->family, d, 2);
		f->got_id = 1;
	} else if (type == CTRL_ATTR_MCAST_GROUPS_) {
		attr_walk(d, len, grp_list, f);
	}
}

int nbdk_genl_open(struct nbdk_genl *g)
{
	struct sockaddr_nl_ sa = { .nl_family = AF_NETLINK };
	static struct msg m;
	struct fam_ctx f = { .g = g };
	int rc;

	memset(g, 0, sizeof(*g));
	g->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC_PROTO);
	if (g->fd < 0)
		return -errno;
	if (bind(g->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		rc = -errno;
		goto err_close;
	}
	g->seq = 1;
	msg_init(&m, GENL_ID_CTRL_, CTRL_CMD_GETFAMILY_, 1, ++g->seq);
	attr_put(&m, CTRL_ATTR_FAMILY_NAME_, NBD_GENL_FAMILY, sizeof(NBD_GENL_FAMILY));
	if ((rc = nl_send(g->fd, &m)))
		goto err_close;
	rc = nl_transact(g->fd, g->seq, fam_attr, &f);
	if (rc == 0 && !f.got_id)
		rc = -ENOENT;
	if (rc)
		goto err_close;
	return 0;
err_close:
	close(g->fd);
	g->fd = -1;
	return rc;
}

void nbdk_genl_close(struct nbdk_genl *g)
{
	if (g->fd >= 0)
		close(g->fd);
	g->fd = -1;
}

/* ---- connect / reconfigure ---- */

static void put_sockets(struct msg *m, int sock)
{
	size_t socks = nest_start(m, NBDK_ATTR_SOCKETS);
	size_t item = nest_start(m, NBDK_SOCK_ITEM);

	attr_u32(m, NBDK_SOCK_FD, (uint32_t)sock);
	nest_end(m, item);
	nest_end(m, socks);
}

static void put_backend(struct msg *m, const char *backend)
{
	if (backend && *backend)
		attr_put(m, NBDK_ATTR_BACKEND_IDENTIFIER, backend, strlen(backend) + 1);
}

static void index_attr(void *ctx, uint16_t type, const unsigned char *d, size_t len)
{
	if (type == NBDK_ATTR_INDEX && len >= 4) {
		uint32_t v;
		memcpy(&v, d, 4);
		*(int *)ctx = (int)v;
	}
}

int nbdk_connect(struct nbdk_genl *g, int sock, const struct nbdk_config *c, int *index)
{
	static struct msg m;
	int idx = -1, rc;

	msg_init(&m, g->family, NBDK_CMD_CONNECT, NBD_GENL_VERSION_1, ++g->seq);
	attr_u64(&m, NBDK_ATTR_SIZE_BYTES, c->size);
	attr_u64(&m, NBDK_ATTR_BLOCK_SIZE_BYTES, c->block_size);
	attr_u64(&m, NBDK_ATTR_SERVER_FLAGS, c->tflags);
	if (c->io_timeout_s)
		attr_u64(&m, NBDK_ATTR_TIMEOUT, c->io_timeout_s);
	if (c->dead_timeout_s)
		attr_u64(&m, NBDK_ATTR_DEAD_CONN_TIMEOUT, c->dead_timeout_s);
	put_backend(&m, c->backend);
	put_sockets(&m, sock);
	if ((rc = nl_send(g->fd, &m)))
		return rc;
	if ((rc = nl_transact(g->fd, g->seq, index_attr, &idx)))
		return rc;
	if (idx < 0)
		return -EPROTO;
	*index = idx;
	return 0;
}

int nbdk_reconfigure(struct nbdk_genl *g, int index, int sock, const struct nbdk_config *c)
{
	static struct msg m;
	int rc;

	msg_init(&m, g->family, NBDK_CMD_RECONFIGURE, NBD_GENL_VERSION_1, ++g->seq);
	attr_u32(&m, NBDK_ATTR_INDEX, (uint32_t)index);
	if (c->io_timeout_s)
		attr_u64(&m, NBDK_ATTR_TIMEOUT, c->io_timeout_s);
	if (c->dead_timeout_s)
		attr_u64(&m, NBDK_ATTR_DEAD_CONN_TIMEOUT, c->dead_timeout_s);
	put_backend(&m, c->backend);
	put_sockets(&m, sock);
	if ((rc = nl_send(g->fd, &m)))
		return rc;
	return nl_transact(g->fd, g->seq, NULL, NULL);
}

int nbdk_subscribe(struct nbdk_genl *g)
{
	if (!g->mcast)
		return -ENOENT;
	if (setsockopt(g->fd, SOL_NETLINK_, NETLINK_ADD_MEMBERSHIP_, &g->mcast, sizeof(g->mcast)) < 0)
		return -errno;
	return 0;
}

int nbdk_wait_link_dead(struct nbdk_genl *g, int timeout_ms, int *index)
{
	static unsigned char buf[MSGBUF] __attribute__((aligned(4)));
	struct pollfd p = { .fd = g->fd, .events = POLLIN };
	ssize_t n;
	size_t off = 0;
	int r = poll(&p, 1, timeout_ms);

	if (r < 0)
		return errno == EINTR ? 0 : -errno;
	if (r == 0)
		return 0;
	n = recv(g->fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n < 0)
		return (errno == EINTR || errno == EAGAIN) ? 0 : -errno;
	while ((size_t)n - off >= sizeof(struct nl_hdr) + sizeof(struct genl_hdr)) {
		struct nl_hdr h;
		struct genl_hdr gh;
		memcpy(&h, buf + off, sizeof(h));
		if (h.len < sizeof(h) + sizeof(gh) || h.len > (size_t)n - off)
			break;
		memcpy(&gh, buf + off + sizeof(h), sizeof(gh));
		if (h.type == g->family && gh.cmd == NBDK_CMD_LINK_DEAD) {
			int idx = -1;
			attr_walk(buf + off + sizeof(h) + sizeof(gh), h.len - sizeof(h) - sizeof(gh), index_attr, &idx);
			if (idx >= 0) {
				*index = idx;
				return 1;
			}
		}
		off += NL_ALIGN(h.len);
	}
	return 0;
}

/* ---- ioctl fallback ---- */

#define NBDK_MAX_DEVICES 256

static int dev_is_free(int i)
{
	char path[64], buf[32] = "";
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/block/nbd%d/pid", i);
	if (access(path, F_OK) == 0)
		return 0;
	snprintf(path, sizeof(path), "/sys/block/nbd%d/size", i);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 && buf[0] == '0' && (buf[1] == '\n' || buf[1] == '\0');
}

int nbdk_ioctl_setup(int sock, const struct nbdk_config *c, int *index)
{
	char path[32];
	int i = *index, fd, rc;

	if (i < 0) {
		for (i = 0; i < NBDK_MAX_DEVICES && !dev_is_free(i); i++)
			;
		if (i == NBDK_MAX_DEVICES)
			return -EBUSY;
	}
	snprintf(path, sizeof(path), "/dev/nbd%d", i);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, _IO(NBD_IOCTL_TYPE, NBD_IOC_SET_BLKSIZE), (unsigned long)c->block_size) < 0 ||
	    ioctl(fd, _IO(NBD_IOCTL_TYPE, NBD_IOC_SET_SIZE), (unsigned long)c->size) < 0 ||
	    ioctl(fd, _IO(NBD_IOCTL_TYPE, NBD_IOC_SET_FLAGS), (unsigned long)c->tflags) < 0 ||
	    (c->io_timeout_s && ioctl(fd, _IO(NBD_IOCTL_TYPE, NBD_IOC_SET_TIMEOUT), (unsigned long)c->io_timeout_s) < 0) ||
	    ioctl(fd, _IO(NBD_IOCTL_TYPE, NBD_IOC_SET_SOCK), (unsigned long)sock) < 0) {
		rc = -errno;
		goto err_close;
	}
	*index = i;
	return fd;
err_close:
	close(fd);
	return rc;
}

int nbdk_ioctl_do_it(int devfd)
{
	int rc = 0;

	if (ioctl(devfd, _IO(NBD_IOCTL_TYPE, NBD_IOC_DO_IT)) < 0)
		rc = -errno;
	ioctl(devfd, _IO(NBD_IOCTL_TYPE, NBD_IOC_CLEAR_QUE));
	ioctl(devfd, _IO(NBD_IOCTL_TYPE, NBD_IOC_CLEAR_SOCK));
	return rc;
}
