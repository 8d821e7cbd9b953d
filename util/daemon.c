/* daemon.h: detaching a process that outlives switch_root, and naming it. */
#include "util/daemon.h"
#include "util/fsutil.h"

#include <fcntl.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

int daemon_set_cmdline(const char *name)
{
	char buf[1024], *p;
	unsigned long start = 0, end = 0;
	int rc, field;

	prctl(PR_SET_NAME, (unsigned long)name, 0, 0, 0);
	if ((rc = fs_read_small("/proc/self/stat", buf, sizeof(buf))))
		return rc;
	if (!buf[0])
		return -EIO;
	p = strrchr(buf, ')');
	if (!p)
		return -EPROTO;
	/* p+2 is field 3 (state); walk to field 48 (arg_start) */
	p += 2;
	for (field = 3; field < 48 && p; field++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	if (!p || sscanf(p, "%lu %lu", &start, &end) != 2 || end <= start || end - start > (1u << 20))
		return -EPROTO;
	{
		char *area = (char *)start;
		size_t len = end - start, k = strlen(name);

		if (k > len - 1)
			k = len - 1;
		memset(area, 0, len);
		memcpy(area, name, k);
	}
	return 0;
}

static bool kept(int fd, const int *keep, unsigned nkeep)
{
	for (unsigned i = 0; i < nkeep; i++)
		if (keep[i] == fd)
			return true;
	return false;
}

void daemon_detach(const int *keep, unsigned nkeep, bool pin)
{
	long max = sysconf(_SC_OPEN_MAX);
	struct stat st;
	int fd;

	if (max < 0 || max > 65536)
		max = 65536;
	for (fd = 3; fd < max; fd++)
		if (!kept(fd, keep, nkeep) && fstat(fd, &st) == 0 && !S_ISCHR(st.st_mode))
			close(fd);
	setsid();
	if (chdir("/") < 0) {
		/* nothing to do: "/" always exists */
	}
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	if (!pin)
		return;
	fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, "-1000", 5) < 0) {
			/* best effort */
		}
		close(fd);
	}
	mlockall(MCL_CURRENT | MCL_FUTURE);
}
