/* nbdattach: TCP connection, kernel attach and the reconnect supervisor (see nbd.h). */
#include "blockdev/nbd.h"
#include "blockdev/nbdkern.h"
#include "blockdev/nbdproto.h"
#include "util/errbuf.h"
#include "util/clock.h"
#include "util/daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define NBD_CONNECT_TIMEOUT_MS 5000    /* one TCP connect attempt */
#define NBD_HANDSHAKE_TIMEOUT_MS 10000 /* one whole handshake */
#define NBD_BACKOFF_MIN_MS 250
#define NBD_BACKOFF_MAX_MS 5000
#define NBD_DEV_WAIT_MS 3000           /* for devtmpfs to show /dev/nbdN */
#define NBD_MAX_ADDRS 8
#define NBD_KERNEL_MAX_BS 4096         /* the kernel's logical block size limit (PAGE_SIZE) */
#define NBD_DEFAULT_BS 512
#define NBD_KEEPIDLE_S 15              /* TCP keepalive: notice a silently vanished server */
#define NBD_KEEPINTVL_S 5
#define NBD_KEEPCNT 4
#define NBD_SUP_REPORT_EVERY 10        /* supervisor: report every Nth failed reconnect */

__attribute__((format(printf, 4, 5)))
static void event(event_fn ev, void *ctx, int level, const char *fmt, ...)
{
	char line[320];
	va_list ap;

	if (!ev)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	ev(ctx, level, line);
}

static void sleep_ms(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&t, &t) < 0 && errno == EINTR)
		;
}

/* ---- addresses and TCP ---- */

struct addrs {
	struct sockaddr_storage a[NBD_MAX_ADDRS];
	socklen_t len[NBD_MAX_ADDRS];
	int n;
};

static int resolve(const struct nbd_spec *s, struct addrs *out, char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV }, *res, *ai;
	char port[8];
	int rc;

	snprintf(port, sizeof(port), "%u", (unsigned)s->port);
	out->n = 0;
	rc = getaddrinfo(s->host, port, &hints, &res);
	if (rc) {
		seterr(err, errlen, "cannot resolve NBD server '%s': %s", s->host, gai_strerror(rc));
		return rc == EAI_SYSTEM ? -errno : -EHOSTUNREACH;
	}
	for (ai = res; ai && out->n < NBD_MAX_ADDRS; ai = ai->ai_next) {
		if (ai->ai_addrlen > sizeof(out->a[0]))
			continue;
		memcpy(&out->a[out->n], ai->ai_addr, ai->ai_addrlen);
		out->len[out->n++] = ai->ai_addrlen;
	}
	freeaddrinfo(res);
	if (!out->n) {
		seterr(err, errlen, "NBD server '%s' has no usable address", s->host);
		return -EHOSTUNREACH;
	}
	return 0;
}

static void tune_socket(int fd)
{
	int one = 1, idle = NBD_KEEPIDLE_S, intvl = NBD_KEEPINTVL_S, cnt = NBD_KEEPCNT;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
}

/* Connect to one address within timeout_ms; returns a blocking fd or -errno. */
static int connect_one(const struct sockaddr *sa, socklen_t len, unsigned timeout_ms)
{
	struct pollfd p;
	int fd, rc, soerr = 0;
	socklen_t sl = sizeof(soerr);

	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, sa, len) < 0) {
		if (errno != EINPROGRESS) {
			rc = -errno;
			goto err_close;
		}
		p = (struct pollfd){ .fd = fd, .events = POLLOUT };
		do
			rc = poll(&p, 1, (int)timeout_ms);
		while (rc < 0 && errno == EINTR);
		if (rc == 0) {
			rc = -ETIMEDOUT;
			goto err_close;
		}
		if (rc < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0) {
			rc = -errno;
			goto err_close;
		}
		if (soerr) {
			rc = -soerr;
			goto err_close;
		}
	}
	/* The kernel's NBD driver reads and writes this socket itself: make it blocking. */
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	tune_socket(fd);
	return fd;
err_close:
	close(fd);
	return rc;
}

static int connect_addrs(const struct addrs *a, unsigned timeout_ms)
{
	int rc = -EHOSTUNREACH;

	for (int i = 0; i < a->n; i++) {
		rc = connect_one((const struct sockaddr *)&a->a[i], a->len[i], timeout_ms);
		if (rc >= 0)
			return rc;
	}
	return rc;
}

int nbd_connect_tcp(const struct nbd_spec *s, unsigned timeout_ms, char *err, size_t errlen)
{
	struct addrs a;
	int rc;

	if ((rc = resolve(s, &a, err, errlen)))
		return rc;
	rc = connect_addrs(&a, timeout_ms);
	if (rc < 0)
		seterr(err, errlen, "cannot connect to NBD server %s port %u: %s", s->host, (unsigned)s->port, strerror(-rc));
	return rc;
}

