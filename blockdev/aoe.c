/* aoe: ATA-over-Ethernet target discovery (see aoe.h). */
#include "blockdev/aoe.h"
#include "util/errbuf.h"
#include "util/fsutil.h"
#include "util/clock.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define AOE_MAX_SHELF 65534   /* 0xffff is the broadcast shelf */
#define AOE_MAX_SLOT 254      /* 0xff is the broadcast slot */
#define AOE_IFNAME_MAX 15     /* IFNAMSIZ - 1 */
#define AOE_SYS_PREFIX "etherd!"
#define AOE_MAX_FOUND 8       /* targets listed in a "several targets" error */

static void sleep_ms(unsigned ms)
{
	struct timespec t = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&t, &t) < 0 && errno == EINTR)
		;
}

/* Parse a decimal number from *p up to max; advances *p. */
static int num(const char **p, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;
	const char *s = *p;

	if (*s < '0' || *s > '9')
		return -1;
	while (*s >= '0' && *s <= '9') {
		v = v * 10 + (unsigned long)(*s++ - '0');
		if (v > max)
			return -1;
	}
	*p = s;
	*out = v;
	return 0;
}

int aoe_is_target(const char *s)
{
	unsigned long shelf, slot;

	if (!s || *s++ != 'e')
		return 0;
	if (num(&s, AOE_MAX_SHELF, &shelf) || *s++ != '.')
		return 0;
	if (num(&s, AOE_MAX_SLOT, &slot) || *s)
		return 0;
	return 1;
}

static int valid_ifname(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > AOE_IFNAME_MAX || !strcmp(s, ".") || !strcmp(s, ".."))
		return 0;
	for (; *s; s++)
		if (*s == '/' || *s == ':' || (unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f)
			return 0;
	return 1;
}

/* Read a small sysfs file into buf (trailing newline removed). */
static int read_attr(const char *dir, const char *name, const char *attr, char *buf, size_t len)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s%s/%s", dir, AOE_SYS_PREFIX, name, attr);
	return fs_read_small(path, buf, len);
}

static int write_ctl(const struct aoe_paths *p, const char *file, const char *text)
{
	char path[512];
	int fd, rc = 0;

	snprintf(path, sizeof(path), "%s/%s", p->dev_etherd, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, text, strlen(text)) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

/* The target is usable: sysfs state begins with "up" and the device node exists. */
static int target_ready(const struct aoe_paths *p, const char *target)
{
	char state[64], path[512];
	struct stat st;

	if (read_attr(p->sys_block, target, "state", state, sizeof(state)) || strncmp(state, "up", 2))
		return 0;
	snprintf(path, sizeof(path), "%s/%s", p->dev_etherd, target);
	return stat(path, &st) == 0 && (S_ISBLK(st.st_mode) || S_ISREG(st.st_mode));
}

/* 1 if the comma list in netif names iface. */
static int netif_has(const char *list, const char *iface)
{
	size_t n = strlen(iface);

	for (const char *s = list; *s;) {
		const char *e = strchr(s, ',');
		size_t k = e ? (size_t)(e - s) : strlen(s);
		if (k == n && !strncmp(s, iface, n))
			return 1;
		if (!e)
			break;
		s = e + 1;
	}
	return 0;
}

/* Ready targets seen on iface; names into found (up to AOE_MAX_FOUND); returns the count. */
static int scan_iface(const struct aoe_paths *p, const char *iface, char found[][32])
{
	DIR *d = opendir(p->sys_block);
	struct dirent *e;
	char netif[256];
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		const char *name = e->d_name + strlen(AOE_SYS_PREFIX);
		if (strncmp(e->d_name, AOE_SYS_PREFIX, strlen(AOE_SYS_PREFIX)) || !aoe_is_target(name))
			continue;
		if (read_attr(p->sys_block, name, "netif", netif, sizeof(netif)) || !netif_has(netif, iface))
			continue;
		if (!target_ready(p, name))
			continue;
		if (n < AOE_MAX_FOUND)
			snprintf(found[n], sizeof(found[n]), "%s", name);
		n++;
	}
	closedir(d);
	return n;
}

