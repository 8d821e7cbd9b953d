/* fatal: the one failure path of PID 1, and rd.break stops. Never returns to the
 * caller on failure and never exits: prints "netinit: fatal: <stage>: <what>: <why>"
 * and a hint, runs a shell if rd.shell asked for one and the initramfs has one,
 * then reboots (panic=N) or halts with the reason on the console. */
#ifndef NETINIT_FATAL_H
#define NETINIT_FATAL_H
#include "init/plan.h"

/* Remember what rd.shell / panic= say (the plan may be partly built). */
void fatal_setup(const struct boot_plan *plan);

/* stage defaults to the current stage (log.h) when NULL; hint may be NULL. */
_Noreturn void fatal(const char *stage, const char *what, const char *why, const char *hint);

/* What a boot stage's step found wrong, carried up to the one place that dies: the
 * steps return -errno and fill this; the stage calls stage_fatal() once. */
struct stage_err {
	const char *stage;	/* "root", "download", "deploy", "network" */
	char what[4200];	/* the thing that failed: a URL (up to FETCH_URL_MAX), a device, a parameter */
	char why[2048];		/* what was wrong, and what was expected */
	char hint[320];		/* what the user can do, or "" */
	int rc;			/* the -errno returned */
};

/* Fill e (hint may be NULL) and return rc, or -EIO when rc is not negative. */
int stage_fail(struct stage_err *e, int rc, const char *stage, const char *what, const char *why, const char *hint);

/* fatal() with what a step recorded. */
_Noreturn void stage_fatal(const struct stage_err *e);

/* rd.break=<point>: if the plan stops here, open a shell (or say why not) and go on. */
void break_point(enum break_point at);

/* The fatal path for the crash handler (init/crash.c): async-signal-safe, from any
 * thread. Writes line (e.g. "internal error: SIGSEGV during root") and hint (may be
 * NULL) as they are, runs rd.shell's shell, then halts or reboots per panic=. */
_Noreturn void fatal_signal_safe(const char *line, const char *hint);

/* Halt (or reboot per panic=) after the one line saying which; never returns.
 * Async-signal-safe. */
_Noreturn void halt_forever(void);

/* Run /bin/sh on the console and wait for it; -ENOENT if the initramfs has none. */
int run_shell(const char *why);

#endif
