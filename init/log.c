#include "init/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int verbosity = 1;
static int kmsg_fd = -1;
static int console_loglevel = 7;
static int progress_open;
static const char *volatile stage_name = "start";	/* read by the crash handler */
static uint64_t stage_t0;

void log_setup(int v)
{
	verbosity = v;
}

static void write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

void log_open_kmsg(void)
{
	char buf[64];
	int fd;

	/* Without this the kernel drops all but 10 lines per 5 s from user space. */
	fd = open("/proc/sys/kernel/printk_devkmsg", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		write_all(fd, "on\n", 3);
		close(fd);
	}
	fd = open("/proc/sys/kernel/printk", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t n = read(fd, buf, sizeof(buf) - 1);

		if (n > 0) {
			buf[n] = '\0';
			console_loglevel = atoi(buf);
		}
		close(fd);
	}
	if (kmsg_fd < 0)
		kmsg_fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC | O_NOCTTY);
}

static void end_progress(void)
{
	if (progress_open) {
		write_all(STDOUT_FILENO, "\n", 1);
		progress_open = 0;
	}
}

size_t log_kmsg_record(char *out, int prio, const char *msg, size_t len, size_t *off)
{
	const char *cont = *off ? LOG_KMSG_CONT : "";
	size_t head, room, part;

	if (*off >= len && (*off || len))
		return 0;
	/* no stdio: the crash handler comes through here */
	head = 0;
	out[head++] = '<';
	if (prio >= 100)
		out[head++] = (char)('0' + prio / 100 % 10);
	if (prio >= 10)
		out[head++] = (char)('0' + prio / 10 % 10);
	out[head++] = (char)('0' + prio % 10);
	out[head++] = '>';
	memcpy(out + head, "netinit: ", 9);
	head += 9;
	memcpy(out + head, cont, strlen(cont));
	head += strlen(cont);
	room = LOG_KMSG_RECORD_MAX - head - 1;	/* the '\n' */
	part = len - *off;
	if (part > room) {
		part = room;
		/* never cut a UTF-8 sequence: back off over its continuation bytes */
		while (part > room - 3 && ((unsigned char)msg[*off + part] & 0xc0) == 0x80)
			part--;
	}
	memcpy(out + head, msg + *off, part);
	out[head + part] = '\n';
	*off += part;
	if (len == 0)
		*off = 1;	/* an empty message is one record */
	return head + part + 1;
}

/* Every record of msg into /dev/kmsg; false if the kernel refused one. */
static bool kmsg_write(int prio, const char *msg, size_t len)
{
	char rec[LOG_KMSG_RECORD_MAX];
	size_t off = 0, n;

	while ((n = log_kmsg_record(rec, prio, msg, len, &off)) > 0) {
		ssize_t w;

		do
			w = write(kmsg_fd, rec, n);
		while (w < 0 && errno == EINTR);
		if (w != (ssize_t)n)
			return false;
	}
	return true;
}

/* The console line "netinit: msg\n" whole, however long (no record limit there). */
static void console_write(const char *msg, size_t len)
{
	end_progress();
	write_all(STDOUT_FILENO, "netinit: ", 9);
	write_all(STDOUT_FILENO, msg, len);
	write_all(STDOUT_FILENO, "\n", 1);
}

static void emit(enum log_level lvl, const char *msg, size_t len, int console)
{
	/* facility daemon (3) */
	if (kmsg_fd >= 0 && kmsg_write((3 << 3) | (int)lvl, msg, len) && (int)lvl < console_loglevel)
		console = 0; /* the kernel printed every record on the console itself */
	if (console)
		console_write(msg, len);
}

