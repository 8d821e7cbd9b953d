#include "init/fatal.h"
#include "init/log.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <unistd.h>

#define SHELL_PATH "/bin/sh"

static bool want_shell;
static enum break_point break_at;
static int panic_s;

void fatal_setup(const struct boot_plan *plan)
{
	want_shell = plan->shell;
	break_at = plan->brk;
	panic_s = plan->panic_s;
}

int run_shell(const char *why)
{
	pid_t pid;
	int status;

	if (access(SHELL_PATH, X_OK) != 0)
		return -ENOENT;
	log_warn("%s: starting %s on the console; leave it with 'exit'", why, SHELL_PATH);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		char *const argv[] = { "sh", "-i", NULL };
		char *const envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/", "TERM=linux",
				       "PS1=netinit# ", NULL };

		setsid();
		ioctl(STDIN_FILENO, TIOCSCTTY, 1);
		signal(SIGINT, SIG_DFL);
		execve(SHELL_PATH, argv, envp);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return 0;
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
	sync();
	if (panic_s < 0) {
		log_err("rebooting now (panic=%d)", panic_s);
		reboot(RB_AUTOBOOT);
	} else if (panic_s > 0) {
		log_err("rebooting in %d seconds (panic=%d)", panic_s, panic_s);
		sleep((unsigned)panic_s);
		reboot(RB_AUTOBOOT);
	} else {
		log_err("system halted; the reason is above (add panic=<seconds> to reboot instead)");
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
