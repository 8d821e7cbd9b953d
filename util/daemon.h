/* daemon: what a process netinit leaves running past switch_root (the NBD supervisor, the
 * torrent seeder) does after fork(2) to stop holding on to the initramfs, and the name it
 * shows in ps and to systemd's shutdown. */
#ifndef NETINIT_UTIL_DAEMON_H
#define NETINIT_UTIL_DAEMON_H

#include <stdbool.h>

/*
 * Detach from everything of the initramfs: every fd but those in keep[] and character
 * devices (the console, /dev/kmsg: devtmpfs moves into the new root, so they stay open for
 * an event callback) is closed; a new session; cwd "/"; SIGPIPE, SIGHUP and SIGINT ignored.
 * pin (a process the root depends on): out of the OOM killer's reach and never swapped.
 */
void daemon_detach(const int *keep, unsigned nkeep, bool pin);

/*
 * Make /proc/PID/cmdline start with name (systemd's shutdown spares a process whose
 * argv[0] starts with '@') by writing it over our own argument area, whose bounds are
 * fields 48-49 of /proc/self/stat; a name longer than the area is cut (e.g. "/init" becomes
 * "@init"). comm gets the whole name (up to 15 bytes). Returns 0 or -errno.
 */
int daemon_set_cmdline(const char *name);

#endif
