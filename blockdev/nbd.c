/* nbd: the client handshake (see nbd.h and nbdproto.h). */
#include "blockdev/nbd.h"
#include "blockdev/nbdproto.h"
#include "util/errbuf.h"

#include <endian.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define NBD_NAME_MAX 4096	/* proto.md: strings are at most 4096 bytes */
#define NBD_MSG_KEEP 160	/* bytes of a server error message quoted in err */

static const char *io_why(int rc)
{
	switch (rc) {
	case -ECONNRESET: return "server closed the connection";
	case -ETIMEDOUT: return "server did not answer in time";
	default: return strerror(-rc);
	}
}

static int put_opt(const struct nbd_io *io, uint32_t option, const void *data, uint32_t len)
{
	struct nbd_wire_opt h = {
		.magic = htobe64(NBD_MAGIC_IHAVEOPT),
		.option = htobe32(option),
		.len = htobe32(len),
	};
	int rc = io->write(io->ctx, &h, sizeof(h));

	if (!rc && len)
		rc = io->write(io->ctx, data, len);
	return rc;
}

/* Read and drop n bytes. */
static int skip(const struct nbd_io *io, uint32_t n)
{
	char buf[512];
	int rc;

	while (n) {
		uint32_t k = n < sizeof(buf) ? n : (uint32_t)sizeof(buf);
		if ((rc = io->read(io->ctx, buf, k)))
			return rc;
		n -= k;
	}
	return 0;
}

/* Copy printable ASCII of a server message, replacing anything else by '?'. */
static void sanitize(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			*s = '?';
}

static int is_pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

static const char *rep_err_name(uint32_t type)
{
	switch (type) {
	case NBD_REP_ERR_UNSUP: return "NBD_REP_ERR_UNSUP";
	case NBD_REP_ERR_POLICY: return "NBD_REP_ERR_POLICY";
	case NBD_REP_ERR_INVALID: return "NBD_REP_ERR_INVALID";
	case NBD_REP_ERR_PLATFORM: return "NBD_REP_ERR_PLATFORM";
	case NBD_REP_ERR_TLS_REQD: return "NBD_REP_ERR_TLS_REQD";
	case NBD_REP_ERR_UNKNOWN: return "NBD_REP_ERR_UNKNOWN";
	case NBD_REP_ERR_SHUTDOWN: return "NBD_REP_ERR_SHUTDOWN";
	case NBD_REP_ERR_BLOCK_SIZE_REQD: return "NBD_REP_ERR_BLOCK_SIZE_REQD";
	case NBD_REP_ERR_TOO_BIG: return "NBD_REP_ERR_TOO_BIG";
	default: return "unknown error";
	}
}

/* Map an error reply to -errno and one line. */
static int rep_error(uint32_t type, const char *msg, const char *name, char *err, size_t errlen)
{
	const char *sep = *msg ? ": " : "";
	int rc;

	switch (type) {
	case NBD_REP_ERR_UNKNOWN:
		if (!*name) {
			seterr(err, errlen, "server has no default export (NBD_REP_ERR_UNKNOWN%s%s); name the export", sep, msg);
			return -ENOENT;
		}
		seterr(err, errlen, "server has no export named '%s' (NBD_REP_ERR_UNKNOWN%s%s); check the export name", name, sep, msg);
		return -ENOENT;
	case NBD_REP_ERR_POLICY:
		rc = -EACCES;
		break;
	case NBD_REP_ERR_TLS_REQD:
		seterr(err, errlen, "server requires TLS for export '%s' (%s%s%s); netinit speaks plain NBD only", name, rep_err_name(type), sep, msg);
		return -EACCES;
	case NBD_REP_ERR_SHUTDOWN:
		rc = -ESHUTDOWN;
		break;
	default:
		rc = -EPROTO;
		break;
	}
	seterr(err, errlen, "server refused export '%s' with %s (0x%08x)%s%s", name, rep_err_name(type), type, sep, msg);
	return rc;
}

static int check_block_sizes(const struct nbd_export *x, char *err, size_t errlen)
{
	if (!is_pow2(x->block_min) || x->block_min > 65536 ||
	    !is_pow2(x->block_pref) || x->block_pref < x->block_min || x->block_pref > (32u << 20) ||
	    x->block_max < x->block_pref || (x->block_max != UINT32_MAX && x->block_max % x->block_min)) {
		seterr(err, errlen, "server sent invalid block sizes min=%u preferred=%u max=%u; expected powers of two with min <= preferred <= max",
		       x->block_min, x->block_pref, x->block_max);
		return -EPROTO;
	}
	return 0;
}