int aoe_attach_at(const struct aoe_paths *p, const char *value, unsigned timeout_ms,
		  unsigned poll_ms, char *dev_out, size_t devlen, char *err, size_t errlen)
{
	long long start = (long long)mono_ms(), deadline = start + timeout_ms, next_discover = 0, first_seen = -1;
	int is_target, rc;
	char found[AOE_MAX_FOUND][32];

	if (err && errlen)
		err[0] = '\0';
	if (!value || !*value) {
		seterr(err, errlen, "aoe: empty value; expected a target e<shelf>.<slot> (e.g. e0.1) or an interface name");
		return -EINVAL;
	}
	is_target = aoe_is_target(value);
	if (!is_target && !valid_ifname(value)) {
		seterr(err, errlen, "aoe: '%.64s' is neither a target e<shelf>.<slot> (shelf 0-65534, slot 0-254) nor an interface name", value);
		return -EINVAL;
	}
	if (poll_ms == 0)
		poll_ms = 100;
	if (!is_target) {
		rc = write_ctl(p, "interfaces", value);
		if (rc == -ENOENT) {
			seterr(err, errlen, "aoe: %s/interfaces is missing: is the aoe module loaded?", p->dev_etherd);
			return -ENODEV;
		}
		if (rc) {
			seterr(err, errlen, "aoe: restricting discovery to '%s': %s", value, strerror(-rc));
			return rc;
		}
	}
	for (;;) {
		long long t = (long long)mono_ms();

		if (t >= next_discover) {
			rc = write_ctl(p, "discover", "1\n");
			if (rc == -ENOENT) {
				seterr(err, errlen, "aoe: %s/discover is missing: is the aoe module loaded?", p->dev_etherd);
				return -ENODEV;
			}
			next_discover = t + AOE_DISCOVER_INTERVAL_MS;
		}
		if (is_target) {
			if (target_ready(p, value)) {
				snprintf(dev_out, devlen, "%s/%s", p->dev_etherd, value);
				return 0;
			}
		} else {
			int n = scan_iface(p, value, found);
			if (n > 1) {
				char list[AOE_MAX_FOUND * 34] = "";
				for (int i = 0; i < n && i < AOE_MAX_FOUND; i++) {
					strcat(list, i ? ", " : "");
					strcat(list, found[i]);
				}
				seterr(err, errlen, "aoe: %d targets answer on interface %s (%s); name one with root=overlay:aoe=<e<shelf>.<slot>>", n, value, list);
				return -ENOTUNIQ;
			}
			if (n == 1) {
				/* Others may answer a moment later: wait one discovery round. */
				if (first_seen < 0)
					first_seen = t;
				if (t - first_seen >= AOE_DISCOVER_INTERVAL_MS || t >= deadline) {
					snprintf(dev_out, devlen, "%s/%s", p->dev_etherd, found[0]);
					return 0;
				}
			}
		}
		if (t >= deadline)
			break;
		sleep_ms(poll_ms);
	}
	if (is_target)
		seterr(err, errlen, "aoe: target %s did not appear within %u ms (is vblade exporting e%s on this segment?)",
		       value, timeout_ms, value + 1);
	else
		seterr(err, errlen, "aoe: no AoE target answered on interface %s within %u ms (is vblade running on that segment?)",
		       value, timeout_ms);
	return -ETIMEDOUT;
}

int aoe_attach(const char *target_or_iface, unsigned timeout_ms, char *dev_out, size_t devlen,
	       char *err, size_t errlen)
{
	static const struct aoe_paths real = { .dev_etherd = "/dev/etherd", .sys_block = "/sys/block" };

	return aoe_attach_at(&real, target_or_iface, timeout_ms, 100, dev_out, devlen, err, errlen);
}
