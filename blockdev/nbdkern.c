/* nbdkern: generic netlink and ioctl glue for the kernel's NBD driver (see nbdkern.h). */
#include "blockdev/nbdkern.h"
#include "blockdev/nbdproto.h"
#include "util/netlink.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/genetlink.h>

/* generic netlink (include/uapi/linux/genetlink.h): the controller resolves "nbd" */
#define GENL_ID_CTRL_ 0x10
#define CTRL_CMD_GETFAMILY_ 3
#define CTRL_ATTR_FAMILY_ID_ 1
#define CTRL_ATTR_FAMILY_NAME_ 2
#define CTRL_ATTR_MCAST_GROUPS_ 7
#define CTRL_ATTR_MCAST_GRP_NAME_ 1
#define CTRL_ATTR_MCAST_GRP_ID_ 2

struct genl_hdr {
	uint8_t cmd;       /* NBDK_CMD_* / CTRL_CMD_* */
	uint8_t version;   /* family version */
	uint16_t reserved; /* zero */
};

static void msg_init(struct nlu_msg *m, uint16_t type, uint8_t cmd, uint8_t version)
{
	struct genl_hdr g = { .cmd = cmd, .version = version };

	nlu_init(m, type, NLM_F_ACK, &g, sizeof(g));
}

/* A genl reply: its attributes, after the genl header, go to the walker in ctx. */
struct genl_walk {
	nlu_attr_fn fn;
	void *ctx;
};

static int genl_reply(void *ctx, const struct nlmsghdr *h)
{
	struct genl_walk *w = ctx;
	size_t len;
	const unsigned char *p = nlu_payload(h, sizeof(struct genl_hdr), &len);

	if (p)
		nlu_attr_walk(p, len, w->fn, w->ctx);
	return 0;
}

/* Send m and wait for the ACK; fn sees the attributes of the replies before it. */
static int genl_request(struct nbdk_genl *g, struct nlu_msg *m, nlu_attr_fn fn, void *ctx)
{
	struct genl_walk w = { .fn = fn, .ctx = ctx };

	return nlu_request(g->fd, m, ++g->seq, fn ? genl_reply : NULL, &w, NLU_TIMEOUT_MS);
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
	nlu_attr_walk(d, len, grp_attr, f);
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
		nlu_attr_walk(d, len, grp_list, f);
	}
}