/* The rest of a fixed-size NBD_INFO_* payload of len bytes into info (its 2-byte type is read). */
static int info_rest(const struct nbd_io *io, void *info, size_t size, uint32_t len, const char *what,
		     char *err, size_t errlen)
{
	int rc;

	if (len != size) {
		seterr(err, errlen, "server sent %s of %u bytes; expected %zu", what, len, size);
		return -EPROTO;
	}
	if ((rc = io->read(io->ctx, (char *)info + sizeof(uint16_t), size - sizeof(uint16_t)))) {
		seterr(err, errlen, "reading an NBD_REP_INFO reply: %s", io_why(rc));
		return rc;
	}
	return 0;
}

/* Read one NBD_REP_INFO payload of len bytes (len >= 2 checked by the caller). */
static int read_info(const struct nbd_io *io, uint32_t len, struct nbd_export *out, int *got_export,
		     char *err, size_t errlen)
{
	uint16_t type_be;
	int rc;

	if ((rc = io->read(io->ctx, &type_be, sizeof(type_be))))
		goto err_io;
	switch (be16toh(type_be)) {
	case NBD_INFO_EXPORT: {
		struct nbd_wire_info_export e;
		if ((rc = info_rest(io, &e, sizeof(e), len, "NBD_INFO_EXPORT", err, errlen)))
			return rc;
		out->size = be64toh(e.size);
		out->tflags = be16toh(e.tflags);
		*got_export = 1;
		return 0;
	}
	case NBD_INFO_BLOCK_SIZE: {
		struct nbd_wire_info_block b;
		if ((rc = info_rest(io, &b, sizeof(b), len, "NBD_INFO_BLOCK_SIZE", err, errlen)))
			return rc;
		out->block_min = be32toh(b.min);
		out->block_pref = be32toh(b.pref);
		out->block_max = be32toh(b.max);
		return check_block_sizes(out, err, errlen);
	}
	default:
		/* NBD_INFO_NAME, NBD_INFO_DESCRIPTION and future types: not needed. */
		if ((rc = skip(io, len - sizeof(type_be))))
			goto err_io;
		return 0;
	}
err_io:
	seterr(err, errlen, "reading an NBD_REP_INFO reply: %s", io_why(rc));
	return rc;
}

/*
 * NBD_OPT_GO. Returns 0 on success, 1 when the server does not support it (fall back),
 * else -errno.
 */
static int opt_go(const struct nbd_io *io, const char *name, struct nbd_export *out, char *err, size_t errlen)
{
	uint32_t nlen = (uint32_t)strlen(name);
	unsigned char req[4 + NBD_NAME_MAX + 4];
	uint32_t nlen_be = htobe32(nlen);
	uint16_t nreq_be = htobe16(1), info_be = htobe16(NBD_INFO_BLOCK_SIZE);
	int got_export = 0, rc;

	memcpy(req, &nlen_be, 4);
	memcpy(req + 4, name, nlen);
	memcpy(req + 4 + nlen, &nreq_be, 2);
	memcpy(req + 6 + nlen, &info_be, 2);
	if ((rc = put_opt(io, NBD_OPT_GO, req, 8 + nlen))) {
		seterr(err, errlen, "sending NBD_OPT_GO: %s", io_why(rc));
		return rc;
	}
	for (int n = 0; n < NBD_MAX_REPLIES; n++) {
		struct nbd_wire_opt_reply r;
		uint32_t type, len, option;

		if ((rc = io->read(io->ctx, &r, sizeof(r)))) {
			seterr(err, errlen, "reading the reply to NBD_OPT_GO for export '%s': %s", name, io_why(rc));
			return rc;
		}
		type = be32toh(r.type);
		len = be32toh(r.len);
		option = be32toh(r.option);
		if (be64toh(r.magic) != NBD_MAGIC_OPT_REPLY) {
			seterr(err, errlen, "bad option reply magic 0x%016llx; expected 0x%016llx",
			       (unsigned long long)be64toh(r.magic), (unsigned long long)NBD_MAGIC_OPT_REPLY);
			return -EPROTO;
		}
		if (option != NBD_OPT_GO) {
			seterr(err, errlen, "server answered option %u; expected a reply to NBD_OPT_GO (%u)", option, NBD_OPT_GO);
			return -EPROTO;
		}
		if (len > NBD_MAX_REPLY_LEN) {
			seterr(err, errlen, "server announced a %u-byte option reply; at most %u expected", len, NBD_MAX_REPLY_LEN);
			return -EPROTO;
		}
		if (type & NBD_REP_FLAG_ERROR) {
			char msg[NBD_MSG_KEEP + 1];
			uint32_t keep = len < NBD_MSG_KEEP ? len : NBD_MSG_KEEP;

			if ((rc = io->read(io->ctx, msg, keep)) || (rc = skip(io, len - keep))) {
				seterr(err, errlen, "reading the error reply to NBD_OPT_GO: %s", io_why(rc));
				return rc;
			}
			msg[keep] = '\0';
			sanitize(msg);
			if (type == NBD_REP_ERR_UNSUP)
				return 1;
			return rep_error(type, msg, name, err, errlen);
		}
		switch (type) {
		case NBD_REP_INFO:
			if (len < 2) {
				seterr(err, errlen, "server sent an NBD_REP_INFO of %u bytes; expected at least 2", len);
				return -EPROTO;
			}
			if ((rc = read_info(io, len, out, &got_export, err, errlen)))
				return rc;
			break;
		case NBD_REP_ACK:
			if (len != 0) {
				seterr(err, errlen, "server sent an NBD_REP_ACK with %u bytes of data; expected none", len);
				return -EPROTO;
			}
			if (!got_export) {
				seterr(err, errlen, "server acknowledged NBD_OPT_GO without sending NBD_INFO_EXPORT (size and flags)");
				return -EPROTO;
			}
			out->used_go = 1;
			return 0;
		default:
			seterr(err, errlen, "server sent unknown reply type 0x%08x to NBD_OPT_GO; expected NBD_REP_INFO (3) or NBD_REP_ACK (1)", type);
			return -EPROTO;
		}
	}
	seterr(err, errlen, "server sent more than %d replies to NBD_OPT_GO without NBD_REP_ACK", NBD_MAX_REPLIES);
	return -EPROTO;
}

