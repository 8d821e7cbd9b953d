/*
 * init/crash.c: a real fault of netinit (a write to a read-only page: SIGSEGV; a
 * read of a mapped file past its end: SIGBUS; abort(): SIGABRT), on the main
 * thread and on another thread, reaches the handler, which names the signal and
 * the stage and enters the fatal path; a crash on another thread stops the main
 * thread first. Each case runs in a child process. The fatal path itself
 * (init/fatal.c, which halts or reboots the machine) is replaced here by
 * fatal_signal_safe() below, which reports what it was given and exits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "init/crash.h"
#include "init/fatal.h"
#include "init/log.h"

/* ASan would take the faults itself */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "handle_segv=0:handle_sigbus=0:handle_abort=0:handle_sigill=0:handle_sigfpe=0:"
	       "allow_user_segv_handler=1:use_sigaltstack=0";
}

static atomic_long main_ticks;
static int out_fd = -1;

/* The fatal path, as the test sees it: the line, whether the main thread still
 * runs (it must not after another thread crashed), then exit 42. */
_Noreturn void fatal_signal_safe(const char *line, const char *hint)
{
	char buf[512];
	long t0 = atomic_load(&main_ticks), t1;
	struct timespec ts = { 0, 300 * 1000000L };
	int n;

	nanosleep(&ts, NULL);
	t1 = atomic_load(&main_ticks);
	n = snprintf(buf, sizeof(buf), "%s|%s|main %s\n", line, hint ? "hint" : "nohint",
		     t1 == t0 ? "stopped" : "running");
	write(out_fd, buf, (size_t)n);
	_exit(42);
}

enum how { SEGV_RO, BUS_MMAP, ABRT };

static void crash(enum how h)
{
	static volatile char *p;

	switch (h) {
	case SEGV_RO:
		p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		p[0] = 1;
		break;
	case BUS_MMAP: {
		char path[] = "/tmp/netinit-bus-XXXXXX";
		int fd = mkstemp(path);

		unlink(path);
		p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);	/* an empty file */
		(void)p[0];
		break;
	}
	case ABRT:
		abort();
	}
}

static void *crash_thread(void *arg)
{
	struct timespec ts = { 0, 50 * 1000000L };

	nanosleep(&ts, NULL);
	crash((enum how)(intptr_t)arg);
	return NULL;
}

/* Run one case in a child; what fatal_signal_safe() reported into out. */
static void run_case(enum how h, bool on_thread, const char *stage, char *out, size_t len)
{
	int p[2], status;
	ssize_t n, used = 0;
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		out_fd = p[1];
		if (crash_install() < 0)
			_exit(3);
		stage_begin(stage);
		if (on_thread) {
			pthread_t th;

			pthread_create(&th, NULL, crash_thread, (void *)(intptr_t)h);
			for (;;)
				atomic_fetch_add(&main_ticks, 1);	/* the main thread at work */
		}
		crash(h);
		_exit(4);
	}
	close(p[1]);
	while ((n = read(p[0], out + used, len - 1 - (size_t)used)) > 0)
		used += n;
	out[used] = '\0';
	close(p[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 42)
		fail_msg("the child did not take the fatal path (status 0x%x, output: %s)", status, out);
}

static void row(const char *file, int line, enum how h, bool on_thread, const char *stage, const char *want)
{
	char out[512];

	run_case(h, on_thread, stage, out, sizeof(out));
	if (strcmp(out, want))
		fail_msg("%s:%d: fatal path got [%s], expected [%s]", file, line, out, want);
}

static void test_main_thread(void **state)
{
	(void)state;
	row(__FILE__, __LINE__, SEGV_RO, false, "root", "internal error: SIGSEGV during root|hint|main stopped\n");
	row(__FILE__, __LINE__, BUS_MMAP, false, "network", "internal error: SIGBUS during network|hint|main stopped\n");
	row(__FILE__, __LINE__, ABRT, false, "modules", "internal error: SIGABRT during modules|hint|main stopped\n");
}

static void test_other_thread(void **state)
{
	(void)state;
	row(__FILE__, __LINE__, SEGV_RO, true, "root", "internal error: SIGSEGV during root|hint|main stopped\n");
	row(__FILE__, __LINE__, BUS_MMAP, true, "handoff", "internal error: SIGBUS during handoff|hint|main stopped\n");
}

static void test_format(void **state)
{
	char s[24];

	(void)state;
	crash_format(s, sizeof(s), SIGFPE, "cmdline");
	assert_string_equal(s, "internal error: SIGFPE ");	/* cut, terminated */
	assert_string_equal(crash_signal_name(SIGILL), "SIGILL");
	assert_string_equal(crash_signal_name(SIGUSR1), "signal");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_main_thread),
		cmocka_unit_test(test_other_thread),
		cmocka_unit_test(test_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
