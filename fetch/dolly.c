/* The network half of dolly.h: the chain's sockets, the handshakes, the forwarding stream. */
#include "fetch/dolly.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "fetch/hashq.h"
#include "fetch/sink.h"
#include "util/clock.h"
#include "util/errbuf.h"

#define BUF_SIZE		(256 * 1024)	/* bytes per read of the data stream */
#define BACKFLOW_MAX		4096	/* bytes of backflow text relayed per read */
#define CONNECT_PAUSE_MS	1000	/* between connection attempts to the next host (dolly: 1 s) */
#define MSG_MAX			512
#define SUMMARY_BYTES		8	/* the image size / acknowledgement: dolly's native unsigned long long */

/* One attempt's state. */
struct chain {
	const struct dolly_opts *d;
	const struct fetch_opts *o;
	const char *url;
	struct fetch_sink *sink;
	fetch_event_fn ev;
	void *ev_ctx;
	struct hashq *hq;
	uint64_t t0_ms, last_ev_ms, idle_ms, progress_ms;
	unsigned attempt;
	int lctrl, ldata;		/* our listening sockets */
	int cin, din;			/* from the previous host */
	int cout, dout;			/* to the next host; -1 when last or no longer forwarding */
	char prev[INET_ADDRSTRLEN];
	char next[DOLLY_LINE_MAX + 1];
	char me[DOLLY_LINE_MAX + 1];
	struct dolly_config cfg;
	char raw[DOLLY_CONFIG_MAX];	/* the configuration as received, forwarded unchanged */
	size_t cfglen;
	uint8_t summary[SUMMARY_BYTES];	/* what goes up at the end: the size, or the next host's answer */
	bool next_failed;		/* the next host dropped out: no acknowledgement to relay */
	unsigned next_ready;		/* "ready" lines relayed up from the next host (what the server counts) */
	uint64_t got;			/* stream bytes received */
	bool started;
	bool retryable;			/* the failure was upstream: waiting for a new chain may help */
	char msg[MSG_MAX];
	int last_rc;			/* the last failed attempt, reported if no other chain comes */
	char last[MSG_MAX];
};

static void emit(struct chain *c, enum fetch_event_type type, const char *msg)
{
	struct fetch_event e = {
		.type = type,
		.bytes = c->got,
		.elapsed_ms = mono_ms() - c->t0_ms,
		.attempt = c->attempt,
		.msg = msg,
	};

	if (c->ev)
		c->ev(&e, c->ev_ctx);
}

static void step(struct chain *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void step(struct chain *c, const char *fmt, ...)
{
	char line[MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	emit(c, FETCH_EV_WAIT, line);
}

static void progress(struct chain *c)
{
	c->progress_ms = mono_ms();
}

/* ms left before the no-progress deadline (at least 1 while not passed), 0 when passed. */
static int left_ms(const struct chain *c)
{
	uint64_t now = mono_ms(), end = c->progress_ms + c->idle_ms;

	if (now >= end)
		return 0;
	return end - now > 0x7fffffff ? 0x7fffffff : (int)(end - now);
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Wait until fd is readable (POLLIN) or writable; 0, -ETIMEDOUT, or -errno. */
static int wait_fd(struct chain *c, int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };
	int rc;

	for (;;) {
		int ms = left_ms(c);

		if (!ms)
			return -ETIMEDOUT;
		rc = poll(&p, 1, ms);
		if (rc > 0)
			return 0;
		if (rc < 0 && errno != EINTR)
			return -errno;
	}
}

/* Read exactly n bytes; -EPIPE at end of stream, -ETIMEDOUT at the deadline. */
static int read_full(struct chain *c, int fd, void *buf, size_t n)
{
	size_t have = 0;

	while (have < n) {
		ssize_t r;
		int rc = wait_fd(c, fd, POLLIN);

		if (rc)
			return rc;
		r = recv(fd, (char *)buf + have, n - have, 0);
		if (r == 0)
			return -EPIPE;
		if (r < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		have += (size_t)r;
	}
	return 0;
}

static int write_full(struct chain *c, int fd, const void *buf, size_t n)
{
	size_t done = 0;

	while (done < n) {
		ssize_t w = send(fd, (const char *)buf + done, n - done, MSG_NOSIGNAL | MSG_DONTWAIT);
		int rc;

		if (w > 0) {
			done += (size_t)w;
			continue;
		}
		if (w < 0 && errno != EAGAIN && errno != EINTR)
			return -errno;
		rc = wait_fd(c, fd, POLLOUT);
		if (rc)
			return rc;
	}
	return 0;
}

static const char *why(int rc)
{
	switch (rc) {
	case -EPIPE: return "the connection was closed";
	case -ETIMEDOUT: return "no answer in time";
	default: return strerror(-rc);
	}
}

static int listen_port(uint16_t port, int *out, char *err, size_t errlen)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_ANY) };
	int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd < 0) {
		seterr(err, errlen, "dolly: socket: %s", strerror(errno));
		return -errno;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 4) < 0) {
		int e = errno;

		seterr(err, errlen, "dolly: listen on TCP port %u: %s", port, strerror(e));
		close(fd);
		return -e;
	}
	*out = fd;
	return 0;
}

