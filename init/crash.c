#include "init/crash.h"
#include "init/fatal.h"
#include "init/log.h"

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The main thread is told to stop with this (from our own process only). */
#define CRASH_STOP_SIG	SIGRTMAX

static const int crash_signals[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };
static atomic_int crashing;
static pid_t main_tid;

const char *crash_signal_name(int sig)
{
	switch (sig) {
	case SIGSEGV: return "SIGSEGV";
	case SIGBUS: return "SIGBUS";
	case SIGILL: return "SIGILL";
	case SIGFPE: return "SIGFPE";
	case SIGABRT: return "SIGABRT";
	default: return "signal";
	}
}

static unsigned put(char *out, unsigned at, unsigned len, const char *s)
{
	while (*s && at + 1 < len)
		out[at++] = *s++;
	return at;
}

void crash_format(char *out, unsigned len, int sig, const char *stage)
{
	unsigned at = 0;

	if (!len)
		return;
	at = put(out, at, len, "internal error: ");
	at = put(out, at, len, crash_signal_name(sig));
	at = put(out, at, len, " during ");
	at = put(out, at, len, stage && *stage ? stage : "start");
	out[at] = '\0';
}

static pid_t gettid_safe(void)
{
	return (pid_t)syscall(SYS_gettid);
}

static _Noreturn void stop_here(void)
{
	sigset_t none;

	sigemptyset(&none);
	for (;;)
		sigsuspend(&none);	/* CRASH_STOP_SIG lands here again: stays */
}

static void on_crash(int sig, siginfo_t *si, void *uc)
{
	char line[160];

	(void)uc;
	if (sig == CRASH_STOP_SIG) {
		/* only our own crashing thread may stop the boot */
		if (si->si_code == SI_TKILL && si->si_pid == getpid() && atomic_load(&crashing))
			stop_here();
		return;
	}
	if (atomic_exchange(&crashing, 1))
		stop_here();	/* another thread crashed first and is on the fatal path */
	if (gettid_safe() != main_tid)
		syscall(SYS_tgkill, getpid(), main_tid, CRASH_STOP_SIG);
	crash_format(line, sizeof(line), sig, stage_current());
	fatal_signal_safe(line, "hint: this is a bug in netinit: please report it with the console output above");
}

int crash_install(void)
{
	static char altstack[CRASH_ALTSTACK_BYTES];
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) };
	struct sigaction sa;
	size_t i;

	main_tid = gettid_safe();
	if (sigaltstack(&ss, NULL) < 0)
		return -errno;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_crash;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigfillset(&sa.sa_mask);	/* nothing else runs on this thread while it ends the boot */
	for (i = 0; i < sizeof(crash_signals) / sizeof(crash_signals[0]); i++)
		if (sigaction(crash_signals[i], &sa, NULL) < 0)
			return -errno;
	if (sigaction(CRASH_STOP_SIG, &sa, NULL) < 0)
		return -errno;
	return 0;
}