/* ---- attach ---- */

static int choose_block_size(const struct nbd_spec *s, const struct nbd_export *x, char *err, size_t errlen)
{
	uint32_t bs = s->block_size ? s->block_size : NBD_DEFAULT_BS;

	if (!s->block_size && x->block_min > bs)
		bs = x->block_min;
	if (bs > NBD_KERNEL_MAX_BS) {
		seterr(err, errlen, "export needs a block size of %u bytes; the kernel supports at most %u", bs, NBD_KERNEL_MAX_BS);
		return -EINVAL;
	}
	if (x->block_min && bs < x->block_min) {
		seterr(err, errlen, "bs=%u is below the server's minimum block size %u", bs, x->block_min);
		return -EINVAL;
	}
	return (int)bs;
}

static void fill_config(const struct nbd_spec *s, const struct nbd_export *x, int bs, char *backend,
			size_t blen, struct nbdk_config *c)
{
	int n = snprintf(backend, blen, "netinit:");

	nbd_spec_describe(s, backend + n, blen - (size_t)n);
	*c = (struct nbdk_config){
		.size = x->size,
		.block_size = (uint64_t)bs,
		.io_timeout_s = s->io_timeout_s,
		.dead_timeout_s = s->dead_timeout_s,
		.tflags = x->tflags,
		.backend = backend,
	};
}

static int connect_retryable(int rc)
{
	return rc == -ECONNREFUSED || rc == -EHOSTUNREACH || rc == -ENETUNREACH || rc == -ETIMEDOUT ||
	       rc == -ECONNRESET || rc == -ENETDOWN || rc == -EHOSTDOWN || rc == -EADDRNOTAVAIL;
}

static int wait_dev(const char *dev)
{
	long long end = (long long)mono_ms() + NBD_DEV_WAIT_MS;
	struct stat st;

	while (stat(dev, &st) < 0 || !S_ISBLK(st.st_mode)) {
		if ((long long)mono_ms() >= end)
			return -ENOENT;
		sleep_ms(20);
	}
	return 0;
}

/* Fallback for kernels without the netlink family: a child sits in NBD_DO_IT. */
static int attach_ioctl(int sock, const struct nbdk_config *c, int *index, char *err, size_t errlen)
{
	int devfd, idx = -1;
	pid_t pid;

	devfd = nbdk_ioctl_setup(sock, c, &idx);
	if (devfd < 0) {
		seterr(err, errlen, "configuring an NBD device with ioctls: %s", strerror(-devfd));
		return devfd;
	}
	fflush(NULL); /* or the child would write the caller's buffered output again */
	pid = fork();
	if (pid < 0) {
		int rc = -errno;
		close(devfd);
		seterr(err, errlen, "fork for NBD_DO_IT: %s", strerror(-rc));
		return rc;
	}
	if (pid == 0) {
		char name[32];
		snprintf(name, sizeof(name), "@netinit-nbd%d", idx);
		daemon_detach(&devfd, 1, true);
		daemon_set_cmdline(name);
		_exit(nbdk_ioctl_do_it(devfd) ? 1 : 0);
	}
	close(devfd);
	*index = idx;
	return 0;
}

int nbd_attach(const struct nbd_spec *s, unsigned timeout_ms, char *dev_out, size_t devlen,
	       struct nbd_export *info, event_fn ev, void *evctx, char *err, size_t errlen)
{
	long long deadline = (long long)mono_ms() + timeout_ms;
	long backoff = NBD_BACKOFF_MIN_MS;
	struct nbdk_genl g = { .fd = -1 };
	struct nbdk_config c;
	struct addrs a;
	char backend[NBD_SPEC_HOST_MAX + NBD_SPEC_EXPORT_MAX + 32];
	int sock = -1, rc, bs, attempt = 0;

