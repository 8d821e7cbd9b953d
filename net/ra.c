/* ra: router solicitation out, RDNSS/DNSSL in (RTM_NEWNDUSEROPT). */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/icmp6.h>
#include <linux/rtnetlink.h>

#include "net/dhcp.h"
#include "net/ra.h"

#define ND_OPT_RDNSS_TYPE	25	/* RFC 8106 5.1 */
#define ND_OPT_DNSSL_TYPE	31	/* RFC 8106 5.2 */
#define ND_OPT_HDR		8	/* type, length (8-octet units), reserved (2), lifetime (4) */
#define RS_TYPE			133
#define RA_TYPE			134
#define OPT_SLLA		1	/* source link-layer address */
#define NA_TYPE			136
#define NA_HDR			24	/* type, code, checksum, flags + reserved (4), target (16) */
#define OPT_TLLA		2	/* target link-layer address */

static void rdnss_add(struct ra_dns *d, const struct in6_addr *a, bool keep, bool *changed)
{
	for (int i = 0; i < d->n_dns; i++) {
		if (memcmp(&d->dns[i], a, 16))
			continue;
		if (!keep) {	/* lifetime 0: the router withdraws it */
			memmove(&d->dns[i], &d->dns[i + 1], (size_t)(d->n_dns - i - 1) * sizeof(d->dns[0]));
			d->n_dns--;
			*changed = true;
		}
		return;
	}
	if (keep && d->n_dns < NET_MAX_DNS) {
		d->dns[d->n_dns++] = *a;
		*changed = true;
	}
}

int ra_parse_useropt(const uint8_t *body, size_t len, int ifindex, struct ra_dns *d)
{
	struct nduseroptmsg m;
	const uint8_t *o;
	size_t olen, pos = 0;
	bool changed = false;

	if (len < sizeof(m))
		return -EBADMSG;
	memcpy(&m, body, sizeof(m));
	olen = m.nduseropt_opts_len;
	if (olen > len - sizeof(m))
		return -EBADMSG;
	if (m.nduseropt_family != AF_INET6 || m.nduseropt_ifindex != ifindex || m.nduseropt_icmp_type != RA_TYPE)
		return 0;
	o = body + sizeof(m);
	while (pos < olen) {
		size_t n;
		uint32_t life;

		if (olen - pos < 2 || o[pos + 1] == 0)
			return -EBADMSG;
		n = (size_t)o[pos + 1] * 8;
		if (n > olen - pos)
			return -EBADMSG;
		if (n >= ND_OPT_HDR)
			life = (uint32_t)o[pos + 4] << 24 | (uint32_t)o[pos + 5] << 16 | (uint32_t)o[pos + 6] << 8 | o[pos + 7];
		else
			life = 0;
		if (o[pos] == ND_OPT_RDNSS_TYPE) {
			/* 8 bytes of header, then 16 per address: length 3, 5, 7, ... */
			if (n < ND_OPT_HDR + 16 || (n - ND_OPT_HDR) % 16)
				return -EBADMSG;
			for (size_t k = ND_OPT_HDR; k < n; k += 16) {
				struct in6_addr a;

				memcpy(&a, o + pos + k, 16);
				rdnss_add(d, &a, life != 0, &changed);
			}
		} else if (o[pos] == ND_OPT_DNSSL_TYPE) {
			char s[RA_SEARCH_MAX];

			if (n < ND_OPT_HDR + 8 || dhcp_names_decode(o + pos + ND_OPT_HDR, n - ND_OPT_HDR, s, sizeof(s)))
				return -EBADMSG;
			if (!life)
				s[0] = '\0';
			if (strcmp(s, d->search)) {
				memcpy(d->search, s, sizeof(s));
				changed = true;
			}
		}
		pos += n;
	}
	return changed ? 1 : 0;
}

size_t ra_build_rs(uint8_t *buf, const uint8_t mac[6])
{
	memset(buf, 0, 16);
	buf[0] = RS_TYPE;		/* type; code 0; checksum 0 (the kernel fills it); 4 reserved */
	buf[8] = OPT_SLLA;		/* option: source link-layer address, 1 unit of 8 bytes */
	buf[9] = 1;
	memcpy(buf + 10, mac, 6);
	return 16;
}