/* Accept one connection on lfd (from peer if given); fd or -ETIMEDOUT. */
static int accept_from(struct chain *c, int lfd, const char *peer, char *who, size_t wholen)
{
	for (;;) {
		struct sockaddr_in a;
		socklen_t alen = sizeof(a);
		char addr[INET_ADDRSTRLEN];
		int rc = wait_fd(c, lfd, POLLIN), fd;

		if (rc)
			return rc;
		fd = accept4(lfd, (struct sockaddr *)&a, &alen, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == EAGAIN || errno == ECONNABORTED)
				continue;
			return -errno;
		}
		inet_ntop(AF_INET, &a.sin_addr, addr, sizeof(addr));
		if (peer && strcmp(peer, addr)) {
			close(fd);	/* a stray connection, not the host whose control connection we have */
			continue;
		}
		if (who)
			snprintf(who, wholen, "%s", addr);
		return fd;
	}
}

/* Drop connections left in a listening socket's queue (from an attempt that failed). */
static void drain_listen(int lfd)
{
	int fd;

	while ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) >= 0)
		close(fd);
}

/* Our IPv4 addresses as dotted strings. */
static size_t local_addrs(char out[][INET_ADDRSTRLEN], size_t max)
{
	struct ifaddrs *ifa, *i;
	size_t n = 0;

	if (getifaddrs(&ifa) < 0)
		return 0;
	for (i = ifa; i && n < max; i = i->ifa_next)
		if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET)
			inet_ntop(AF_INET, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, out[n++], INET_ADDRSTRLEN);
	freeifaddrs(ifa);
	return n;
}

/* The authentication byte, the challenge if we have a password, the directory flag and the
 * configuration, from the previous host. 0, or -errno with c->msg (c->retryable says
 * whether a new connection may go better). */
