/* libFuzzer: the network keys of the command line. The input is split into
 * lines "key=value" (or a bare key); each goes to net_plan_arg, then
 * net_plan_finish, net_plan_print (human and JSON) into a memory buffer.
 * Errors must be one line and NUL-terminated. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/ipconf.h"

static const char *const keys[] = {
	"ip", "nameserver", "rd.peerdns", "rd.route", "BOOTIF", "rd.bootif", "bootdev",
	"ifname", "vlan", "rd.neednet", "rd.net.timeout.carrier", "rd.net.dhcp.retry", "bond",
};

static void check_err(const char *err)
{
	if (strchr(err, '\n'))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[8192], out[65536];
	struct net_plan np;
	char err[256], *line, *save = NULL;
	FILE *f;

	if (size >= sizeof(buf))
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	net_plan_init(&np);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '=');
		const char *key = line;
		int rc;

		/* a leading digit picks a known key so short inputs hit the parsers */
		if (line[0] >= '0' && line[0] <= '9' && (size_t)(line[0] - '0') < sizeof(keys) / sizeof(keys[0])) {
			key = keys[line[0] - '0'];
			eq = line;
		} else if (eq) {
			*eq = '\0';
		}
		err[0] = '\0';
		rc = net_plan_arg(&np, key, eq ? eq + 1 : NULL, err, sizeof(err));
		if (rc < 0)
			check_err(err);
	}
	err[0] = '\0';
	if (net_plan_finish(&np, err, sizeof(err)) < 0)
		check_err(err);
	f = fmemopen(out, sizeof(out), "w");
	if (f) {
		net_plan_print(&np, f, false);
		net_plan_print(&np, f, true);
		net_plan_require(&np);
		net_plan_print(&np, f, true);
		fclose(f);
	}
	return 0;
}