int ra_socket(int ifindex)
{
	int fd = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_ICMPV6);
	int hops = 255, e;
	unsigned idx = (unsigned)ifindex;
	struct icmp6_filter filt;

	if (fd < 0)
		return -errno;
	ICMP6_FILTER_SETBLOCKALL(&filt);	/* send only: nothing queues up */
	if (setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops)) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &idx, sizeof(idx)) < 0 ||
	    setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filt, sizeof(filt)) < 0)
		goto err;
	return fd;
err:
	e = -errno;
	close(fd);
	return e;
}

int ra_send_rs(int fd, int ifindex, const uint8_t *buf, size_t len)
{
	struct sockaddr_in6 to;

	memset(&to, 0, sizeof(to));
	to.sin6_family = AF_INET6;
	to.sin6_addr.s6_addr[0] = 0xff;		/* ff02::2 */
	to.sin6_addr.s6_addr[1] = 0x02;
	to.sin6_addr.s6_addr[15] = 0x02;
	to.sin6_scope_id = (uint32_t)ifindex;
	if (sendto(fd, buf, len, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		return -errno;
	return 0;
}

int ra_parse_na(const uint8_t *buf, size_t len, struct in6_addr *target, uint8_t mac[6])
{
	int found = 0;

	if (len < NA_HDR || buf[0] != NA_TYPE || buf[1] != 0)
		return -EBADMSG;
	memcpy(target, buf + 8, 16);
	for (size_t off = NA_HDR; off < len;) {
		size_t olen;

		if (len - off < 2 || buf[off + 1] == 0)
			return -EBADMSG;
		olen = (size_t)buf[off + 1] * 8;
		if (olen > len - off)
			return -EBADMSG;
		if (buf[off] == OPT_TLLA && olen == 8 && !found) {	/* 8 bytes: an Ethernet address */
			memcpy(mac, buf + off + 2, 6);
			found = 1;
		}
		off += olen;
	}
	return found;
}

int ra_na_socket(const char *ifname)
{
	int fd = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_ICMPV6);
	struct icmp6_filter filt;
	int e, on = 1;

	if (fd < 0)
		return -errno;
	ICMP6_FILTER_SETBLOCKALL(&filt);
	ICMP6_FILTER_SETPASS(NA_TYPE, &filt);
	if (setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filt, sizeof(filt)) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on, sizeof(on)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)strlen(ifname)) < 0) {
		e = -errno;
		close(fd);
		return e;
	}
	return fd;
}

/* The hop limit an NA arrived with (IPV6_RECVHOPLIMIT), -1 when the kernel gave none. */
static int hoplimit(struct msghdr *mh)
{
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
		int h;

		if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_HOPLIMIT &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(h))) {
			memcpy(&h, CMSG_DATA(cm), sizeof(h));
			return h;
		}
	}
	return -1;
}

int ra_dup_mac(int fd, const struct in6_addr *a, uint8_t mac[6])
{
	uint8_t buf[1280];
	union { struct cmsghdr h; uint8_t b[CMSG_SPACE(sizeof(int))]; } ctl;
	struct in6_addr t;
	int found = 0;
	ssize_t n = 0;

	/* read what is queued (bounded): the last NA for a wins; only on-link ones (hop limit
	 * 255, RFC 4861 7.1.2), the kernel's own DAD takes no other */
	for (int i = 0; i < 4096; i++) {
		struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &ctl, .msg_controllen = sizeof(ctl) };
		uint8_t m[6];

		if ((n = recvmsg(fd, &mh, MSG_DONTWAIT)) < 0)
			break;
		if (hoplimit(&mh) == 255 && ra_parse_na(buf, (size_t)n, &t, m) == 1 && !memcmp(&t, a, 16)) {
			memcpy(mac, m, 6);
			found = 1;
		}
	}
	if (!found && n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
		return -errno;
	return found;
}
