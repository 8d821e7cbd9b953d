/* clock: milliseconds of CLOCK_MONOTONIC, for deadlines and durations. Header only. */
#ifndef NETINIT_UTIL_CLOCK_H
#define NETINIT_UTIL_CLOCK_H
#include <stdint.h>
#include <time.h>

__attribute__((unused))
static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

#endif
