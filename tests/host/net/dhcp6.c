/*
 * netdhcp6: run net/dhcp6run.c's dhcp6_run on the host (glibc), for
 * tests/host/net-dhcp6.sh and bench/dhcp.sh.
 *   netdhcp6 IFACE stateful|stateless [timeout_ms [dad_wait_ms [norapid]]]
 * The link must be up (the caller's job, as in the boot). Prints one line:
 *   RESULT iface=.. addr=..|none pref=.. valid=.. t1=.. t2=.. dns=a,b search=a,b
 *          url=.. param=.. server=.. duid=hex rapid=0|1 dad_ms=.. elapsed_ms=.. sent=..
 * (search and param with ',' for ' '), or "ERROR rc=-N <line>".
 * Exit 0 leased, 1 dhcp6_run failed, 2 bad arguments.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/dhcp6run.h"

static int read_mac(const char *ifname, uint8_t mac[6])
{
	char path[128], line[64];
	unsigned v[6];
	FILE *f;
	int k;

	snprintf(path, sizeof(path), "/sys/class/net/%s/address", ifname);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (!fgets(line, sizeof(line), f) ||
	    sscanf(line, "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6) {
		fclose(f);
		return -1;
	}
	fclose(f);
	for (k = 0; k < 6; k++)
		mac[k] = (uint8_t)v[k];
	return 0;
}

/* s with ' ' as ',' (so RESULT stays one space-separated line); "none" if empty */
static const char *commas(const char *s, char *buf, size_t len)
{
	size_t k;

	if (!*s)
		return "none";
	snprintf(buf, len, "%s", s);
	for (k = 0; buf[k]; k++)
		if (buf[k] == ' ')
			buf[k] = ',';
	return buf;
}

int main(int argc, char **argv)
{
	struct dhcp6_cfg cfg;
	struct dhcp6_lease l;
	char err[256], a[INET6_ADDRSTRLEN], b1[DHCP6_STR_MAX], b2[DHCP6_STR_MAX];
	int rc, k;

	if (argc < 3 || (strcmp(argv[2], "stateful") && strcmp(argv[2], "stateless"))) {
		fprintf(stderr, "usage: netdhcp6 IFACE stateful|stateless [timeout_ms [dad_wait_ms [norapid]]]\n");
		return 2;
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.ifname = argv[1];
	cfg.ifindex = (int)if_nametoindex(argv[1]);
	if (!cfg.ifindex || read_mac(argv[1], cfg.mac)) {
		printf("ERROR no interface %s\n", argv[1]);
		return 2;
	}
	cfg.mode = strcmp(argv[2], "stateless") ? DHCP6_STATEFUL : DHCP6_STATELESS;
	cfg.timeout_ms = argc > 3 ? (unsigned)strtoul(argv[3], NULL, 10) : 10000;
	cfg.dad_wait_ms = argc > 4 ? (unsigned)strtoul(argv[4], NULL, 10) : 5000;
	cfg.no_rapid_commit = argc > 5 && !strcmp(argv[5], "norapid");
	rc = dhcp6_run(&cfg, &l, err, sizeof(err));
	if (rc) {
		printf("ERROR rc=%d %s\n", rc, err);
		return 1;
	}
	printf("RESULT iface=%s addr=%s", cfg.ifname,
	       l.stateful ? inet_ntop(AF_INET6, &l.addr, a, sizeof(a)) : "none");
	printf(" pref=%u valid=%u t1=%u t2=%u dns=", l.preferred_s, l.valid_s, l.t1_s, l.t2_s);
	for (k = 0; k < l.n_dns; k++)
		printf("%s%s", k ? "," : "", inet_ntop(AF_INET6, &l.dns[k], a, sizeof(a)));
	if (!l.n_dns)
		printf("none");
	printf(" search=%s url=%s", commas(l.search, b1, sizeof(b1)),
	       l.bootfile_url[0] ? l.bootfile_url : "none");
	printf(" param=%s server=%s duid=", commas(l.bootfile_param, b2, sizeof(b2)),
	       inet_ntop(AF_INET6, &l.server, a, sizeof(a)));
	for (k = 0; k < l.server_id_len; k++)
		printf("%02x", l.server_id[k]);
	printf(" rapid=%d dad_ms=%u elapsed_ms=%u sent=%u\n", l.rapid_commit, l.dad_ms,
	       l.elapsed_ms, l.sent);
	return 0;
}