static int receive_config(struct chain *c)
{
	uint8_t required, nonce[DOLLY_NONCE_LEN], resp[DOLLY_RESPONSE_LEN];
	uint32_t dirmode;
	char buf[DOLLY_CONFIG_MAX + 1], who[128];
	size_t len = 0;
	int rc;

	c->retryable = true;
	rc = read_full(c, c->cin, &required, 1);
	if (rc)
		goto err_io;
	if (required > 1) {
		snprintf(c->msg, sizeof(c->msg), "dolly: %s sent %u as its password flag, expected 0 or 1 "
			 "(not a dolly >= 0.70 server?)", c->prev, required);
		return -EPROTO;
	}
	if (required && !c->d->password_set) {
		snprintf(c->msg, sizeof(c->msg), "dolly: %s requires a password (its -P); give it in "
			 "rd.kiwi.live.dolly_options=-P,<password>", c->prev);
		return -EACCES;
	}
	if (!required && c->d->password_set) {
		snprintf(c->msg, sizeof(c->msg), "dolly: %s does not use a password, but "
			 "rd.kiwi.live.dolly_options has -P: refusing an unauthenticated chain", c->prev);
		return -EACCES;
	}
	if (required) {
		rc = read_full(c, c->cin, nonce, sizeof(nonce));
		if (rc)
			goto err_io;
		dolly_auth_response(c->d->password, nonce, resp);
		rc = write_full(c, c->cin, resp, sizeof(resp));
		if (rc)
			goto err_io;
		/* "OK\0" or "AUTH_FAILED:<host>\0": byte by byte, the configuration follows at once */
		for (;;) {
			rc = read_full(c, c->cin, buf + len, 1);
			if (rc == -EPIPE && len == 0) {
				snprintf(c->msg, sizeof(c->msg), "dolly: %s closed the connection after our answer "
					 "to its challenge: the password is wrong", c->prev);
				return -EACCES;
			}
			if (rc)
				goto err_io;
			len++;
			rc = dolly_auth_reply(buf, len, who, sizeof(who));
			if (rc != -EAGAIN)
				break;
		}
		if (rc == 0) {
			snprintf(c->msg, sizeof(c->msg), "dolly: %s refused our answer to its challenge (%s): the "
				 "password in rd.kiwi.live.dolly_options=-P,... is wrong", c->prev,
				 who[0] ? "AUTH_FAILED" : "no OK");
			return -EACCES;
		}
		len = 0;
	}
	rc = read_full(c, c->cin, &dirmode, sizeof(dirmode));
	if (rc)
		goto err_io;
	c->retryable = false;
	if (dirmode) {
		snprintf(c->msg, sizeof(c->msg), "dolly: %s sends directories (dolly -D: a tar stream), not an "
			 "image; serve the image file with -I", c->prev);
		return -EPROTO;
	}
	c->retryable = true;
	/* the dollytab: up to a line starting "endconfig", then whatever else arrives with it (dolly
	 * sends the whole file in one write and nothing more until every host is ready) */
	for (;;) {
		char *e;
		ssize_t r;

		if (len >= DOLLY_CONFIG_MAX) {
			c->retryable = false;
			snprintf(c->msg, sizeof(c->msg), "dolly: %s sent a configuration of more than %d bytes "
				 "without 'endconfig'", c->prev, DOLLY_CONFIG_MAX);
			return -EPROTO;
		}
		rc = wait_fd(c, c->cin, POLLIN);
		if (rc)
			goto err_io;
		r = recv(c->cin, buf + len, DOLLY_CONFIG_MAX - len, 0);
		if (r == 0) {
			rc = -EPIPE;
			goto err_io;
		}
		if (r < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			rc = -errno;
			goto err_io;
		}
		len += (size_t)r;
		buf[len] = '\0';
		e = memmem(buf, len, "\nendconfig", 10);
		if (e) {
			struct pollfd p = { .fd = c->cin, .events = POLLIN };

			/* collect what else is already on its way (a file's last lines), briefly */
			while (len < DOLLY_CONFIG_MAX && poll(&p, 1, 100) > 0) {
				r = recv(c->cin, buf + len, DOLLY_CONFIG_MAX - len, 0);
				if (r <= 0)
					break;
				len += (size_t)r;
			}
			break;
		}
	}
	c->retryable = false;
	c->cfglen = len;
	memcpy(c->raw, buf, len);
	rc = dolly_config_parse(buf, len, &c->cfg, c->msg, sizeof(c->msg));
	if (rc) {
		char line[MSG_MAX];

		snprintf(line, sizeof(line), "dolly: the configuration from %s: %.400s", c->prev, c->msg);
		snprintf(c->msg, sizeof(c->msg), "%s", line);
		return rc;
	}
	return 0;
err_io:
	snprintf(c->msg, sizeof(c->msg), "dolly: the handshake with %s failed: %s", c->prev, why(rc));
	return rc;
}

/* A nonblocking connect to host:port, until the deadline; fd or -errno. */
static int connect_once(struct chain *c, const struct sockaddr_in *a)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0), rc, soerr = 0;
	socklen_t sl = sizeof(soerr);

	if (fd < 0)
		return -errno;
	if (connect(fd, (const struct sockaddr *)a, sizeof(*a)) == 0)
		return fd;
	if (errno != EINPROGRESS) {
		rc = -errno;
		close(fd);
		return rc;
	}
	rc = wait_fd(c, fd, POLLOUT);
	if (!rc && getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 && soerr)
		rc = -soerr;
	if (rc) {
		close(fd);
		return rc;
	}
	return fd;
}

static int resolve(const char *host, struct in_addr *out)
{
	struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM }, *res;

	if (inet_pton(AF_INET, host, out) == 1)
		return 0;
	if (getaddrinfo(host, NULL, &hints, &res) != 0 || !res)
		return -EHOSTUNREACH;
	*out = ((struct sockaddr_in *)res->ai_addr)->sin_addr;
	freeaddrinfo(res);
	return 0;
}

