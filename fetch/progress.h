/*
 * progress: format the console lines of a transfer from plain numbers:
 * sizes ("1.4 GiB"), the in-place progress line (bytes, percent, rate, ETA)
 * and the one-line summary (size, time, average rate). Pure functions, so
 * init prints them and unit tests check them.
 */
#ifndef NETINIT_FETCH_PROGRESS_H
#define NETINIT_FETCH_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROGRESS_SHOW_AFTER_MS	1000	/* no progress line for shorter transfers */
#define PROGRESS_LINE_MAX	96	/* enough for any line below */

/* "0 B", "999 B", "1.0 KiB", "12.3 MiB", "2.1 GiB" (binary units, one decimal). */
void progress_size(char *buf, size_t n, uint64_t bytes);

/* bytes per second from a count and a time; 0 when ms == 0. */
uint64_t progress_rate(uint64_t bytes, uint64_t ms);

/*
 * "  412.0 MiB / 1.0 GiB  40%  112.3 MiB/s  ETA 0:06"; without a total:
 * "  412.0 MiB  112.3 MiB/s". Rate and ETA are averages since the start.
 */
void progress_line(char *buf, size_t n, uint64_t bytes, uint64_t total, uint64_t elapsed_ms);

/* "fetched 1.0 GiB in 9.3 s (110.1 MiB/s)" */
void progress_summary(char *buf, size_t n, uint64_t bytes, uint64_t elapsed_ms);

/* Should a progress line be shown at this point of a transfer? */
bool progress_due(uint64_t elapsed_ms);

#endif
