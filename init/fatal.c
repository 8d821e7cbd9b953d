#include "init/fatal.h"
#include "init/log.h"
#include "util/reap.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <unistd.h>

#define SHELL_PATH "/bin/sh"

static volatile bool want_shell;
static enum break_point break_at;
static volatile int panic_s;
static volatile enum emergency_action emergency;
/* The last words, formatted once here so that the crash handler only writes them. */
static char halt_msg[128] = "system halted; the reason is above (add panic=<seconds> to reboot instead)";

void fatal_setup(const struct boot_plan *plan)
{
	want_shell = plan->shell;
	break_at = plan->brk;
	panic_s = plan->panic_s;
	emergency = plan->emergency;
	if (emergency == EMERGENCY_POWEROFF)
		snprintf(halt_msg, sizeof(halt_msg), "powering off (rd.emergency=poweroff)");
	else if (emergency == EMERGENCY_HALT)
		snprintf(halt_msg, sizeof(halt_msg), "system halted; the reason is above (rd.emergency=halt)");
	else if (emergency == EMERGENCY_REBOOT && panic_s <= 0)
		snprintf(halt_msg, sizeof(halt_msg), "rebooting now (rd.emergency=reboot)");
	else if (emergency == EMERGENCY_REBOOT)
		snprintf(halt_msg, sizeof(halt_msg), "rebooting in %d seconds (rd.emergency=reboot, panic=%d)", panic_s,
			 panic_s);
	else if (panic_s < 0)
		snprintf(halt_msg, sizeof(halt_msg), "rebooting now (panic=%d)", panic_s);
	else if (panic_s > 0)
		snprintf(halt_msg, sizeof(halt_msg), "rebooting in %d seconds (panic=%d)", panic_s, panic_s);
	else
		snprintf(halt_msg, sizeof(halt_msg), "system halted; the reason is above (add panic=<seconds> to reboot instead)");
}

/* The shell on the console, and wait for it: async-signal-safe (the crash handler
 * runs it), so no stdio and no allocation. -ENOENT without a shell. */
static int shell_and_wait(void)
{
	char *const argv[] = { "sh", "-i", NULL };
	char *const envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/", "TERM=linux",
			       "PS1=netinit# ", NULL };
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	int status;
	pid_t pid;

	if (access(SHELL_PATH, X_OK) != 0)
		return -ENOENT;
	pid = reap_fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);	/* the crash handler blocks all */
		setsid();
		ioctl(STDIN_FILENO, TIOCSCTTY, 1);
		sigaction(SIGINT, &dfl, NULL);
		execve(SHELL_PATH, argv, envp);
		_exit(127);
	}
	reap_wait(pid, &status);
	return 0;
}

int run_shell(const char *why)
{
	if (access(SHELL_PATH, X_OK) != 0)
		return -ENOENT;
	log_warn("%s: starting %s on the console; leave it with 'exit'", why, SHELL_PATH);
	return shell_and_wait();
}

void break_point(enum break_point at)
{
	if (break_at != at)
		return;
	if (run_shell(plan_break_name(at)) == -ENOENT) {
		log_warn("rd.break=%s: no shell in this initramfs (%s is missing); continuing the boot. "
			 "Add a static busybox to the initramfs list to get one", plan_break_name(at), SHELL_PATH);
	}
}

_Noreturn void halt_forever(void)
{
	/* async-signal-safe from here on: the crash handler ends here too */
	sync();
	log_signal_safe(LOG_LVL_ERR, halt_msg);
	if (emergency == EMERGENCY_POWEROFF) {
		reboot(RB_POWER_OFF);
	} else if (emergency == EMERGENCY_HALT) {
		reboot(RB_HALT_SYSTEM);
	} else if (emergency == EMERGENCY_REBOOT) {
		if (panic_s > 0)
			sleep((unsigned)panic_s);
		reboot(RB_AUTOBOOT);
	} else if (panic_s < 0) {
		reboot(RB_AUTOBOOT);
	} else if (panic_s > 0) {
		sleep((unsigned)panic_s);
		reboot(RB_AUTOBOOT);
	} else {
		reboot(RB_HALT_SYSTEM);
	}
	/* Not PID 1, or reboot() refused: PID 1 must never exit, so wait forever. */
	for (;;)
		pause();
}

_Noreturn void fatal(const char *stage, const char *what, const char *why, const char *hint)
{
	log_err("fatal: %s: %s: %s", stage ? stage : stage_current(), what, why);
	if (hint && *hint)
		log_err("hint: %s", hint);
	if (want_shell) {
		if (run_shell("rd.shell") == -ENOENT)
			log_err("rd.shell: no shell in this initramfs (%s is missing); add a static busybox to the "
				"initramfs list to get one", SHELL_PATH);
	}
	halt_forever();
}

int stage_fail(struct stage_err *e, int rc, const char *stage, const char *what, const char *why, const char *hint)
{
	e->rc = rc < 0 ? rc : -EIO;
	e->stage = stage;
	snprintf(e->what, sizeof(e->what), "%s", what ? what : "");
	snprintf(e->why, sizeof(e->why), "%s", why ? why : "");
	snprintf(e->hint, sizeof(e->hint), "%s", hint ? hint : "");
	return e->rc;
}

_Noreturn void stage_fatal(const struct stage_err *e)
{
	fatal(e->stage, e->what, e->why[0] ? e->why : strerror(-e->rc), e->hint[0] ? e->hint : NULL);
}

_Noreturn void fatal_signal_safe(const char *line, const char *hint)
{
	log_signal_safe(LOG_LVL_ERR, line);
	if (hint)
		log_signal_safe(LOG_LVL_ERR, hint);
	if (want_shell && shell_and_wait() == -ENOENT)
		log_signal_safe(LOG_LVL_ERR, "rd.shell: no shell in this initramfs (" SHELL_PATH " is missing)");
	halt_forever();
}