/* The next host: its data port, then its control port (dolly's order), retried once a second. */
static int connect_next(struct chain *c)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int rc, fd;

	rc = resolve(c->next, &a.sin_addr);
	if (rc) {
		snprintf(c->msg, sizeof(c->msg), "dolly: the next host %s: cannot resolve its name", c->next);
		return -EHOSTUNREACH;
	}
	for (uint16_t port = DOLLY_DATA_PORT;;) {
		a.sin_port = htons(port);
		fd = connect_once(c, &a);
		if (fd >= 0) {
			if (port == DOLLY_DATA_PORT) {
				int one = 1;

				setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
				c->dout = fd;
				port = DOLLY_CTRL_PORT;
				continue;
			}
			c->cout = fd;
			return 0;
		}
		rc = fd;
		if (left_ms(c) <= CONNECT_PAUSE_MS) {
			snprintf(c->msg, sizeof(c->msg), "dolly: the next host %s refuses connections on TCP %u "
				 "(%s): is dolly (or netinit) waiting there?", c->next, port, why(rc));
			return -ECONNREFUSED;
		}
		nanosleep(&(struct timespec){ 0, CONNECT_PAUSE_MS * 1000000L }, NULL);
	}
}

/* Our half of the handshake with the next host: dolly's server side. */
static int forward_config(struct chain *c)
{
	uint8_t required = c->d->password_set, nonce[DOLLY_NONCE_LEN], resp[DOLLY_RESPONSE_LEN],
		want[DOLLY_RESPONSE_LEN];
	uint32_t dirmode = 0;
	int rc;

	rc = write_full(c, c->cout, &required, 1);
	if (rc)
		goto err_io;
	if (required) {
		if (getrandom(nonce, sizeof(nonce), 0) != (ssize_t)sizeof(nonce)) {
			snprintf(c->msg, sizeof(c->msg), "dolly: no random bytes for the challenge: %s", strerror(errno));
			return -EIO;
		}
		rc = write_full(c, c->cout, nonce, sizeof(nonce));
		if (!rc)
			rc = read_full(c, c->cout, resp, sizeof(resp));
		if (rc)
			goto err_io;
		dolly_auth_response(c->d->password, nonce, want);
		if (memcmp(resp, want, sizeof(want))) {
			char fail[DOLLY_AUTH_REPLY_MAX];
			int n = snprintf(fail, sizeof(fail), "AUTH_FAILED:%.250s", c->next);

			write_full(c, c->cout, fail, (size_t)n + 1);
			snprintf(c->msg, sizeof(c->msg), "dolly: the next host %s answered our challenge with another "
				 "password", c->next);
			return -EACCES;
		}
		rc = write_full(c, c->cout, "OK", 3);
		if (rc)
			goto err_io;
	}
	rc = write_full(c, c->cout, &dirmode, sizeof(dirmode));
	if (!rc)
		rc = write_full(c, c->cout, c->raw, c->cfglen);
	if (rc)
		goto err_io;
	return 0;
err_io:
	snprintf(c->msg, sizeof(c->msg), "dolly: the handshake with the next host %s failed: %s%s", c->next, why(rc),
		 rc == -EPIPE ? " (does its password setting, -P, differ from ours?)" : "");
	return rc == -EPIPE ? -EACCES : rc;
}

/* The next host failed: stop forwarding, keep our own download going. */
static void drop_next(struct chain *c, const char *what, int rc)
{
	char line[MSG_MAX];

	if (c->dout < 0 && c->cout < 0)
		return;
	snprintf(line, sizeof(line), "dolly: the next host %s %s (%s): no longer forwarding the stream; this "
		 "machine's download goes on", c->next, what, why(rc));
	emit(c, FETCH_EV_WARNING, line);
	c->next_failed = true;
	close_fd(&c->dout);
	close_fd(&c->cout);
}

static int sink_write(struct chain *c, const void *buf, size_t n)
{
	int rc = c->sink->write(c->sink->ctx, buf, n);
	const char *what = c->sink->what ? c->sink->what : "the sink";

	if (!rc)
		return 0;
	if (rc == -EBADMSG || rc == -ENOMEM)
		snprintf(c->msg, sizeof(c->msg), "dolly: %s: %s data is corrupt after %" PRIu64 " bytes", c->url,
			 rc == -ENOMEM ? "out of memory decompressing;" : "compressed", c->got);
	else if (rc == -ENOSPC || rc == -EFBIG)
		snprintf(c->msg, sizeof(c->msg), "%s is full after %" PRIu64 " bytes of the dolly stream", what, c->got);
	else
		snprintf(c->msg, sizeof(c->msg), "writing to %s failed: %s", what, strerror(-rc));
	return rc == -ENOSPC ? -EFBIG : rc;
}

/*
 * The stream: data from the previous host into the sink and on to the next, the image
 * size on the control connection (forwarded), the next host's backflow relayed up.
 * Returns 0 with c->got == the size the server announced.
 */
