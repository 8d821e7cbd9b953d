#include "fetch/progress.h"

#include <stdio.h>

static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
#define NUNITS (sizeof(units) / sizeof(units[0]))
#define KIB 1024u

void progress_size(char *buf, size_t n, uint64_t bytes)
{
	unsigned u = 0;
	uint64_t whole = bytes, scale = 1;

	if (!buf || !n)
		return;
	if (bytes < KIB) {
		snprintf(buf, n, "%llu B", (unsigned long long)bytes);
		return;
	}
	while (whole >= KIB && u + 1 < NUNITS) {
		whole /= KIB;
		scale *= KIB;
		u++;
	}
	/* tenths, rounded half up; rest < scale <= 2^60, so rest * 10 fits */
	uint64_t rest = bytes - whole * scale;
	uint64_t tenths = (rest * 10 + scale / 2) / scale;

	if (tenths >= 10) {
		whole++;
		tenths = 0;
		if (whole >= KIB && u + 1 < NUNITS) {
			whole = 1;
			u++;
		}
	}
	snprintf(buf, n, "%llu.%llu %s", (unsigned long long)whole, (unsigned long long)tenths, units[u]);
}

uint64_t progress_rate(uint64_t bytes, uint64_t ms)
{
	if (!ms)
		return 0;
	if (bytes > UINT64_MAX / 1000)
		return bytes / ms * 1000;
	return bytes * 1000 / ms;
}

static void fmt_eta(char *buf, size_t n, uint64_t s)
{
	if (s >= 3600)
		snprintf(buf, n, "%llu:%02llu:%02llu", (unsigned long long)(s / 3600),
			 (unsigned long long)(s / 60 % 60), (unsigned long long)(s % 60));
	else
		snprintf(buf, n, "%llu:%02llu", (unsigned long long)(s / 60), (unsigned long long)(s % 60));
}

void progress_line(char *buf, size_t n, uint64_t bytes, uint64_t total, uint64_t elapsed_ms)
{
	char got[24], all[24], rate[24], eta[24];
	uint64_t r = progress_rate(bytes, elapsed_ms);

	if (!buf || !n)
		return;
	progress_size(got, sizeof(got), bytes);
	progress_size(rate, sizeof(rate), r);
	if (!total || total < bytes) {
		snprintf(buf, n, "  %s  %s/s", got, rate);
		return;
	}
	progress_size(all, sizeof(all), total);
	unsigned pct = (unsigned)(total > UINT64_MAX / 100 ? bytes / (total / 100) : bytes * 100 / total);
	if (r)
		fmt_eta(eta, sizeof(eta), (total - bytes + r - 1) / r);
	else
		snprintf(eta, sizeof(eta), "--:--");
	snprintf(buf, n, "  %s / %s  %u%%  %s/s  ETA %s", got, all, pct, rate, eta);
}

void progress_summary(char *buf, size_t n, uint64_t bytes, uint64_t elapsed_ms)
{
	char got[24], rate[24];

	if (!buf || !n)
		return;
	progress_size(got, sizeof(got), bytes);
	progress_size(rate, sizeof(rate), progress_rate(bytes, elapsed_ms));
	snprintf(buf, n, "fetched %s in %llu.%llu s (%s/s)", got, (unsigned long long)(elapsed_ms / 1000),
		 (unsigned long long)(elapsed_ms % 1000 / 100), rate);
}

bool progress_due(uint64_t elapsed_ms)
{
	return elapsed_ms >= PROGRESS_SHOW_AFTER_MS;
}
