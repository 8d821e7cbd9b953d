/* log: every message as "netinit: ..." to the console and to /dev/kmsg (so it shows
 * in dmesg of the booted system). Levels follow syslog: the kernel echoes a kmsg line
 * to the console when its level is below console_loglevel, so we write to the console
 * only what the kernel will not, and nothing appears twice. A kmsg record holds at most
 * LOG_KMSG_RECORD_MAX bytes (the kernel refuses longer ones): a longer message goes out
 * as several records, each after the first starting "netinit: (continued) ". If the
 * kernel refuses a record, the whole line is written to the console directly. */
#ifndef NETINIT_LOG_H
#define NETINIT_LOG_H
#include <stdint.h>

enum log_level { LOG_LVL_ERR = 3, LOG_LVL_WARN = 4, LOG_LVL_INFO = 6, LOG_LVL_DEBUG = 7 };

#include <stddef.h>

#define LOG_KMSG_RECORD_MAX	960	/* one write to /dev/kmsg; the kernel's limit is 992 or 1024 */
#define LOG_KMSG_CONT		"(continued) "
#define LOG_LINE_MAX		16384	/* a longer message is cut here */

/* verbosity: 0 quiet (warnings, errors, progress), 1 normal, 2 rd.info, 3 rd.debug */
void log_setup(int verbosity);
/* After /dev and /proc exist: open /dev/kmsg and lift its rate limit. */
void log_open_kmsg(void);
void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_err(...) log_msg(LOG_LVL_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)
/* The next /dev/kmsg record of msg (len bytes) from *off into out (LOG_KMSG_RECORD_MAX
 * bytes): "<prio>netinit: " ["(continued) "] part "\n", never cutting a UTF-8 sequence.
 * Advances *off; returns the record's length, 0 when all of msg has been put out. */
size_t log_kmsg_record(char *out, int prio, const char *msg, size_t len, size_t *off);
/* Async-signal-safe: msg (short, already formatted) to kmsg and/or the console as above. */
void log_signal_safe(enum log_level lvl, const char *msg);
/* A progress line: console only, rewritten in place; final=1 ends it (and logs it to kmsg). */
void log_progress(int final, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The event callback the libraries take (util/event.h's event_fn): ctx is the prefix, e.g.
 * "network". log_level_of maps an enum ev_level onto the log's levels. */
void log_event(void *ctx, int level, const char *msg);
enum log_level log_level_of(int ev_level);

/* Monotonic milliseconds, and the guest's uptime in ms (CLOCK_BOOTTIME). */
uint64_t log_now_ms(void);
uint64_t log_uptime_ms(void);

/* Stages: "stage <name>" begins; stage_end logs "<name> done in N ms". */
void stage_begin(const char *name);
void stage_end(void);
const char *stage_current(void);

#endif