	if (err && errlen)
		err[0] = '\0';
	memset(info, 0, sizeof(*info));
	info->dev_index = -1;
	for (;;) {
		long long left = deadline - (long long)mono_ms();
		unsigned step = left <= 0 ? 1 : left < NBD_CONNECT_TIMEOUT_MS ? (unsigned)left : NBD_CONNECT_TIMEOUT_MS;

		attempt++;
		rc = resolve(s, &a, err, errlen);
		if (!rc) {
			sock = connect_addrs(&a, step);
			rc = sock < 0 ? sock : 0;
			if (rc)
				seterr(err, errlen, "cannot connect to NBD server %s port %u: %s (after %d attempt%s)",
				       s->host, (unsigned)s->port, strerror(-rc), attempt, attempt > 1 ? "s" : "");
		}
		if (!rc)
			break;
		if (!connect_retryable(rc) || (long long)mono_ms() + backoff >= deadline)
			return rc;
		event(ev, evctx, EV_WARN, "%s port %u: %s; retrying in %ld ms", s->host,
		      (unsigned)s->port, strerror(-rc), backoff);
		sleep_ms(backoff);
		backoff = backoff * 2 > NBD_BACKOFF_MAX_MS ? NBD_BACKOFF_MAX_MS : backoff * 2;
	}
	event(ev, evctx, EV_DEBUG, "connected to %s port %u, handshake for export '%s'",
	      s->host, (unsigned)s->port, s->export_name);
	if ((rc = nbd_handshake_fd(sock, s->export_name, NBD_HANDSHAKE_TIMEOUT_MS, info, err, errlen)))
		goto err_sock;
	if ((bs = choose_block_size(s, info, err, errlen)) < 0) {
		rc = bs;
		goto err_sock;
	}
	fill_config(s, info, bs, backend, sizeof(backend), &c);
	rc = nbdk_genl_open(&g);
	if (rc == -ENOENT) {
		event(ev, evctx, EV_WARN, "kernel has no \"nbd\" netlink family; using the ioctl path (no reconnect)");
		if ((rc = attach_ioctl(sock, &c, &info->dev_index, err, errlen)))
			goto err_sock;
		info->via_netlink = 0;
	} else if (rc) {
		seterr(err, errlen, "opening generic netlink for NBD: %s", strerror(-rc));
		goto err_sock;
	} else {
		rc = nbdk_connect(&g, sock, &c, &info->dev_index);
		nbdk_genl_close(&g);
		if (rc) {
			seterr(err, errlen, "NBD_CMD_CONNECT for export '%s': %s", s->export_name, strerror(-rc));
			goto err_sock;
		}
		info->via_netlink = 1;
	}
	close(sock); /* the kernel holds its own reference */
	snprintf(dev_out, devlen, "/dev/nbd%d", info->dev_index);
	if (wait_dev(dev_out)) {
		seterr(err, errlen, "%s did not appear after attaching export '%s'", dev_out, s->export_name);
		return -ENOENT;
	}
	event(ev, evctx, EV_INFO, "%s is export '%s' on %s port %u, %llu bytes%s, block size %d, via %s",
	      dev_out, s->export_name, s->host, (unsigned)s->port, (unsigned long long)info->size,
	      info->read_only ? " (read-only)" : "", bs, info->via_netlink ? "netlink" : "ioctl");
	return 0;
err_sock:
	close(sock);
	return rc;
}

/* ---- supervisor ---- */

struct sup {
	struct nbd_spec spec;
	struct nbd_export info;
	struct addrs addrs;
	struct nbdk_config cfg;
	char backend[NBD_SPEC_HOST_MAX + NBD_SPEC_EXPORT_MAX + 32];
	event_fn ev;
	void *evctx;
};

/* One reconnect: returns 0 done, 1 retry later, -errno give up. */
static int sup_try(struct sup *s, int attempt)
{
	struct nbd_export x;
	struct nbdk_genl g;
	char err[256];
	int fd, rc, report = attempt == 1 || attempt % NBD_SUP_REPORT_EVERY == 0;

	fd = connect_addrs(&s->addrs, NBD_CONNECT_TIMEOUT_MS);
	if (fd < 0) {
		if (report)
			event(s->ev, s->evctx, EV_WARN, "nbd%d: reconnect attempt %d to %s port %u: %s",
			      s->info.dev_index, attempt, s->spec.host, (unsigned)s->spec.port, strerror(-fd));
		return 1;
	}
	rc = nbd_handshake_fd(fd, s->spec.export_name, NBD_HANDSHAKE_TIMEOUT_MS, &x, err, sizeof(err));
	if (rc) {
		if (report)
			event(s->ev, s->evctx, EV_WARN, "nbd%d: reconnect attempt %d: %s", s->info.dev_index, attempt, err);
		close(fd);
		return 1;
	}
	if (x.size != s->info.size) {
		if (report)
			event(s->ev, s->evctx, EV_ERR, "nbd%d: export '%s' is now %llu bytes, was %llu: refusing a different image",
			      s->info.dev_index, s->spec.export_name, (unsigned long long)x.size,
			      (unsigned long long)s->info.size);
		close(fd);
		return 1;
	}
	rc = nbdk_genl_open(&g);
	if (!rc) {
		rc = nbdk_reconfigure(&g, s->info.dev_index, fd, &s->cfg);
		nbdk_genl_close(&g);
	}
	close(fd);
	if (rc == 0) {
		event(s->ev, s->evctx, EV_INFO, "nbd%d: reconnected to %s port %u after %d attempt%s",
		      s->info.dev_index, s->spec.host, (unsigned)s->spec.port, attempt, attempt > 1 ? "s" : "");
		return 0;
	}
	if (rc == -ENOSPC) {
		/* no dead connection to replace: the link is already alive again */
		return 0;
	}
	if (report)
		event(s->ev, s->evctx, EV_WARN, "nbd%d: NBD_CMD_RECONFIGURE: %s", s->info.dev_index, strerror(-rc));
	return 1;
}