static int opt_export_name(const struct nbd_io *io, const char *name, int no_zeroes, struct nbd_export *out,
			   char *err, size_t errlen)
{
	struct nbd_wire_export_name_reply r;
	unsigned char pad[NBD_EXPORT_NAME_ZEROES];
	int rc;

	if ((rc = put_opt(io, NBD_OPT_EXPORT_NAME, name, (uint32_t)strlen(name)))) {
		seterr(err, errlen, "sending NBD_OPT_EXPORT_NAME: %s", io_why(rc));
		return rc;
	}
	if ((rc = io->read(io->ctx, &r, sizeof(r)))) {
		if (rc == -ECONNRESET) {
			seterr(err, errlen, "server closed the connection after NBD_OPT_EXPORT_NAME '%s': no export by that name, or access denied", name);
			return -ENOENT;
		}
		seterr(err, errlen, "reading the reply to NBD_OPT_EXPORT_NAME '%s': %s", name, io_why(rc));
		return rc;
	}
	if (!no_zeroes) {
		if ((rc = io->read(io->ctx, pad, sizeof(pad)))) {
			seterr(err, errlen, "reading the %d zero bytes after the export size: %s", NBD_EXPORT_NAME_ZEROES, io_why(rc));
			return rc;
		}
		for (size_t i = 0; i < sizeof(pad); i++)
			if (pad[i]) {
				seterr(err, errlen, "byte %zu of the padding after the export size is 0x%02x; expected zero", i, pad[i]);
				return -EPROTO;
			}
	}
	out->size = be64toh(r.size);
	out->tflags = be16toh(r.tflags);
	out->used_go = 0;
	return 0;
}