static int transfer(struct chain *c, unsigned char *buf)
{
	uint8_t sizebuf[SUMMARY_BYTES], ack[SUMMARY_BYTES];
	size_t sizelen = 0, acklen = 0;
	uint64_t total = 0;
	bool have_total = false, data_eof = false;
	int rc;

	for (;;) {
		struct pollfd p[3];
		int np = 0, idata = -1, ictrl = -1, iback = -1, ms;

		if (have_total && c->got == total)
			break;
		if (!data_eof) {
			p[np] = (struct pollfd){ .fd = c->din, .events = POLLIN };
			idata = np++;
		}
		if (!have_total) {
			p[np] = (struct pollfd){ .fd = c->cin, .events = POLLIN };
			ictrl = np++;
		}
		if (c->cout >= 0 && acklen < sizeof(ack)) {
			p[np] = (struct pollfd){ .fd = c->cout, .events = POLLIN };
			iback = np++;
		}
		ms = left_ms(c);
		if (!ms) {
			snprintf(c->msg, sizeof(c->msg), "dolly: no progress for %" PRIu64 " s after %" PRIu64 " bytes from "
				 "%s (rd.retry, or -a in rd.kiwi.live.dolly_options)", c->idle_ms / 1000, c->got, c->prev);
			c->retryable = true;
			return -ETIMEDOUT;
		}
		rc = poll(p, (nfds_t)np, ms);
		if (rc < 0) {
			if (errno == EINTR)
				continue;
			snprintf(c->msg, sizeof(c->msg), "dolly: poll: %s", strerror(errno));
			return -errno;
		}
		if (rc == 0)
			continue;
		if (ictrl >= 0 && p[ictrl].revents) {
			ssize_t r = recv(c->cin, sizebuf + sizelen, sizeof(sizebuf) - sizelen, 0);

			if (r <= 0 && !(r < 0 && (errno == EINTR || errno == EAGAIN))) {
				snprintf(c->msg, sizeof(c->msg), "dolly: %s closed the control connection after %" PRIu64
					 " bytes, before announcing the image size", c->prev, c->got);
				c->retryable = true;
				return -EPIPE;
			}
			if (r > 0) {
				sizelen += (size_t)r;
				progress(c);
			}
			if (sizelen == sizeof(sizebuf)) {
				memcpy(&total, sizebuf, sizeof(total));	/* dolly sends it in host byte order */
				have_total = true;
				if (total < c->got) {
					snprintf(c->msg, sizeof(c->msg), "dolly: %s announced %" PRIu64 " bytes after "
						 "sending %" PRIu64, c->prev, total, c->got);
					return -EPROTO;
				}
				if (c->cout >= 0) {
					rc = write_full(c, c->cout, sizebuf, sizeof(sizebuf));
					if (rc)
						drop_next(c, "stopped reading its control connection", rc);
				}
			}
		}
		if (iback >= 0 && p[iback].revents) {
			/* before the size went on: "Client ... ready" text for the server; after: the ack */
			char back[BACKFLOW_MAX];
			bool sent_total = have_total;
			ssize_t r = recv(c->cout, sent_total ? (char *)ack + acklen : back,
					 sent_total ? sizeof(ack) - acklen : sizeof(back), 0);

			if (r <= 0 && !(r < 0 && (errno == EINTR || errno == EAGAIN))) {
				int e = r < 0 ? -errno : -EPIPE;

				if (!c->started && !c->next_ready) {
					/* before it said it was ready: the server counts on it and would wait for
					 * ever, so this chain is lost; a new one may go better */
					snprintf(c->msg, sizeof(c->msg), "dolly: the next host %s %s its control "
						 "connection before it was ready (%s; does its password setting, -P, "
						 "differ from ours?)", c->next, r < 0 ? "reset" : "closed", why(e));
					c->retryable = true;
					return -ECONNABORTED;
				}
				/* it was counted ready: the server streams anyway, our own download goes on */
				drop_next(c, c->started ? "closed its control connection" :
					  "closed its control connection after it was ready, before the stream", e);
			} else if (r > 0) {
				progress(c);
				if (sent_total) {
					acklen += (size_t)r;
				} else {
					if (memmem(back, (size_t)r, "ready", 5))
						c->next_ready++;
					rc = write_full(c, c->cin, back, (size_t)r);
					if (rc) {
						snprintf(c->msg, sizeof(c->msg), "dolly: relaying to %s failed: %s", c->prev,
							 why(rc));
						c->retryable = true;
						return rc;
					}
				}
			}
		}
		if (idata >= 0 && p[idata].revents) {
			size_t want = BUF_SIZE;
			ssize_t r;

			if (have_total && total - c->got < want)
				want = (size_t)(total - c->got);
			r = recv(c->din, buf, want, 0);
			if (r < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (r <= 0) {
				data_eof = true;
				if (have_total && c->got < total) {
					snprintf(c->msg, sizeof(c->msg), "dolly: the stream from %s ended after %" PRIu64
						 " of %" PRIu64 " bytes", c->prev, c->got, total);
					c->retryable = true;
					return -EPIPE;
				}
				continue;	/* the size is still on its way on the control connection */
			}
			if (!c->started) {
				char src[96];

				snprintf(src, sizeof(src), "dolly://%s (chain)", c->prev);
				c->started = true;
				emit(c, FETCH_EV_START, src);
			}
			if (c->dout >= 0) {
				rc = write_full(c, c->dout, buf, (size_t)r);
				if (rc)
					drop_next(c, "stopped taking the stream", rc);
			}
			if (c->hq)
				hashq_add(c->hq, buf, (size_t)r);
			rc = sink_write(c, buf, (size_t)r);
			if (rc)
				return rc;
			c->got += (uint64_t)r;
			progress(c);
			if (c->progress_ms - c->last_ev_ms >= 1000 / FETCH_EVENTS_PER_S) {
				c->last_ev_ms = c->progress_ms;
				emit(c, FETCH_EV_PROGRESS, NULL);
			}
		}
	}
	/* the next host's acknowledgement, if it is still with us: relayed up after ours is due */
	c->retryable = false;
	while (c->cout >= 0 && acklen < sizeof(ack)) {
		ssize_t r;

		rc = wait_fd(c, c->cout, POLLIN);
		if (rc) {
			drop_next(c, "did not acknowledge the image", rc);
			break;
		}
		r = recv(c->cout, ack + acklen, sizeof(ack) - acklen, 0);
		if (r <= 0 && !(r < 0 && (errno == EINTR || errno == EAGAIN))) {
			drop_next(c, "closed its control connection before acknowledging", r < 0 ? -errno : -EPIPE);
			break;
		}
		if (r > 0)
			acklen += (size_t)r;
	}
	/* the caller sends it up once the sink is finished and the image verified; a host in the
	 * middle relays the last host's count, as dolly does */
	memcpy(c->summary, c->cout >= 0 ? ack : sizebuf, sizeof(c->summary));
	return 0;
}

/* One chain from the first connection to the end of the stream. */
static int one_chain(struct chain *c, unsigned char *buf)
{
	char addrs[DOLLY_MAX_ADDRS][INET_ADDRSTRLEN], host[DOLLY_LINE_MAX + 1];
	const char *ap[DOLLY_MAX_ADDRS];
	size_t naddrs;
	int rc, me;

	c->cin = accept_from(c, c->lctrl, NULL, c->prev, sizeof(c->prev));
	if (c->cin < 0) {
		rc = c->cin;
		c->cin = -1;
		c->retryable = false;
		if (rc == -ETIMEDOUT && c->last_rc) {
			snprintf(c->msg, sizeof(c->msg), "%s", c->last);	/* the reason, not the wait after it */
			return c->last_rc;
		}
		if (rc == -ETIMEDOUT)
			snprintf(c->msg, sizeof(c->msg), "dolly: no server (or previous host) connected to TCP %u "
				 "within %" PRIu64 " s (rd.retry, or -a in rd.kiwi.live.dolly_options)",
				 DOLLY_CTRL_PORT, c->idle_ms / 1000);
		else
			snprintf(c->msg, sizeof(c->msg), "dolly: accept: %s", strerror(-rc));
		return rc;
	}
	c->attempt++;
	progress(c);
	step(c, "dolly: %s connected; handshake", c->prev);
	rc = receive_config(c);
	if (rc)
		return rc;
	progress(c);
	naddrs = local_addrs(addrs, DOLLY_MAX_ADDRS);
	for (size_t i = 0; i < naddrs; i++)
		ap[i] = addrs[i];
	host[0] = '\0';
	if (c->d->hostname[0])
		snprintf(host, sizeof(host), "%s", c->d->hostname);
	else if (gethostname(host, sizeof(host)) < 0 || !strcmp(host, "(none)"))
		host[0] = '\0';
	me = dolly_find_self(&c->cfg, c->d->hyphen_normal, host, ap, naddrs);
	if (me < 0) {
		char list[200] = "";
		size_t n = 0;

		for (size_t i = 0; i < naddrs && n < sizeof(list); i++)
			n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", n ? ", " : "", addrs[i]);
		snprintf(c->msg, sizeof(c->msg), "dolly: the host list from %s (%u hosts, first %.60s) does not name "
			 "this machine (%.64s%s%.200s)", c->prev, c->cfg.nhosts, dolly_config_host(&c->cfg, 0),
			 host[0] ? host : "no host name", naddrs ? ", " : "", list);
		c->retryable = false;
		return -ENOENT;
	}
	snprintf(c->me, sizeof(c->me), "%s", dolly_config_host(&c->cfg, (unsigned)me));
	c->din = accept_from(c, c->ldata, c->prev, NULL, 0);
	if (c->din < 0) {
		rc = c->din;
		c->din = -1;
		snprintf(c->msg, sizeof(c->msg), "dolly: %s did not open the data connection (TCP %u): %s", c->prev,
			 DOLLY_DATA_PORT, why(rc));
		c->retryable = true;
		return rc;
	}
	{
		char line[MSG_MAX];
		int n = snprintf(line, sizeof(line), "Client %s configured with parameters. Ready to proceed.\n", c->me);

		rc = write_full(c, c->cin, line, (size_t)n);
		if (rc) {
			snprintf(c->msg, sizeof(c->msg), "dolly: %s went away after the configuration: %s", c->prev, why(rc));
			c->retryable = true;
			return rc;
		}
	}
	if ((unsigned)me + 1 < c->cfg.nhosts) {
		snprintf(c->next, sizeof(c->next), "%s", dolly_config_host(&c->cfg, (unsigned)me + 1));
		step(c, "dolly: host %d of %u (%s); connecting to the next host %s", me + 1, c->cfg.nhosts, c->me, c->next);
		c->retryable = false;
		rc = connect_next(c);
		if (!rc)
			rc = forward_config(c);
		if (rc)
			return rc;
		progress(c);
	} else {
		step(c, "dolly: host %d of %u (%s), the last in the chain", me + 1, c->cfg.nhosts, c->me);
	}
	{
		char line[MSG_MAX];
		int n = snprintf(line, sizeof(line), "Client %s ready.\n", c->me);

		rc = write_full(c, c->cin, line, (size_t)n);
		if (rc) {
			snprintf(c->msg, sizeof(c->msg), "dolly: %s went away before the stream: %s", c->prev, why(rc));
			c->retryable = true;
			return rc;
		}
	}
	step(c, "dolly: ready; waiting for the stream from %s", c->prev);
	return transfer(c, buf);
}

static void end_chain(struct chain *c)
{
	close_fd(&c->cin);
	close_fd(&c->din);
	close_fd(&c->cout);
	close_fd(&c->dout);
}

int dolly_fetch(const struct dolly_opts *d, const struct fetch_opts *o, const char *url, struct fetch_sink *sink,
		fetch_event_fn ev, void *ev_ctx, struct fetch_stats *st, char *err, size_t errlen)
{
	enum sink_codec codec = o->decompress && !sink_is_decomp(sink) ? sink_codec_for_url(url) : SINK_CODEC_NONE;
	unsigned retries = d->retries ? d->retries : DOLLY_RETRIES_DEFAULT;
	struct sink_decomp dec;
	struct fetch_sink wrapped;
	uint8_t digest[CHECKSUM_SHA256_LEN];
	unsigned char *buf = NULL;
	struct chain *c;
	int rc;

	if (st)
		memset(st, 0, sizeof(*st));
	if (!sink || !sink->write) {
		seterr(err, errlen, "dolly: no sink to write into");
		return -EINVAL;
	}
	if (o->sum.set && o->sum.is_auto) {
		seterr(err, errlen, "dolly: rd.live.sha256=auto needs a .sha256 file beside an http URL; give the "
		       "digest itself (rd.live.sha256=<hex>)");
		return -EINVAL;
	}
	c = calloc(1, sizeof(*c));
	buf = malloc(BUF_SIZE);
	if (!c || !buf) {
		seterr(err, errlen, "dolly: out of memory");
		rc = -ENOMEM;
		goto err_free;
	}
	c->d = d;
	c->o = o;
	c->url = url;
	c->sink = sink;
	c->ev = ev;
	c->ev_ctx = ev_ctx;
	c->lctrl = c->ldata = c->cin = c->din = c->cout = c->dout = -1;
	c->t0_ms = mono_ms();
	c->idle_ms = (uint64_t)(d->timeout_s ? d->timeout_s : o->retry_deadline_s ? o->retry_deadline_s :
				FETCH_RETRY_DEFAULT_S) * 1000;
	progress(c);
	if ((o->sum.set) || o->digest) {
		c->hq = hashq_new();
		if (!c->hq) {
			seterr(err, errlen, "dolly: out of memory for hashing");
			rc = -ENOMEM;
			goto err_free;
		}
	}
	if (codec != SINK_CODEC_NONE) {
		rc = sink_decomp_init(&dec, codec, sink, &wrapped, err, errlen);
		if (rc)
			goto err_hash;
		c->sink = &wrapped;
	}
	rc = listen_port(DOLLY_CTRL_PORT, &c->lctrl, err, errlen);
	if (!rc)
		rc = listen_port(DOLLY_DATA_PORT, &c->ldata, err, errlen);
	if (rc)
		goto err_listen;
	step(c, "dolly: waiting for the server (or the previous host) on TCP %u and %u, up to %" PRIu64 " s",
	     DOLLY_CTRL_PORT, DOLLY_DATA_PORT, c->idle_ms / 1000);
	for (;;) {
		rc = one_chain(c, buf);
		if (!rc)
			break;
		end_chain(c);
		c->next_failed = false;
		c->next_ready = 0;
		if (!c->retryable || c->attempt >= retries || !left_ms(c))
			goto err_msg;
		if (c->got) {
			if (!c->sink->reset || c->sink->reset(c->sink->ctx) < 0) {
				snprintf(c->msg + strlen(c->msg), sizeof(c->msg) - strlen(c->msg),
					 "; the sink cannot start over");
				goto err_msg;
			}
			if (c->hq)
				hashq_reset(c->hq);
			c->got = 0;
			c->started = false;
		}
		emit(c, FETCH_EV_RETRY, c->msg);
		c->last_rc = rc;
		snprintf(c->last, sizeof(c->last), "%s", c->msg);
		drain_listen(c->ldata);
	}
	if (c->sink->finish) {
		rc = c->sink->finish(c->sink->ctx);
		if (rc) {
			if (rc == -EPIPE || rc == -EBADMSG)
				seterr(err, errlen, "dolly: %s: the %s stream is %s", url, sink_codec_name(codec),
				       rc == -EPIPE ? "truncated" : "corrupt");
			else
				seterr(err, errlen, "dolly: finishing %s failed: %s", sink->what ? sink->what : "the sink",
				       strerror(-rc));
			goto err_chain;
		}
	}
	memset(digest, 0, sizeof(digest));
	if (c->hq)
		hashq_digest(c->hq, digest);
	if (st) {
		st->bytes = c->got;
		st->elapsed_ms = mono_ms() - c->t0_ms;
		st->attempts = c->attempt;
		memcpy(st->sha256, digest, sizeof(digest));
		snprintf(st->served_by, sizeof(st->served_by), "dolly://%s", c->prev);
		st->nsrc = 1;
		st->src_bytes[0] = c->got;
	}
	if (o->sum.set && memcmp(digest, o->sum.sha256, sizeof(digest))) {
		char got[CHECKSUM_SHA256_HEX + 1], want[CHECKSUM_SHA256_HEX + 1];

		checksum_hex_encode(digest, got);
		checksum_hex_encode(o->sum.sha256, want);
		seterr(err, errlen, "sha256 of the dolly stream from %s is %s, expected %s", c->prev, got, want);
		rc = -EBADMSG;
		goto err_chain;	/* no acknowledgement: the server reports this host as failed */
	}
	/* acknowledge: the last host sends the size, the others relay the next host's answer; a
	 * host whose next host dropped out sends nothing, so the server reports the chain failed */
	if (c->next_failed)
		emit(c, FETCH_EV_WARNING, "dolly: no acknowledgement to the previous host: the next host dropped "
		     "out, the server reports the chain as failed (the image here is complete)");
	else if (write_full(c, c->cin, c->summary, sizeof(c->summary)) < 0)
		emit(c, FETCH_EV_WARNING, "dolly: the acknowledgement to the previous host failed (the server may "
		     "report this host as failed; the image here is complete)");
	emit(c, FETCH_EV_DONE, NULL);
	rc = 0;
	goto err_chain;
err_msg:
	seterr(err, errlen, "%s", c->msg);
err_chain:
	end_chain(c);
err_listen:
	close_fd(&c->lctrl);
	close_fd(&c->ldata);
	if (codec != SINK_CODEC_NONE)
		sink_decomp_free(&dec);
err_hash:
	hashq_free(c->hq);
err_free:
	free(buf);
	free(c);
	return rc;
}
