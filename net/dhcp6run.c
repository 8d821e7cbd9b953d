/* dhcp6run: DHCPv6 over a UDP socket on one interface (the transport of net/dhcp6c). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/random.h>
#include <sys/socket.h>

#include "net/dhcp6c.h"
#include "net/dhcp6run.h"
#include "util/hex.h"
#include "util/clock.h"
#include "util/errbuf.h"

#define IF_INET6		"/proc/net/if_inet6"
#define IF_INET6_MAX		16384	/* plenty for the addresses of a boot machine */
#define SCOPE_LINK		0x20	/* IPV6_ADDR_LINKLOCAL, the kernel's scope column */
#define IFA_TENTATIVE		0x40	/* IFA_F_TENTATIVE: DAD still running */
#define IFA_DADFAILED		0x08	/* IFA_F_DADFAILED: a duplicate answered */
#define DAD_POLL_MS		10
#define RX_BUF			4096

/* ---- the link-local address ---------------------------------------------- */

/* One line: "fe80000000000000505400fffe123456 02 40 20 80     eth0". */
static bool parse_line(const char *line, struct in6_addr *a, unsigned *ifx, unsigned *scope,
		       unsigned *flags)
{
	unsigned plen;
	int k, n = 0;

	for (k = 0; k < 16; k++) {
		int hi = hex_digit(line[2 * k]), lo = hi < 0 ? -1 : hex_digit(line[2 * k + 1]);

		if (hi < 0 || lo < 0)
			return false;
		a->s6_addr[k] = (uint8_t)(hi << 4 | lo);
	}
	if (sscanf(line + 32, " %x %x %x %x%n", ifx, &plen, scope, flags, &n) != 4 || n == 0)
		return false;
	return true;
}

int dhcp6_ll_state(const char *if_inet6, int ifindex, struct in6_addr *ll)
{
	const char *p = if_inet6;
	int best = -ENOENT;

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char line[128];
		struct in6_addr a;
		unsigned ifx, scope, flags;

		if (n < sizeof(line)) {
			memcpy(line, p, n);
			line[n] = '\0';
			if (n >= 32 && parse_line(line, &a, &ifx, &scope, &flags) &&
			    (int)ifx == ifindex && scope == SCOPE_LINK) {
				if (!(flags & (IFA_TENTATIVE | IFA_DADFAILED))) {
					if (ll)
						*ll = a;
					return 0;
				}
				if (flags & IFA_DADFAILED) {
					if (ll)
						*ll = a;
					best = -EADDRNOTAVAIL;
				} else if (best == -ENOENT) {
					best = -EAGAIN;
				}
			}
		}
		p = nl ? nl + 1 : NULL;
	}
	return best;
}

static int ll_now(int ifindex, struct in6_addr *ll)
{
	char buf[IF_INET6_MAX];
	size_t len = 0;
	ssize_t n;
	int fd = open(IF_INET6, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -ENOENT;	/* no IPv6 in this kernel (or no /proc) */
	while (len < sizeof(buf) - 1 && (n = read(fd, buf + len, sizeof(buf) - 1 - len)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	return dhcp6_ll_state(buf, ifindex, ll);
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* ---- the socket ------------------------------------------------------------ */

int dhcp6_socket(int ifindex, const char *ifname, char *err, size_t errlen)
{
	struct sockaddr_in6 sa;
	int fd, one = 1, hops = 1, zero = 0, rc;

	fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_UDP);
	if (fd < 0) {
		rc = -errno;
		seterr(err, errlen, "DHCPv6 on %s: socket: %s", ifname, strerror(errno));
		return rc;
	}
	if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)strlen(ifname)) ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof(ifindex)) ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops)) ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &zero, sizeof(zero))) {
		rc = -errno;
		seterr(err, errlen, "DHCPv6 on %s: socket options: %s", ifname, strerror(errno));
		close(fd);
		return rc;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sin6_family = AF_INET6;
	sa.sin6_port = htons(DHCP6_CLIENT_PORT);
	sa.sin6_addr = in6addr_any;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		rc = -errno;
		seterr(err, errlen, "DHCPv6 on %s: bind [::]:%d: %s", ifname, DHCP6_CLIENT_PORT,
		       strerror(errno));
		close(fd);
		return rc;
	}
	return fd;
}