int nbdk_genl_open(struct nbdk_genl *g)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	static struct nlu_msg m;
	struct fam_ctx f = { .g = g };
	int rc;

	memset(g, 0, sizeof(*g));
	g->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (g->fd < 0)
		return -errno;
	if (bind(g->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		rc = -errno;
		goto err_close;
	}
	g->seq = 1;
	msg_init(&m, GENL_ID_CTRL_, CTRL_CMD_GETFAMILY_, 1);
	nlu_put_str(&m, CTRL_ATTR_FAMILY_NAME_, NBD_GENL_FAMILY);
	rc = genl_request(g, &m, fam_attr, &f);
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

static void put_sockets(struct nlu_msg *m, int sock)
{
	size_t socks = nlu_nest_start(m, NBDK_ATTR_SOCKETS | NLA_F_NESTED);
	size_t item = nlu_nest_start(m, NBDK_SOCK_ITEM | NLA_F_NESTED);

	nlu_put_u32(m, NBDK_SOCK_FD, (uint32_t)sock);
	nlu_nest_end(m, item);
	nlu_nest_end(m, socks);
}

static void put_backend(struct nlu_msg *m, const char *backend)
{
	if (backend && *backend)
		nlu_put_str(m, NBDK_ATTR_BACKEND_IDENTIFIER, backend);
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
	static struct nlu_msg m;
	int idx = -1, rc;

	msg_init(&m, g->family, NBDK_CMD_CONNECT, NBD_GENL_VERSION_1);
	nlu_put_u64(&m, NBDK_ATTR_SIZE_BYTES, c->size);
	nlu_put_u64(&m, NBDK_ATTR_BLOCK_SIZE_BYTES, c->block_size);
	nlu_put_u64(&m, NBDK_ATTR_SERVER_FLAGS, c->tflags);
	if (c->io_timeout_s)
		nlu_put_u64(&m, NBDK_ATTR_TIMEOUT, c->io_timeout_s);
	if (c->dead_timeout_s)
		nlu_put_u64(&m, NBDK_ATTR_DEAD_CONN_TIMEOUT, c->dead_timeout_s);
	put_backend(&m, c->backend);
	put_sockets(&m, sock);
	if ((rc = genl_request(g, &m, index_attr, &idx)))
		return rc;
	if (idx < 0)
		return -EPROTO;
	*index = idx;
	return 0;
}

int nbdk_reconfigure(struct nbdk_genl *g, int index, int sock, const struct nbdk_config *c)
{
	static struct nlu_msg m;

	msg_init(&m, g->family, NBDK_CMD_RECONFIGURE, NBD_GENL_VERSION_1);
	nlu_put_u32(&m, NBDK_ATTR_INDEX, (uint32_t)index);
	if (c->io_timeout_s)
		nlu_put_u64(&m, NBDK_ATTR_TIMEOUT, c->io_timeout_s);
	if (c->dead_timeout_s)
		nlu_put_u64(&m, NBDK_ATTR_DEAD_CONN_TIMEOUT, c->dead_timeout_s);
	put_backend(&m, c->backend);
	put_sockets(&m, sock);
	return genl_request(g, &m, NULL, NULL);
}

int nbdk_disconnect(struct nbdk_genl *g, int index)
{
	static struct nlu_msg m;

	msg_init(&m, g->family, NBDK_CMD_DISCONNECT, NBD_GENL_VERSION_1);
	nlu_put_u32(&m, NBDK_ATTR_INDEX, (uint32_t)index);
	return genl_request(g, &m, NULL, NULL);
}

int nbdk_subscribe(struct nbdk_genl *g)
{
	if (!g->mcast)
		return -ENOENT;
	if (setsockopt(g->fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &g->mcast, sizeof(g->mcast)) < 0)
		return -errno;
	return 0;
}

struct dead_ctx {
	uint16_t family;
	int index;
};

static void dead_msg(void *ctx, uint16_t type, uint32_t seq, const unsigned char *p, size_t len)
{
	struct dead_ctx *d = ctx;
	struct genl_hdr gh;

	(void)seq;
	if (type != d->family || len < sizeof(gh) || d->index >= 0)
		return;
	memcpy(&gh, p, sizeof(gh));
	if (gh.cmd == NBDK_CMD_LINK_DEAD)
		nlu_attr_walk(p + sizeof(gh), len - sizeof(gh), index_attr, &d->index);
}

int nbdk_wait_link_dead(struct nbdk_genl *g, int timeout_ms, int *index)
{
	static unsigned char buf[NLU_RECV_MAX] __attribute__((aligned(4)));
	struct pollfd p = { .fd = g->fd, .events = POLLIN };
	struct dead_ctx d = { .family = g->family, .index = -1 };
	ssize_t n;
	int r = poll(&p, 1, timeout_ms);

	if (r < 0)
		return errno == EINTR ? 0 : -errno;
	if (r == 0)
		return 0;
	n = recv(g->fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n < 0)
		return (errno == EINTR || errno == EAGAIN) ? 0 : -errno;
	nlu_walk(buf, (size_t)n, dead_msg, &d);
	if (d.index < 0)
		return 0;
	*index = d.index;
	return 1;
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

int nbdk_ioctl_disconnect(int index)
{
	char path[32];
	int fd, rc = 0;

	snprintf(path, sizeof(path), "/dev/nbd%d", index);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, _IO(NBD_IOCTL_TYPE, NBD_IOC_DISCONNECT)) < 0)
		rc = -errno;
	close(fd);
	return rc;
}
