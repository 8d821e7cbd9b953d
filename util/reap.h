/* reap: PID 1 collects the exit status of orphans (processes re-parented to it,
 * e.g. what a shell or mkfs left running in the background) so that no zombie
 * piles up while it waits for a device, a lease or a download, and none is handed
 * to the next init. Children netinit waits for itself are forked with reap_fork()
 * and collected with reap_wait(): the reaper never takes their exit status.
 * Other children (NBD daemons that outlive switch_root) are never waited for by
 * netinit and are reaped like orphans if they die early. */
#ifndef NETINIT_UTIL_REAP_H
#define NETINIT_UTIL_REAP_H
#include <sys/types.h>

#define REAP_INTERVAL_MS	250	/* the reaper thread looks this often */
#define REAP_MAX_OWNED		16	/* children waited for by netinit at once */

/* Start the reaper thread (PID 1 only). 0 or -errno. */
int reap_start(void);

/* Collect every zombie child that is not owned, now (before switch_root).
 * Returns how many. Async-signal-safe. */
int reap_sweep(void);

/* fork(2) for a child the caller waits for with reap_wait(). Async-signal-safe. */
pid_t reap_fork(void);

/* waitpid(pid, status, 0) over EINTR, then forget pid. 0 or -errno. Async-signal-safe. */
int reap_wait(pid_t pid, int *status);

#endif
