/*
 * netup: run net/ on the host (glibc), for tests/host/net-*.sh and bench/dhcp.sh.
 *   netup --root DIR [key=value | flag]...
 * Parses the arguments as kernel command-line parameters with net_plan_arg,
 * runs net_up, prints events to stderr and one line to stdout:
 *   RESULT iface=.. addr=../.. gw=.. dns=a,b mtu=.. server=.. next_server=.. file=.. lease=.. elapsed_ms=..
 * Exit 0 configured, 1 net_up failed (ERROR line), 2 bad arguments.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/ipconf.h"
#include "net/net.h"

static void ev(void *ctx, int level, const char *msg)
{
	static const char *const names[] = { "error", "warn", "info", "debug" };

	(void)ctx;
	fprintf(stderr, "netup: %s: %s\n", level >= 0 && level <= 3 ? names[level] : "?", msg);
}

int main(int argc, char **argv)
{
	struct net_plan np;
	struct net_result r;
	char err[256], a[INET_ADDRSTRLEN], line[512];
	int i, rc;

	net_plan_init(&np);
	for (i = 1; i < argc; i++) {
		char key[128], *eq;

		if (!strcmp(argv[i], "--root") && i + 1 < argc) {
			snprintf(np.root, sizeof(np.root), "%s", argv[++i]);
			continue;
		}
		if (!strcmp(argv[i], "--plan")) {
			net_plan_print(&np, stdout, false);
			continue;
		}
		snprintf(key, sizeof(key), "%s", argv[i]);
		eq = strchr(key, '=');
		if (eq)
			*eq = '\0';
		rc = net_plan_arg(&np, key, eq ? argv[i] + (eq - key) + 1 : NULL, err, sizeof(err));
		if (rc < 0) {
			printf("ERROR %s\n", err);
			return 2;
		}
		if (rc == 0) {
			fprintf(stderr, "netup: %s: not a network parameter\n", argv[i]);
			return 2;
		}
	}
	if (net_plan_finish(&np, err, sizeof(err))) {
		printf("ERROR %s\n", err);
		return 2;
	}
	net_plan_require(&np);
	rc = net_up(&np, &r, ev, NULL, err, sizeof(err));
	if (rc) {
		printf("ERROR rc=%d %s\n", rc, err);
		return 1;
	}
	net_result_format(&r, line, sizeof(line));
	fprintf(stderr, "netup: %s\n", line);
	printf("RESULT iface=%s addr=%s/%u", r.iface, inet_ntop(AF_INET, &r.addr, a, sizeof(a)), r.prefix);
	printf(" gw=%s dns=", r.gw.s_addr ? inet_ntop(AF_INET, &r.gw, a, sizeof(a)) : "none");
	for (i = 0; i < r.n_dns; i++)
		printf("%s%s", i ? "," : "", inet_ntop(AF_INET, &r.dns[i], a, sizeof(a)));
	printf(" mtu=%u server=%s", r.mtu, inet_ntop(AF_INET, &r.server, a, sizeof(a)));
	printf(" next_server=%s file=%s lease=%u domain=%s elapsed_ms=%u",
	       inet_ntop(AF_INET, &r.next_server, a, sizeof(a)), r.boot_file[0] ? r.boot_file : "none",
	       r.lease_s, r.domain[0] ? r.domain : "none", r.elapsed_ms);
	if (r.v6.on) {
		char b[INET6_ADDRSTRLEN];

		printf(" method6=%s addr6=%s/%u", net_method6_name(r.v6.method),
		       r.v6.has_addr ? inet_ntop(AF_INET6, &r.v6.addr, b, sizeof(b)) : "none", r.v6.prefix);
		printf(" ll6=%s", inet_ntop(AF_INET6, &r.v6.link_local, b, sizeof(b)));
		printf(" gw6=%s dns6=", IN6_IS_ADDR_UNSPECIFIED(&r.v6.gw) ? "none" : inet_ntop(AF_INET6, &r.v6.gw, b, sizeof(b)));
		for (i = 0; i < r.v6.n_dns; i++)
			printf("%s%s", i ? "," : "", inet_ntop(AF_INET6, &r.v6.dns[i], b, sizeof(b)));
		printf(" search6=%s dhcp6=%d ra_m=%d ra_o=%d bootfile6=%s elapsed6_ms=%u", r.v6.search[0] ? r.v6.search : "none",
		       r.v6.dhcp6, r.v6.ra_managed, r.v6.ra_other, r.v6.boot_url[0] ? r.v6.boot_url : "none", r.v6.elapsed_ms);
	}
	putchar('\n');
	return 0;
}