int nbd_handshake(const struct nbd_io *io, const char *export_name, struct nbd_export *out,
		  char *err, size_t errlen)
{
	struct nbd_wire_greeting g;
	uint16_t hflags;
	uint32_t cflags = 0, cflags_be;
	const char *name = export_name ? export_name : "";
	int rc;

	memset(out, 0, sizeof(*out));
	out->dev_index = -1;
	if (err && errlen)
		err[0] = '\0';
	if (strlen(name) > NBD_NAME_MAX) {
		seterr(err, errlen, "export name is %zu bytes; at most %d allowed", strlen(name), NBD_NAME_MAX);
		return -ENAMETOOLONG;
	}
	if ((rc = io->read(io->ctx, &g, sizeof(g)))) {
		seterr(err, errlen, "reading the server greeting: %s", io_why(rc));
		return rc;
	}
	if (be64toh(g.magic) != NBD_MAGIC_INIT) {
		seterr(err, errlen, "server greeting starts with 0x%016llx; expected NBDMAGIC 0x%016llx (is this an NBD server?)",
		       (unsigned long long)be64toh(g.magic), (unsigned long long)NBD_MAGIC_INIT);
		return -EPROTO;
	}
	if (be64toh(g.newstyle) == NBD_MAGIC_OLDSTYLE) {
		seterr(err, errlen, "server uses the oldstyle handshake (no export names); netinit needs a newstyle server");
		return -EPROTONOSUPPORT;
	}
	if (be64toh(g.newstyle) != NBD_MAGIC_IHAVEOPT) {
		seterr(err, errlen, "server greeting has 0x%016llx after NBDMAGIC; expected IHAVEOPT 0x%016llx",
		       (unsigned long long)be64toh(g.newstyle), (unsigned long long)NBD_MAGIC_IHAVEOPT);
		return -EPROTO;
	}
	hflags = be16toh(g.hflags);
	if (hflags & NBD_HFLAG_FIXED_NEWSTYLE)
		cflags |= NBD_CFLAG_FIXED_NEWSTYLE;
	if (hflags & NBD_HFLAG_NO_ZEROES)
		cflags |= NBD_CFLAG_NO_ZEROES;
	cflags_be = htobe32(cflags);
	if ((rc = io->write(io->ctx, &cflags_be, sizeof(cflags_be)))) {
		seterr(err, errlen, "sending client flags: %s", io_why(rc));
		return rc;
	}
	/* Unfixed newstyle servers may hang up on an unknown option: only EXPORT_NAME is safe. */
	rc = 1;
	if (cflags & NBD_CFLAG_FIXED_NEWSTYLE)
		rc = opt_go(io, name, out, err, errlen);
	if (rc == 1)
		rc = opt_export_name(io, name, !!(cflags & NBD_CFLAG_NO_ZEROES), out, err, errlen);
	if (rc)
		return rc;
	if (!(out->tflags & NBD_TFLAG_HAS_FLAGS)) {
		seterr(err, errlen, "server's transmission flags 0x%04x lack NBD_FLAG_HAS_FLAGS (bit 0)", out->tflags);
		return -EPROTO;
	}
	if (out->size == 0) {
		seterr(err, errlen, "export '%s' is empty (size 0)", name);
		return -EPROTO;
	}
	if (out->size > NBD_MAX_EXPORT_SIZE) {
		seterr(err, errlen, "server announced an export size of %llu bytes; at most %llu accepted",
		       (unsigned long long)out->size, (unsigned long long)NBD_MAX_EXPORT_SIZE);
		return -EFBIG;
	}
	out->read_only = !!(out->tflags & NBD_TFLAG_READ_ONLY);
	return 0;
}

/* ---- fd transport with one deadline for the whole handshake ---- */

struct fd_io {
	int fd;
	struct timespec deadline; /* CLOCK_MONOTONIC */
};

static int ms_left(const struct timespec *deadline)
{
	struct timespec now;
	long long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (deadline->tv_sec - now.tv_sec) * 1000LL + (deadline->tv_nsec - now.tv_nsec) / 1000000;
	return ms < 0 ? 0 : ms > 0x7fffffff ? 0x7fffffff : (int)ms;
}

static int fd_wait(struct fd_io *f, short ev)
{
	struct pollfd p = { .fd = f->fd, .events = ev };
	int left, n;

	for (;;) {
		left = ms_left(&f->deadline);
		if (left == 0)
			return -ETIMEDOUT;
		n = poll(&p, 1, left);
		if (n > 0)
			return 0;
		if (n == 0)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
	}
}

static int fd_read(void *ctx, void *buf, size_t len)
{
	struct fd_io *f = ctx;
	char *p = buf;
	ssize_t n;
	int rc;

	while (len) {
		if ((rc = fd_wait(f, POLLIN)))
			return rc;
		n = recv(f->fd, p, len, MSG_DONTWAIT);
		if (n == 0)
			return -ECONNRESET;
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return errno == EPIPE ? -ECONNRESET : -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int fd_write(void *ctx, const void *buf, size_t len)
{
	struct fd_io *f = ctx;
	const char *p = buf;
	ssize_t n;
	int rc;

	while (len) {
		if ((rc = fd_wait(f, POLLOUT)))
			return rc;
		n = send(f->fd, p, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return errno == EPIPE ? -ECONNRESET : -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int nbd_handshake_fd(int fd, const char *export_name, unsigned timeout_ms, struct nbd_export *out,
		     char *err, size_t errlen)
{
	struct fd_io f = { .fd = fd };
	struct nbd_io io = { .read = fd_read, .write = fd_write, .ctx = &f };

	clock_gettime(CLOCK_MONOTONIC, &f.deadline);
	f.deadline.tv_sec += timeout_ms / 1000;
	f.deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (f.deadline.tv_nsec >= 1000000000L) {
		f.deadline.tv_sec++;
		f.deadline.tv_nsec -= 1000000000L;
	}
	return nbd_handshake(&io, export_name, out, err, errlen);
}
