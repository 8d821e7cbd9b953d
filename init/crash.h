/* crash: PID 1 must not take the kernel down with it. A crash of netinit itself
 * (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, on any thread) prints
 * "netinit: internal error: <signal> during <stage>" and takes the fatal path
 * (rd.shell, then halt or reboot per panic=) instead of letting the kernel panic
 * with "Attempted to kill init". The handler runs on an alternate stack (a stack
 * overflow is a SIGSEGV too) and uses only async-signal-safe calls; a crash on
 * another thread first stops the main thread, so the boot cannot go on past it. */
#ifndef NETINIT_INIT_CRASH_H
#define NETINIT_INIT_CRASH_H

#define CRASH_ALTSTACK_BYTES	(64 * 1024)

/* Install the handlers; call once from the main thread, first thing. 0 or -errno. */
int crash_install(void);

/* "SIGSEGV" for SIGSEGV, ... ("signal" for others). */
const char *crash_signal_name(int sig);

/* "internal error: <signal> during <stage>" into out (len bytes), without stdio. */
void crash_format(char *out, unsigned len, int sig, const char *stage);

#endif
