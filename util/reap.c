#include "util/reap.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Owned children, and how many reap_fork() calls are between fork() and
 * recording the pid: while one is, a zombie may be its child and is left for
 * the next round. The reaper reads `forking` before `owned`, reap_fork() writes
 * `owned` before it lowers `forking` (seq_cst), so an owned zombie is never taken. */
static atomic_int owned[REAP_MAX_OWNED];
static atomic_int forking;

static int is_owned(pid_t pid)
{
	for (int i = 0; i < REAP_MAX_OWNED; i++)
		if (atomic_load(&owned[i]) == pid)
			return 1;
	return 0;
}

int reap_sweep(void)
{
	int n = 0;

	for (;;) {
		siginfo_t si;

		memset(&si, 0, sizeof(si));
		/* look without collecting: it may be a child someone waits for */
		if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0 || si.si_pid == 0)
			return n;
		if (atomic_load(&forking) > 0 || is_owned(si.si_pid))
			return n;	/* its owner collects it; look again next round */
		if (waitpid(si.si_pid, NULL, WNOHANG) == si.si_pid)
			n++;
	}
}

pid_t reap_fork(void)
{
	pid_t pid;
	int saved;

	atomic_fetch_add(&forking, 1);
	pid = fork();
	if (pid > 0) {
		for (int i = 0; i < REAP_MAX_OWNED; i++) {
			int free_slot = 0;

			if (atomic_compare_exchange_strong(&owned[i], &free_slot, pid))
				break;
		}
		/* all slots in use: the reaper may take its status; reap_wait says ECHILD */
	}
	saved = errno;
	atomic_fetch_sub(&forking, 1);
	errno = saved;
	return pid;
}

int reap_wait(pid_t pid, int *status)
{
	int rc = 0;

	while (waitpid(pid, status, 0) < 0) {
		if (errno != EINTR) {
			rc = -errno;
			break;
		}
	}
	for (int i = 0; i < REAP_MAX_OWNED; i++) {
		int mine = pid;

		if (atomic_compare_exchange_strong(&owned[i], &mine, 0))
			break;
	}
	return rc;
}

static void *reaper(void *arg)
{
	const struct timespec tick = { .tv_sec = 0, .tv_nsec = REAP_INTERVAL_MS * 1000000L };

	for (;;) {
		reap_sweep();
		nanosleep(&tick, NULL);
	}
	return arg;
}

int reap_start(void)
{
	sigset_t all, old;
	pthread_attr_t a;
	pthread_t th;
	int rc;

	pthread_attr_init(&a);
	pthread_attr_setstacksize(&a, 64 * 1024);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	/* signals stay with the threads that do the work; a fault of its own still
	 * reaches the crash handler (a blocked fault signal would kill PID 1) */
	sigfillset(&all);
	sigdelset(&all, SIGSEGV);
	sigdelset(&all, SIGBUS);
	sigdelset(&all, SIGILL);
	sigdelset(&all, SIGFPE);
	sigdelset(&all, SIGABRT);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&th, &a, reaper, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&a);
	return -rc;
}