static void vlog(enum log_level lvl, const char *fmt, va_list ap, int console)
{
	char buf[2048], *msg = buf;
	va_list aq;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(buf, sizeof(buf), fmt, aq);
	va_end(aq);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf)) {
		/* a long line (a presigned URL in a fatal reason) is kept whole */
		size_t cap = (size_t)n + 1 > LOG_LINE_MAX ? LOG_LINE_MAX : (size_t)n + 1;

		msg = malloc(cap);
		if (msg)
			n = vsnprintf(msg, cap, fmt, ap);
		else
			msg = buf;
		if ((size_t)n >= (msg == buf ? sizeof(buf) : cap))
			n = (int)(msg == buf ? sizeof(buf) : cap) - 1;
	}
	emit(lvl, msg, (size_t)n, console);
	if (msg != buf)
		free(msg);
}

void log_signal_safe(enum log_level lvl, const char *msg)
{
	emit(lvl, msg, strlen(msg), 1);
}

static int shown(enum log_level lvl)
{
	switch (lvl) {
	case LOG_LVL_ERR:
	case LOG_LVL_WARN:
		return 1;
	case LOG_LVL_INFO:
		return verbosity >= 1;
	default:
		return verbosity >= 3;
	}
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	va_list ap;

	if (lvl == LOG_LVL_DEBUG && verbosity < 3)
		return;
	va_start(ap, fmt);
	vlog(lvl, fmt, ap, shown(lvl));
	va_end(ap);
}

void log_progress(int final, const char *fmt, ...)
{
	char msg[256], line[300];
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (final) {
		end_progress();
		log_msg(LOG_LVL_INFO, "%s", msg);
		return;
	}
	if (verbosity < 1)
		return;
	n = snprintf(line, sizeof(line), "\rnetinit: %s\033[K", msg);
	write_all(STDOUT_FILENO, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
	progress_open = 1;
}

enum log_level log_level_of(int ev_level)
{
	static const enum log_level map[] = { LOG_LVL_ERR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

	return map[ev_level & 3];
}

void log_event(void *ctx, int level, const char *msg)
{
	log_msg(log_level_of(level), "%s: %s", ctx ? (const char *)ctx : "netinit", msg);
}

static uint64_t clock_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t log_now_ms(void)
{
	return clock_ms(CLOCK_MONOTONIC);
}

uint64_t log_uptime_ms(void)
{
	return clock_ms(CLOCK_BOOTTIME);
}

void stage_begin(const char *name)
{
	stage_name = name;
	stage_t0 = log_now_ms();
	log_debug("stage %s: begin at %.3f s uptime", name, (double)log_uptime_ms() / 1000);
}

/* KiB of a /proc/meminfo field, or -1. */
static long long meminfo_kib(const char *text, const char *key)
{
	const char *p = strstr(text, key);

	return p ? strtoll(p + strlen(key), NULL, 10) : -1;
}

/* Each stage ends with its time and the RAM the kernel still has for the image (bench/boot.sh
 * reads these); rd.debug adds what holds the rest. */
void stage_end(void)
{
	char buf[4096];
	ssize_t n = -1;
	int fd = open("/proc/meminfo", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
	}
	if (n <= 0) {
		log_info("%s: done in %llu ms", stage_name, (unsigned long long)(log_now_ms() - stage_t0));
		return;
	}
	buf[n] = 0;
	log_info("%s: done in %llu ms, MemAvailable %lld MiB", stage_name,
		 (unsigned long long)(log_now_ms() - stage_t0), meminfo_kib(buf, "MemAvailable:") >> 10);
	log_debug("memory after %s: MemTotal %lld MemFree %lld Shmem %lld Cached %lld Buffers %lld Slab %lld "
		  "PageTables %lld AnonHugePages %lld KiB", stage_name, meminfo_kib(buf, "MemTotal:"), meminfo_kib(buf, "MemFree:"),
		  meminfo_kib(buf, "Shmem:"), meminfo_kib(buf, "Cached:"), meminfo_kib(buf, "Buffers:"),
		  meminfo_kib(buf, "Slab:"), meminfo_kib(buf, "PageTables:"), meminfo_kib(buf, "AnonHugePages:"));
}

const char *stage_current(void)
{
	return stage_name;
}