int dhcp6_sendto_servers(int fd, int ifindex, const uint8_t *msg, size_t len)
{
	struct sockaddr_in6 sa;

	memset(&sa, 0, sizeof(sa));
	sa.sin6_family = AF_INET6;
	sa.sin6_port = htons(DHCP6_SERVER_PORT);
	sa.sin6_scope_id = (uint32_t)ifindex;
	inet_pton(AF_INET6, DHCP6_ALL_SERVERS, &sa.sin6_addr);
	if (sendto(fd, msg, len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	return 0;
}

/* ---- the exchange ------------------------------------------------------------ */

struct txctx {
	int fd, ifindex;
	int last_err;	/* the last send error, 0 = none */
};

static int send_cb(void *ctx, const uint8_t *msg, size_t len)
{
	struct txctx *t = ctx;
	int rc = dhcp6_sendto_servers(t->fd, t->ifindex, msg, len);

	if (rc)
		t->last_err = rc;
	return rc;
}

/* "10 s" or "2500 ms" */
static void fmt_ms(char *b, size_t n, unsigned ms)
{
	if (ms % 1000 == 0)
		snprintf(b, n, "%u s", ms / 1000);
	else
		snprintf(b, n, "%u ms", ms);
}

static void timeout_line(const struct dhcp6c *c, const struct dhcp6_cfg *cfg, const struct txctx *t,
			 char *err, size_t errlen)
{
	char after[32], said[DHCP6_STR_MAX + 40] = "";

	fmt_ms(after, sizeof(after), cfg->timeout_ms);
	if (c->refused)
		snprintf(said, sizeof(said), "; last refusal: %s%s%s", dhcp6_status_name(c->last_status),
			 c->last_status_msg[0] ? ": " : "", c->last_status_msg);
	if (c->sent == 0 && t->last_err) {
		seterr(err, errlen, "DHCPv6 on %s: sending to %s: %s", cfg->ifname, DHCP6_ALL_SERVERS,
		       strerror(-t->last_err));
	} else if (cfg->mode == DHCP6_STATELESS) {
		seterr(err, errlen, "DHCPv6 on %s: no Reply to Information-Request after %s (%u sent)%s",
		       cfg->ifname, after, c->informs, said);
	} else if (c->refused && !c->advertises) {
		seterr(err, errlen, "DHCPv6 on %s: server said %s%s%s; no address after %s (%u Solicits sent)",
		       cfg->ifname, dhcp6_status_name(c->last_status), c->last_status_msg[0] ? ": " : "",
		       c->last_status_msg, after, c->solicits);
	} else if (!c->advertises) {
		seterr(err, errlen, "DHCPv6 on %s: no Advertise after %s (%u Solicits sent)",
		       cfg->ifname, after, c->solicits);
	} else {
		seterr(err, errlen, "DHCPv6 on %s: no Reply to Request after %s (%u Advertises, %u Requests sent)%s",
		       cfg->ifname, after, c->advertises, c->requests, said);
	}
}

static int wait_ll(const struct dhcp6_cfg *cfg, struct in6_addr *ll, unsigned *waited,
		   char *err, size_t errlen)
{
	uint64_t t0 = mono_ms(), now;
	char a[INET6_ADDRSTRLEN];
	int rc;

	for (;;) {
		rc = ll_now(cfg->ifindex, ll);
		now = mono_ms();
		*waited = (unsigned)(now - t0);
		if (rc == 0)
			return 0;
		if (rc == -EADDRNOTAVAIL) {
			seterr(err, errlen, "DHCPv6 on %s: link-local %s failed DAD (a duplicate on the link)",
			       cfg->ifname, inet_ntop(AF_INET6, ll, a, sizeof(a)));
			return rc;
		}
		if (now - t0 >= cfg->dad_wait_ms)
			break;
		sleep_ms(DAD_POLL_MS);
	}
	if (rc == -EAGAIN)
		seterr(err, errlen, "DHCPv6 on %s: link-local address still tentative (DAD) after %u ms",
		       cfg->ifname, *waited);
	else
		seterr(err, errlen, "DHCPv6 on %s: no IPv6 link-local address (is IPv6 enabled, the link up?)",
		       cfg->ifname);
	return rc;
}

static void fill(struct dhcp6_lease *out, const struct dhcp6c *c, const struct dhcp6_cfg *cfg)
{
	const struct dhcp6_msg *m = &c->lease;

	out->stateful = cfg->mode == DHCP6_STATEFUL && m->n_addrs > 0;
	if (out->stateful) {
		out->addr = m->addrs[0].addr;
		out->preferred_s = m->addrs[0].preferred;
		out->valid_s = m->addrs[0].valid;
		out->t1_s = m->t1;
		out->t2_s = m->t2;
	}
	memcpy(out->dns, m->dns, sizeof(out->dns));
	out->n_dns = m->n_dns;
	memcpy(out->search, m->search, sizeof(out->search));
	memcpy(out->bootfile_url, m->bootfile_url, sizeof(out->bootfile_url));
	memcpy(out->bootfile_param, m->bootfile_param, sizeof(out->bootfile_param));
	memcpy(out->server_id, m->server_id, sizeof(out->server_id));
	out->server_id_len = m->server_id_len;
	out->rapid_commit = c->requests == 0 && cfg->mode == DHCP6_STATEFUL;
	out->sent = c->sent;
}

int dhcp6_run(const struct dhcp6_cfg *cfg, struct dhcp6_lease *out, char *err, size_t errlen)
{
	struct dhcp6c c;
	struct txctx t;
	struct in6_addr ll;
	uint8_t buf[RX_BUF];
	uint64_t t0, now;
	unsigned waited = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!cfg->ifname || !*cfg->ifname || strlen(cfg->ifname) >= IFNAMSIZ || cfg->ifindex <= 0) {
		seterr(err, errlen, "DHCPv6: no interface given");
		return -EINVAL;
	}
	rc = wait_ll(cfg, &ll, &waited, err, errlen);
	if (rc)
		return rc;
	out->link_local = ll;
	out->dad_ms = waited;
	t.fd = dhcp6_socket(cfg->ifindex, cfg->ifname, err, errlen);
	if (t.fd < 0)
		return t.fd;
	t.ifindex = cfg->ifindex;
	t.last_err = 0;

	memset(&c, 0, sizeof(c));
	memcpy(c.mac, cfg->mac, 6);
	c.stateless = cfg->mode == DHCP6_STATELESS;
	c.no_rapid_commit = cfg->no_rapid_commit;
	c.timeout_ms = cfg->timeout_ms;
	c.seed = cfg->seed;
	if (!c.seed && getrandom(&c.seed, sizeof(c.seed), GRND_NONBLOCK) != sizeof(c.seed))
		c.seed = (uint32_t)mono_ms() ^ (uint32_t)getpid();
	c.send = send_cb;
	c.ctx = &t;
	t0 = mono_ms();
	dhcp6c_start(&c, t0);
	for (;;) {
		struct pollfd pfd = { t.fd, POLLIN, 0 };
		struct sockaddr_in6 from;
		socklen_t flen = sizeof(from);
		uint64_t wake;
		ssize_t n;

		now = mono_ms();
		if (dhcp6c_tick(&c, now) == -ETIMEDOUT)
			break;
		wake = dhcp6c_next_ms(&c);
		rc = poll(&pfd, 1, wake > now ? (int)(wake - now < 60000 ? wake - now : 60000) : 0);
		if (rc < 0 && errno != EINTR) {
			rc = -errno;
			seterr(err, errlen, "DHCPv6 on %s: poll: %s", cfg->ifname, strerror(errno));
			close(t.fd);
			return rc;
		}
		if (rc <= 0 || !(pfd.revents & POLLIN))
			continue;
		n = recvfrom(t.fd, buf, sizeof(buf), MSG_TRUNC, (struct sockaddr *)&from, &flen);
		if (n < 0)
			continue;	/* EAGAIN, or an ICMP error queued on the socket */
		if ((size_t)n > sizeof(buf) || flen < sizeof(from) ||
		    ntohs(from.sin6_port) != DHCP6_SERVER_PORT) {
			c.ignored++;	/* cut short, or not from a server port */
			continue;
		}
		if (dhcp6c_input(&c, buf, (size_t)n, mono_ms()) == 1) {
			fill(out, &c, cfg);
			out->server = from.sin6_addr;
			out->elapsed_ms = (unsigned)(mono_ms() - t0);
			close(t.fd);
			return 0;
		}
	}
	close(t.fd);
	timeout_line(&c, cfg, &t, err, errlen);
	return -ETIMEDOUT;
}
