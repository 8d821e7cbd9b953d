/*
 * nbd: the client side of an NBD root. Connects to the server, runs the fixed-newstyle
 * handshake (NBD_OPT_GO with the export name, falling back to NBD_OPT_EXPORT_NAME when the
 * server answers NBD_REP_ERR_UNSUP), hands the connected socket to the kernel over generic
 * netlink (NBD_CMD_CONNECT, family "nbd"; ioctl NBD_SET_SOCK/NBD_DO_IT only when the family
 * is missing) with an I/O and a dead-connection timeout, and optionally leaves a supervisor
 * process that re-handshakes and hands over a fresh socket (NBD_CMD_RECONFIGURE) whenever the
 * kernel reports the link dead (NBD_CMD_LINK_DEAD), so the root survives a server restart.
 *
 * The handshake is a pure function over a read/write pair (struct nbd_io), so tests and the
 * fuzzer drive it without sockets. Every server field is checked; every read is bounded by a
 * deadline. Silent: returns 0 or -errno, one line of detail in err, events via event_fn.
 */
#ifndef NETINIT_BLOCKDEV_NBD_H
#define NETINIT_BLOCKDEV_NBD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "blockdev/nbdspec.h"
#include "util/event.h"


/* What the handshake learned about the export (and, after nbd_attach, where it is). */
struct nbd_export {
	uint64_t size;          /* bytes */
	uint16_t tflags;        /* transmission flags (NBD_TFLAG_*, see nbdproto.h) */
	uint32_t block_min;     /* NBD_INFO_BLOCK_SIZE minimum, 0 if not sent */
	uint32_t block_pref;    /* preferred block size, 0 if not sent */
	uint32_t block_max;     /* maximum payload, 0 if not sent */
	int used_go;            /* 1: NBD_OPT_GO, 0: NBD_OPT_EXPORT_NAME fallback */
	int read_only;          /* server flagged the export read-only */
	int dev_index;          /* set by nbd_attach: N of /dev/nbdN, else -1 */
	int via_netlink;        /* set by nbd_attach: 1 netlink, 0 ioctl fallback */
};

/* Exact-length transfer callbacks: return 0 when all len bytes moved, else -errno
 * (-ETIMEDOUT when the deadline passed, -ECONNRESET when the peer closed). */
struct nbd_io {
	int (*read)(void *ctx, void *buf, size_t len);
	int (*write)(void *ctx, const void *buf, size_t len);
	void *ctx;
};

/* Largest export netinit accepts (2^60 bytes); a bigger size is a lying server. */
#define NBD_MAX_EXPORT_SIZE (1ULL << 60)
/* Largest option reply payload netinit reads (proto.md caps strings at 4096). */
#define NBD_MAX_REPLY_LEN 65536u
/* Most replies to one option before the server is judged to be looping. */
#define NBD_MAX_REPLIES 64

/*
 * Run the client handshake up to transmission. export_name "" means the default export.
 * Fills *out. Errors: -EPROTO (malformed or unexpected server data), -ENOENT (no such export),
 * -EACCES (policy / TLS required), -EFBIG (absurd size), -ECONNRESET, -ETIMEDOUT, ...
 */
int nbd_handshake(const struct nbd_io *io, const char *export_name, struct nbd_export *out,
		  char *err, size_t errlen);

/* The same on a connected stream socket; the whole handshake must finish within timeout_ms. */
int nbd_handshake_fd(int fd, const char *export_name, unsigned timeout_ms, struct nbd_export *out,
		     char *err, size_t errlen);

/* Resolve s->host and open a TCP connection within timeout_ms. Returns the fd or -errno. */
int nbd_connect_tcp(const struct nbd_spec *s, unsigned timeout_ms, char *err, size_t errlen);

/*
 * Connect, handshake and attach the export to a free /dev/nbdN (the nbd module must be loaded).
 * Retries connection failures (refused, unreachable, reset, timeout) with back-off until
 * timeout_ms has passed (0: one attempt); a protocol error or a missing export fails at once.
 * dev_out receives "/dev/nbdN". ev may be NULL.
 */
int nbd_attach(const struct nbd_spec *s, unsigned timeout_ms, char *dev_out, size_t devlen,
	       struct nbd_export *info, event_fn ev, void *evctx, char *err, size_t errlen);

/*
 * Fork the reconnect supervisor for /dev/nbd<info->dev_index> (only meaningful after a netlink
 * attach). The child renames its command line to "@netinit-nbd<N>" (a leading '@' tells
 * systemd's shutdown that this process serves the root storage and must not be killed; the
 * name is cut to the length of the original argv area, e.g. "@init", while comm shows
 * "@netinit-nbdN"), closes every fd but 0-2 and character devices (console, /dev/kmsg),
 * opens nothing on the old root, and loops: wait for
 * NBD_CMD_LINK_DEAD for its index, reconnect with back-off, re-handshake (the size must not
 * have changed), NBD_CMD_RECONFIGURE, forever. ev runs in the child and may only use fds 0-2
 * and character-device fds. Buffered stdio is flushed before the fork. The caller must not
 * wait for the child. *pid_out (may be NULL) gets the child's pid.
 */
int nbd_supervise_spawn(const struct nbd_spec *s, const struct nbd_export *info,
			event_fn ev, void *evctx, pid_t *pid_out, char *err, size_t errlen);

/*
 * Disconnect /dev/nbd<index> as a clean shutdown does (nbd-client -d): the kernel sends the
 * server NBD_CMD_DISC and drops the device. Netlink NBD_CMD_DISCONNECT, else the ioctl.
 * The device must no longer be in use (a file system still on it loses its writes).
 */
int nbd_detach(int index, char *err, size_t errlen);

#endif
