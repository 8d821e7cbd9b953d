/* net/pkt.c: the DHCPv4 transport, a packet socket per interface. */
#include "net/netpriv.h"

/* ---- DHCP transport: a packet socket per interface ------------------------ */

static int send_frame(void *ctx, const uint8_t *msg, size_t len)
{
	struct ifc *f = ctx;
	uint8_t frame[FRAME_MAX];
	struct sockaddr_ll sll;
	int n = dhcp_frame(frame, sizeof(frame), msg, len);

	if (n < 0)
		return n;
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_IP);
	sll.sll_ifindex = f->link.ifindex;
	sll.sll_halen = ETH_ALEN;
	memset(sll.sll_addr, 0xff, ETH_ALEN);
	if (sendto(f->fd, frame, (size_t)n, 0, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		return -errno;
	return 0;
}

static int open_packet(int ifindex)
{
	/* Keep IPv4 UDP to port 68 that is not a fragment (offsets from the IP header). */
	static struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 9),			/* protocol */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_UDP, 0, 6),
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 6),			/* flags + fragment offset */
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x1fff, 4, 0),
		BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),			/* X = IP header length */
		BPF_STMT(BPF_LD | BPF_H | BPF_IND, 2),			/* UDP destination port */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, DHCP_CLIENT_PORT, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = { sizeof(code) / sizeof(code[0]), code };
	struct sockaddr_ll sll;
	int fd, e;

	fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, htons(ETH_P_IP));
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0)
		goto err_close;
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_IP);
	sll.sll_ifindex = ifindex;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		goto err_close;
	return fd;
err_close:
	e = -errno;
	close(fd);
	return e;
}

void net_dhcp_stop(struct ifc *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}

int net_dhcp_start(struct ctx *c, struct ifc *f, uint64_t now)
{
	const struct net_ipconf *conf = f->entry >= 0 ? &c->ip[f->entry] : &c->implicit;
	struct timespec ts;
	int fd;

	if (f->fd < 0) {
		fd = open_packet(f->link.ifindex);
		if (fd < 0) {
			net_evf(c, EV_ERR, "%s: opening a packet socket: %s (is af_packet loaded?)",
			    f->link.name, strerror(-fd));
			return fd;
		}
		f->fd = fd;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	memset(&f->dc, 0, sizeof(f->dc));
	memcpy(f->dc.mac, f->link.mac, 6);
	f->dc.hostname = conf->hostname[0] ? conf->hostname : NULL;
	f->dc.vendor_class = c->np->vendor_class;
	f->dc.requested = conf->addr;
	f->dc.timeout_ms = (uint64_t)c->np->timeout.dhcp * 1000;
	f->dc.seed = (uint32_t)ts.tv_nsec ^ (uint32_t)ts.tv_sec ^
		     (uint32_t)(f->link.mac[2] << 24 | f->link.mac[3] << 16 | f->link.mac[4] << 8 |
				f->link.mac[5]) ^ (uint32_t)f->link.ifindex;
	f->dc.send = send_frame;
	f->dc.ctx = f;
	f->attempt++;
	f->st = IFC_DHCP;
	net_evf(c, EV_DEBUG, "%s: DHCP attempt %u", f->link.name, f->attempt);
	dhcpc_start(&f->dc, now);
	return 0;
}
