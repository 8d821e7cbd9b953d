/* log: every message as "netinit: ..." to the console and to /dev/kmsg (so it shows
 * in dmesg of the booted system). Levels follow syslog: the kernel echoes a kmsg line
 * to the console when its level is below console_loglevel, so we write to the console
 * only what the kernel will not, and nothing appears twice. */
#ifndef NETINIT_LOG_H
#define NETINIT_LOG_H
#include <stdint.h>

enum log_level { LOG_LVL_ERR = 3, LOG_LVL_WARN = 4, LOG_LVL_INFO = 6, LOG_LVL_DEBUG = 7 };

/* verbosity: 0 quiet (warnings, errors, progress), 1 normal, 2 rd.info, 3 rd.debug */
void log_setup(int verbosity);
/* After /dev and /proc exist: open /dev/kmsg and lift its rate limit. */
void log_open_kmsg(void);
void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_err(...) log_msg(LOG_LVL_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)
/* A progress line: console only, rewritten in place; final=1 ends it (and logs it to kmsg). */
void log_progress(int final, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The event callback the libraries take (net_event_fn, nbd_event_fn, kmod_event_fn...):
 * level 0 error, 1 warning, 2 info, 3 debug; ctx is the prefix, e.g. "network". */
void log_event(void *ctx, int level, const char *msg);

/* Monotonic milliseconds, and the guest's uptime in ms (CLOCK_BOOTTIME). */
uint64_t log_now_ms(void);
uint64_t log_uptime_ms(void);

/* Stages: "stage <name>" begins; stage_end logs "<name> done in N ms". */
void stage_begin(const char *name);
void stage_end(void);
const char *stage_current(void);

#endif
