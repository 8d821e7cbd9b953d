#include "init/nethandoff.h"
#include "init/log.h"
#include "net/handoff.h"
#include "util/fsutil.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void nethandoff_hostname(const struct net_result *res)
{
	/* dracut: "echo $new_host_name > /proc/sys/kernel/hostname"; systemd keeps a
	 * host name that is set when the root has no /etc/hostname */
	if (!res->hostname[0])
		return;
	if (!handoff_hostname_ok(res->hostname)) {
		log_warn("network: host name from %s is not a valid host name: not set", res->dhcp ? "DHCP" : "ip=");
		return;
	}
	if (sethostname(res->hostname, strlen(res->hostname)) < 0)
		log_warn("network: set the host name %s: %s", res->hostname, strerror(errno));
	else
		log_info("network: host name %s (from %s)", res->hostname, res->dhcp ? "DHCP" : "ip=");
}

static void put(const char *what, int (*path)(const struct handoff *, char *, size_t),
		int (*format)(const struct handoff *, char *, size_t), const struct handoff *h, mode_t mode,
		const char *note)
{
	char rel[HANDOFF_PATH_MAX], abs[HANDOFF_PATH_MAX + 1];
	static char text[HANDOFF_TEXT_MAX];
	int rc;

	if ((rc = path(h, rel, sizeof(rel))) || (rc = format(h, text, sizeof(text)))) {
		log_warn("handoff: %s for %s: %s", what, h->res->iface, strerror(-rc));
		return;
	}
	snprintf(abs, sizeof(abs), "/%s", rel);
	if ((rc = fs_write_file(abs, text, mode)) < 0)
		log_warn("handoff: writing %s: %s", abs, strerror(-rc));
	else
		log_info("handoff: %s for %s: %s%s", what, h->res->iface, abs, note);
}

void nethandoff_files(const struct boot_plan *plan, const struct net_result *res)
{
	char uuid[40] = "";
	struct handoff h = { .res = res, .uuid = uuid };

	if (plan->root_kind == ROOT_NBD)
		h.netroot = "nbd";
	else if (plan->root_kind == ROOT_AOE)
		h.netroot = "aoe";
	put("systemd-networkd", handoff_networkd_path, handoff_networkd_format, &h, 0644,
	    h.netroot ? " (KeepConfiguration=yes: the root is on it)" : "");
	if (fs_read_small("/proc/sys/kernel/random/uuid", uuid, sizeof(uuid)) < 0) {
		log_warn("handoff: NetworkManager keyfile: no UUID from /proc/sys/kernel/random/uuid");
		return;
	}
	/* NetworkManager ignores keyfiles that others can read */
	put("NetworkManager", handoff_nm_path, handoff_nm_format, &h, 0600, "");
	h.ifindex = (int)if_nametoindex(res->iface);
	put("NetworkManager", handoff_nm_state_path, handoff_nm_state_format, &h, 0644,
	    " (device state: the profile above is assumed)");
	if (h.netroot) {
		put("ifupdown", handoff_ifup_path, handoff_ifup_format, &h, 0644, " (no ifdown at shutdown)");
		put("ifupdown", handoff_networking_path, handoff_networking_format, &h, 0644, "");
	}
}
