/*
 * curlopts: map rd.kiwi.live.curl_options=<opt>,<opt>,... (curl command-line
 * options, as KIWI passes them to curl) onto struct fetch_opts. Supported:
 * -k/--insecure, --cacert F, -x/--proxy U, -u/--user U:P, -H/--header H,
 * --connect-timeout S, -m/--max-time S, --retry N, --limit-rate R[kmg],
 * -L/--location, -4/--ipv4; accepted and ignored because the engine already
 * behaves so: -s/--silent, -S/--show-error, -f/--fail, -g/--globoff.
 * A value follows as the next item, after '=', or glued to a short option
 * ("-uuser:pw"); short flags combine ("-kL4"). Anything else is refused by name.
 */
#ifndef NETINIT_FETCH_CURLOPTS_H
#define NETINIT_FETCH_CURLOPTS_H

#include <stddef.h>

struct fetch_opts;

#define CURLOPTS_MAX_LEN	4096	/* longest option list we accept */

/* 0, or -EINVAL with one line naming the option and what was expected. */
int curlopts_parse(const char *kiwi_list, struct fetch_opts *o, char *err, size_t errlen);

#endif