static void sup_reconnect(struct sup *s)
{
	long backoff = NBD_BACKOFF_MIN_MS;

	for (int attempt = 1;; attempt++) {
		if (sup_try(s, attempt) <= 0)
			return;
		sleep_ms(backoff);
		backoff = backoff * 2 > NBD_BACKOFF_MAX_MS ? NBD_BACKOFF_MAX_MS : backoff * 2;
	}
}

static void sup_main(struct sup *s, struct nbdk_genl *g)
{
	for (;;) {
		int idx = -1, rc = nbdk_wait_link_dead(g, -1, &idx);

		if (rc == -ENOBUFS) {
			/* events were lost: check our link by trying a reconnect */
			idx = s->info.dev_index;
			rc = 1;
		} else if (rc < 0) {
			sleep_ms(1000);
			continue;
		}
		if (rc == 1 && idx == s->info.dev_index) {
			event(s->ev, s->evctx, EV_WARN, "nbd%d: link to %s port %u is dead; reconnecting",
			      idx, s->spec.host, (unsigned)s->spec.port);
			sup_reconnect(s);
		}
	}
}

int nbd_supervise_spawn(const struct nbd_spec *spec, const struct nbd_export *info,
			event_fn ev, void *evctx, pid_t *pid_out, char *err, size_t errlen)
{
	static struct sup s; /* the child's copy is what it uses */
	struct nbdk_genl g;
	char name[32];
	pid_t pid;
	int rc;

	if (info->dev_index < 0 || !info->via_netlink) {
		seterr(err, errlen, "the reconnect supervisor needs a device attached over netlink");
		return -EINVAL;
	}
	memset(&s, 0, sizeof(s));
	s.spec = *spec;
	s.info = *info;
	s.ev = ev;
	s.evctx = evctx;
	if ((rc = resolve(spec, &s.addrs, err, errlen)))
		return rc;
	fill_config(spec, info, NBD_DEFAULT_BS, s.backend, sizeof(s.backend), &s.cfg);
	if ((rc = nbdk_genl_open(&g))) {
		seterr(err, errlen, "opening generic netlink for the NBD supervisor: %s", strerror(-rc));
		return rc;
	}
	if ((rc = nbdk_subscribe(&g))) {
		seterr(err, errlen, "joining NBD multicast group \"%s\": %s", NBD_GENL_MCAST, strerror(-rc));
		goto err_close;
	}
	fflush(NULL); /* or the child would write the caller's buffered output again */
	pid = fork();
	if (pid < 0) {
		rc = -errno;
		seterr(err, errlen, "fork for the NBD supervisor: %s", strerror(-rc));
		goto err_close;
	}
	if (pid == 0) {
		snprintf(name, sizeof(name), "@netinit-nbd%d", info->dev_index);
		daemon_detach(&g.fd, 1, true);
		if ((rc = daemon_set_cmdline(name)))
			event(ev, evctx, EV_WARN, "nbd%d: cannot rename the supervisor to %s (%s); systemd may stop it at shutdown",
			      info->dev_index, name, strerror(-rc));
		sup_main(&s, &g);
		_exit(0);
	}
	nbdk_genl_close(&g);
	if (pid_out)
		*pid_out = pid;
	return 0;
err_close:
	nbdk_genl_close(&g);
	return rc;
}

int nbd_detach(int index, char *err, size_t errlen)
{
	struct nbdk_genl g;
	int rc;

	if (index < 0) {
		seterr(err, errlen, "nbd%d: no such device", index);
		return -EINVAL;
	}
	if ((rc = nbdk_genl_open(&g)) == 0) {
		rc = nbdk_disconnect(&g, index);
		nbdk_genl_close(&g);
		if (rc == 0)
			return 0;
	}
	/* no netlink family, or a device attached with the ioctls */
	if (nbdk_ioctl_disconnect(index) == 0)
		return 0;
	seterr(err, errlen, "disconnect /dev/nbd%d: %s", index, strerror(-rc));
	return rc;
}
