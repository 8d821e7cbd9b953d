#include "kairos/kairos.h"
#include "util/errbuf.h"
#include "util/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static bool starts(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

/* kairos-sdk reads the whole line with strings.Contains; within one parameter that is
 * the same test on "key=value" (a match across two parameters would need the space). */
unsigned kairos_param_flags(const char *key, const char *value)
{
	static const struct { const char *sub; unsigned flag; } subs[] = {
		{ "kairos.reset", KAIROS_RESET },   { "COS_ACTIVE", KAIROS_ACTIVE },
		{ "COS_PASSIVE", KAIROS_PASSIVE },  { "COS_RECOVERY", KAIROS_RECOVERY },
		{ "COS_SYSTEM", KAIROS_RECOVERY },  { "recovery-mode", KAIROS_RECOVERY },
		{ "live:LABEL", KAIROS_LIVE },      { "live:CDLABEL", KAIROS_LIVE },
		{ "netboot", KAIROS_LIVE },
	};
	char text[4096];
	unsigned f = 0;
	size_t i;

	if (!key)
		return 0;
	if (strcmp(key, "netboot") == 0 || starts(key, "rd.cos.") || starts(key, "rd.immucore."))
		f |= KAIROS_OPTIN;
	if (strcmp(key, "kairos.ram") == 0 || starts(key, "kairos.ram."))
		f |= KAIROS_RAM;
	snprintf(text, sizeof(text), "%s%s%s", key, value ? "=" : "", value ? value : "");
	for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (strstr(text, subs[i].sub))
			f |= subs[i].flag;
	return f;
}

const char *kairos_state_name(unsigned f)
{
	if (f & KAIROS_RAM)
		return "active_mode";
	if (f & KAIROS_RESET)
		return "autoreset_mode";
	if (f & KAIROS_ACTIVE)
		return "active_mode";
	if (f & KAIROS_PASSIVE)
		return "passive_mode";
	if (f & KAIROS_RECOVERY)
		return "recovery_mode";
	if (f & KAIROS_LIVE)
		return "live_mode";
	return "unknown";
}

/* path (absolute) opened as if rootfd were "/": symlinks of the image stay inside it */
static int open_in_root(int rootfd, const char *path, int flags)
{
	struct open_how how = { .flags = (unsigned)flags | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT };
	int fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));

	return fd < 0 ? -errno : fd;
}

/* is there a line starting with one of the prefixes in the first 16 KiB of fd */
static bool has_line(int fd, const char *const *prefixes, size_t n)
{
	char buf[16384], *line, *save = NULL;
	ssize_t got = read(fd, buf, sizeof(buf) - 1);

	if (got <= 0)
		return false;
	buf[got] = '\0';
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		for (size_t i = 0; i < n; i++)
			if (starts(line, prefixes[i]))
				return true;
	}
	return false;
}

int kairos_image(const char *root, char *what, size_t whatlen)
{
	static const char *const os_release[] = { "/etc/os-release", "/usr/lib/os-release" };
	static const char *const kairos_lines[] = { "KAIROS_", "ID=kairos", "ID=\"kairos" };
	struct stat st;
	int rootfd, fd, found = 0;

	rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return -errno;
	fd = open_in_root(rootfd, "/etc/kairos-release", O_RDONLY | O_NONBLOCK);
	if (fd >= 0) {
		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
			seterr(what, whatlen, "/etc/kairos-release");
			found = 1;
		}
		close(fd);
	}
	for (size_t i = 0; !found && i < sizeof(os_release) / sizeof(os_release[0]); i++) {
		fd = open_in_root(rootfd, os_release[i], O_RDONLY | O_NONBLOCK);
		if (fd < 0)
			continue;
		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
		    has_line(fd, kairos_lines, sizeof(kairos_lines) / sizeof(kairos_lines[0]))) {
			seterr(what, whatlen, "%s (KAIROS_* or ID=kairos)", os_release[i]);
			found = 1;
		}
		close(fd);
	}
	close(rootfd);
	return found;
}

int kairos_write_state(const char *rundir, const char *state, char *err, size_t errlen)
{
	char path[512];
	int rc;

	if (!*state || strchr(state, '/') || strcmp(state, ".") == 0 || strcmp(state, "..") == 0) {
		seterr(err, errlen, "boot state \"%s\": not a file name", state);
		return -EINVAL;
	}
	snprintf(path, sizeof(path), "%s/cos", rundir);
	rc = fs_mkdir_p(path, 0755);
	if (rc < 0) {
		seterr(err, errlen, "mkdir %s: %s", path, strerror(-rc));
		return rc;
	}
	if (snprintf(path, sizeof(path), "%s/cos/%s", rundir, state) >= (int)sizeof(path)) {
		seterr(err, errlen, "%s/cos/%s: path too long", rundir, state);
		return -ENAMETOOLONG;
	}
	rc = fs_write_file(path, "1", 0644);
	if (rc < 0) {
		seterr(err, errlen, "write %s: %s", path, strerror(-rc));
		return rc;
	}
	snprintf(path, sizeof(path), "%s/immucore", rundir);
	rc = fs_mkdir_p(path, 0755);
	if (rc < 0) {
		seterr(err, errlen, "mkdir %s: %s", path, strerror(-rc));
		return rc;
	}
	return 0;
}

int kairos_find_tool(const char *root, const char *stage, struct kairos_tool *t)
{
	static const char *const tools[] = { "/usr/bin/kairos-agent", "/usr/sbin/kairos-agent", "/usr/bin/elemental",
					     "/usr/sbin/elemental" };
	int rootfd, rc = -ENOENT;

	rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return -errno;
	for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]) && rc < 0; i++) {
		struct stat st;
		int fd = open_in_root(rootfd, tools[i], O_PATH);

		if (fd < 0)
			continue;
		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111)) {
			snprintf(t->path, sizeof(t->path), "%s", tools[i]);
			t->argv[0] = strrchr(tools[i], '/') + 1;
			t->argv[1] = "run-stage";
			t->argv[2] = stage;
			t->argv[3] = NULL;
			rc = 0;
		}
		close(fd);
	}
	close(rootfd);
	return rc;
}
