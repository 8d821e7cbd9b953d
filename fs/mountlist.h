/* mountlist: which mount points lie at or below a directory, in the order to unmount them
 * (pure: parses the text of /proc/self/mountinfo; the shutdown does the unmounting).
 * Deepest first; at the same depth the later mount first (it may sit on the earlier one).
 * virt marks the mounts without a block device, which may be detached lazily: nothing of
 * theirs needs writing back (a process of the old root that still holds e.g. /dev/console,
 * the NBD supervisor, must not keep the root above them mounted).
 * Mount points are unescaped (mountinfo writes space, tab, newline, '\' as \ooo). */
#ifndef NETINIT_FS_MOUNTLIST_H
#define NETINIT_FS_MOUNTLIST_H
#include <stdbool.h>
#include <stddef.h>

#define MOUNTLIST_MAX 256	/* mount points kept; more are counted in dropped */
#define MOUNTLIST_PATH 512	/* longer mount points are skipped */

struct mountlist {
	char path[MOUNTLIST_MAX][MOUNTLIST_PATH];
	bool virt[MOUNTLIST_MAX];	/* no block device under it (device major 0: tmpfs, proc, overlay...) */
	unsigned n;
	unsigned dropped;	/* below dir but not kept (too many), or lines that do not parse */
};

/* Fill out with the mount points of mountinfo equal to dir or below it ("/oldroot" matches
 * "/oldroot" and "/oldroot/run", not "/oldroots"). Lines that do not parse are skipped. */
void mountlist_under(const char *mountinfo, const char *dir, struct mountlist *out);

#endif
