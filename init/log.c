#include "init/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int verbosity = 1;
static int kmsg_fd = -1;
static int console_loglevel = 7;
static int progress_open;
static const char *stage_name = "start";
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

static void vlog(enum log_level lvl, const char *fmt, va_list ap, int console)
{
	char msg[1024], line[1100];
	int n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (kmsg_fd >= 0) {
		/* facility daemon (3) */
		n = snprintf(line, sizeof(line), "<%d>netinit: %s\n", (3 << 3) | (int)lvl, msg);
		write_all(kmsg_fd, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
		if ((int)lvl < console_loglevel)
			console = 0; /* the kernel prints it on the console itself */
	}
	if (!console)
		return;
	end_progress();
	n = snprintf(line, sizeof(line), "netinit: %s\n", msg);
	write_all(STDOUT_FILENO, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
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

void log_event(void *ctx, int level, const char *msg)
{
	static const enum log_level map[] = { LOG_LVL_ERR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

	log_msg(map[level & 3], "%s: %s", ctx ? (const char *)ctx : "netinit", msg);
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

void stage_end(void)
{
	log_info("%s: done in %llu ms", stage_name, (unsigned long long)(log_now_ms() - stage_t0));
}

const char *stage_current(void)
{
	return stage_name;
}
