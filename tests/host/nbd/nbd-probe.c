/* Host-test driver for blockdev/nbd*: parse a root spec, connect, handshake, print one line.
 *   nbd-probe [--attach] <kiwi|dracut> <value> <timeout_ms>
 * Handshake mode prints "OK size=N tflags=0xF go=G ro=R bmin=B ms=T" or "ERR <errno> <detail> ms=T".
 * --attach runs nbd_attach() (connect retries, then the kernel part, which needs the nbd
 * module: on a host without it the result is an error after the handshake); --attach
 * --supervise also leaves the reconnect supervisor running and prints "DEV <dev> sup=<pid>". */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "blockdev/nbd.h"

static long long ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

/* musl has no strerrorname_np: the names the tests look for. */
static const char *errname(int e)
{
	switch (e) {
	case ENOENT: return "ENOENT";
	case EPROTO: return "EPROTO";
	case EFBIG: return "EFBIG";
	case ETIMEDOUT: return "ETIMEDOUT";
	case ECONNRESET: return "ECONNRESET";
	case ECONNREFUSED: return "ECONNREFUSED";
	case EACCES: return "EACCES";
	case EINVAL: return "EINVAL";
	case EHOSTUNREACH: return "EHOSTUNREACH";
	case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
	default: return "E?";
	}
}

static void on_event(void *ctx, int level, const char *msg)
{
	(void)ctx;
	printf("event %d %s\n", level, msg);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct nbd_spec s;
	struct nbd_export x;
	char err[512] = "", dev[64];
	int attach = 0, supervise = 0, rc, fd;
	long long t0 = ms();

	if (argc > 1 && !strcmp(argv[1], "--attach")) {
		attach = 1;
		argv++;
		argc--;
	}
	if (argc > 1 && !strcmp(argv[1], "--supervise")) {
		supervise = 1;
		argv++;
		argc--;
	}
	if (argc != 4) {
		fprintf(stderr, "usage: nbd-probe [--attach] <kiwi|dracut> <value> <timeout_ms>\n");
		return 2;
	}
	rc = nbd_spec_parse(argv[1], argv[2], &s, err, sizeof(err));
	if (rc)
		goto out;
	if (attach) {
		rc = nbd_attach(&s, (unsigned)atoi(argv[3]), dev, sizeof(dev), &x, on_event, NULL, err, sizeof(err));
		if (!rc && supervise) {
			pid_t pid;
			rc = nbd_supervise_spawn(&s, &x, on_event, NULL, &pid, err, sizeof(err));
			if (!rc)
				printf("DEV %s sup=%d netlink=%d\n", dev, (int)pid, x.via_netlink);
		} else if (!rc) {
			printf("DEV %s netlink=%d\n", dev, x.via_netlink);
		}
		fflush(stdout);
		goto out;
	}
	fd = nbd_connect_tcp(&s, 5000, err, sizeof(err));
	if (fd < 0) {
		rc = fd;
		goto out;
	}
	rc = nbd_handshake_fd(fd, s.export_name, (unsigned)atoi(argv[3]), &x, err, sizeof(err));
	close(fd);
out:
	if (rc)
		printf("ERR %s %s ms=%lld\n", errname(-rc), err, ms() - t0);
	else
		printf("OK size=%llu tflags=0x%x go=%d ro=%d bmin=%u ms=%lld\n", (unsigned long long)x.size,
		       x.tflags, x.used_go, x.read_only, x.block_min, ms() - t0);
	return rc ? 1 : 0;
}
