/*
 * loopctl: drive blockdev/loop, blockdev/devwait and fs/probe from a
 * shell test (tests/host/loop.sh).  Prints one result line; exit 0 or 1.
 *   loopctl attach FILE ro|rw          attach (LOOP_CONFIGURE), print the device
 *   loopctl attach-legacy FILE ro|rw   same through LOOP_SET_FD + SET_STATUS64
 *   loopctl mount-autoclear FILE DIR FSTYPE
 *                                      attach with AUTOCLEAR, mount ro, close
 *   loopctl detach DEV
 *   loopctl probe PATH                 TYPE LABEL UUID SIZE
 *   loopctl find SPEC [TIMEOUT_MS]     device node for a devspec
 */
#include "blockdev/devwait.h"
#include "blockdev/loop.h"
#include "fs/probe.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

static int fail(const char *what, int rc)
{
	fprintf(stderr, "loopctl: %s: %s\n", what, strerror(-rc));
	return 1;
}

int main(int argc, char **argv)
{
	char dev[64], node[256], err[256];
	int rc;

	if (argc >= 4 && (!strcmp(argv[1], "attach") || !strcmp(argv[1], "attach-legacy"))) {
		loop_no_configure = !strcmp(argv[1], "attach-legacy");
		rc = loop_attach(argv[2], !strcmp(argv[3], "ro"), dev, sizeof(dev));
		if (rc)
			return fail("attach", rc);
		printf("%s\n", dev);
		return 0;
	}
	if (argc == 5 && !strcmp(argv[1], "mount-autoclear")) {
		int fd;
		rc = loop_attach_autoclear(argv[2], true, dev, sizeof(dev), &fd);
		if (rc)
			return fail("attach", rc);
		if (mount(dev, argv[3], argv[4], MS_RDONLY, NULL)) {
			rc = -errno;
			close(fd);
			return fail("mount", rc);
		}
		close(fd);
		printf("%s\n", dev);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "detach")) {
		rc = loop_detach(argv[2]);
		return rc ? fail("detach", rc) : 0;
	}
	if (argc == 3 && !strcmp(argv[1], "probe")) {
		struct probe_info pi;
		rc = probe_path(argv[2], &pi);
		if (rc)
			return fail("probe", rc);
		printf("TYPE=%s LABEL=%s UUID=%s SIZE=%llu\n", pi.fstype, pi.label, pi.uuid,
		       (unsigned long long)pi.size);
		return 0;
	}
	if ((argc == 3 || argc == 4) && !strcmp(argv[1], "find")) {
		struct devspec s;
		rc = devspec_parse(argv[2], &s, err, sizeof(err));
		if (rc) {
			fprintf(stderr, "loopctl: %s\n", err);
			return 1;
		}
		rc = devspec_wait(&s, argc == 4 ? (unsigned)atoi(argv[3]) : 0, node, sizeof(node),
				  NULL, NULL);
		if (rc)
			return fail("find", rc);
		printf("%s\n", node);
		return 0;
	}
	fprintf(stderr, "usage: loopctl attach|attach-legacy|mount-autoclear|detach|probe|find ...\n");
	return 2;
}
