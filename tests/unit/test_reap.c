/*
 * util/reap.c: orphans are reaped, owned children are not. The test process is
 * made a child subreaper (PR_SET_CHILD_SUBREAPER), so orphans are re-parented to
 * it as they would be to PID 1. With the reaper thread running: grandchildren
 * whose parent died, and children nobody waits for, are gone within a few rounds;
 * a child forked with reap_fork() keeps its exit status for reap_wait(), also
 * when it exits at once (the window between fork() and recording its pid).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/reap.h"

/* Our zombie children, from /proc (what `ps` would show as <defunct>). */
static int zombies(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d))) {
		char path[300], buf[512], *rp;
		int ppid;
		char st;
		FILE *f;

		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(buf, sizeof(buf), f) && (rp = strrchr(buf, ')')) && sscanf(rp + 2, "%c %d", &st, &ppid) == 2 &&
		    st == 'Z' && ppid == getpid())
			n++;
		fclose(f);
	}
	closedir(d);
	return n;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* A child that forks n grandchildren and exits: they become our orphans. */
static void make_orphans(int n)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		for (int i = 0; i < n; i++)
			if (fork() == 0) {
				sleep_ms(20);
				_exit(0);
			}
		_exit(0);
	}
}

static void test_orphans_and_owned(void **state)
{
	int status, i;

	(void)state;
	assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	assert_int_equal(reap_start(), 0);
	for (int round = 0; round < 20; round++) {
		pid_t owned = reap_fork();

		assert_true(owned >= 0);
		if (owned == 0)
			_exit(7 + round % 3);	/* at once: before reap_fork records it, maybe */
		make_orphans(5);
		sleep_ms(REAP_INTERVAL_MS / 4);
		assert_int_equal(reap_wait(owned, &status), 0);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 7 + round % 3);
	}
	/* a few rounds of the reaper and no zombie is left */
	for (i = 0; i < 20 && zombies() > 0; i++)
		sleep_ms(REAP_INTERVAL_MS);
	assert_int_equal(zombies(), 0);
	/* and once more through reap_sweep (what PID 1 calls before switch_root) */
	make_orphans(3);
	sleep_ms(100);
	reap_sweep();
	assert_int_equal(zombies(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_orphans_and_owned),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
