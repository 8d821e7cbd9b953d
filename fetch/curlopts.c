#include "fetch/curlopts.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fetch/fetch.h"

#define PARAM "rd.kiwi.live.curl_options"
#define MAX_ITEMS 64	/* items in the comma list */
#define SECONDS_MAX 86400u	/* a day: larger timeouts are typos */

enum opt_id {
	OPT_INSECURE, OPT_CACERT, OPT_PROXY, OPT_USER, OPT_HEADER,
	OPT_CONNECT_TIMEOUT, OPT_MAX_TIME, OPT_RETRY, OPT_LIMIT_RATE,
	OPT_LOCATION, OPT_IPV4, OPT_IGNORED,
};

struct opt_def {
	const char *lng;	/* long name without "--" */
	char shrt;		/* short letter, 0 = none */
	bool has_value;		/* takes an argument */
	enum opt_id id;
};

static const struct opt_def defs[] = {
	{ "insecure",		'k', false, OPT_INSECURE },
	{ "cacert",		0,   true,  OPT_CACERT },
	{ "proxy",		'x', true,  OPT_PROXY },
	{ "user",		'u', true,  OPT_USER },
	{ "header",		'H', true,  OPT_HEADER },
	{ "connect-timeout",	0,   true,  OPT_CONNECT_TIMEOUT },
	{ "max-time",		'm', true,  OPT_MAX_TIME },
	{ "retry",		0,   true,  OPT_RETRY },
	{ "limit-rate",		0,   true,  OPT_LIMIT_RATE },
	{ "location",		'L', false, OPT_LOCATION },
	{ "ipv4",		'4', false, OPT_IPV4 },
	{ "silent",		's', false, OPT_IGNORED },
	{ "show-error",		'S', false, OPT_IGNORED },
	{ "fail",		'f', false, OPT_IGNORED },
	{ "globoff",		'g', false, OPT_IGNORED },
};
#define NDEFS (sizeof(defs) / sizeof(defs[0]))

static int copy_str(char *dst, size_t dstlen, const char *v, const char *name, char *err, size_t errlen)
{
	size_t len = strlen(v);

	if (!len) {
		snprintf(err, errlen, PARAM ": %s needs a non-empty value", name);
		return -EINVAL;
	}
	if (len >= dstlen) {
		snprintf(err, errlen, PARAM ": value of %s is %zu characters, expected at most %zu",
			 name, len, dstlen - 1);
		return -EINVAL;
	}
	for (size_t i = 0; i < len; i++) {
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f) {
			snprintf(err, errlen, PARAM ": value of %s contains a control character", name);
			return -EINVAL;
		}
	}
	memcpy(dst, v, len + 1);
	return 0;
}

/* "30", "2.5" (rounded up): whole seconds, 1..SECONDS_MAX. */
static int parse_seconds(const char *v, unsigned *out, const char *name, char *err, size_t errlen)
{
	uint64_t whole = 0;
	bool frac = false;
	const char *p = v;

	if (!*p)
		goto bad;
	for (; *p >= '0' && *p <= '9'; p++) {
		whole = whole * 10 + (uint64_t)(*p - '0');
		if (whole > SECONDS_MAX)
			goto bad;
	}
	if (p == v && *p != '.')
		goto bad;
	if (*p == '.') {
		p++;
		if (!(*p >= '0' && *p <= '9'))
			goto bad;
		for (; *p >= '0' && *p <= '9'; p++)
			if (*p != '0')
				frac = true;
	}
	if (*p)
		goto bad;
	whole += frac;
	if (!whole || whole > SECONDS_MAX)
		goto bad;
	*out = (unsigned)whole;
	return 0;
bad:
	snprintf(err, errlen, PARAM ": %s '%.40s' is not a number of seconds, expected 1..%u",
		 name, v, SECONDS_MAX);
	return -EINVAL;
}

static int parse_count(const char *v, int *out, const char *name, char *err, size_t errlen)
{
	long n = 0;
	const char *p = v;

	for (; *p >= '0' && *p <= '9'; p++) {
		n = n * 10 + (*p - '0');
		if (n > 10000)
			break;
	}
	if (p == v || *p || n > 10000) {
		snprintf(err, errlen, PARAM ": %s '%.40s' is not a count, expected 0..10000", name, v);
		return -EINVAL;
	}
	*out = (int)n;
	return 0;
}

/* curl's --limit-rate: bytes/s with an optional k, m, g suffix (powers of 1024). */
static int parse_rate(const char *v, uint64_t *out, char *err, size_t errlen)
{
	uint64_t n = 0;
	const char *p = v;
	unsigned shift = 0;

	for (; *p >= '0' && *p <= '9'; p++) {
		n = n * 10 + (uint64_t)(*p - '0');
		if (n > (1ull << 40))
			goto bad;
	}
	if (p == v)
		goto bad;
	switch (*p) {
	case 'k': case 'K': shift = 10; p++; break;
	case 'm': case 'M': shift = 20; p++; break;
	case 'g': case 'G': shift = 30; p++; break;
	case '\0': break;
	default: goto bad;
	}
	if (*p || !n)
		goto bad;
	*out = n << shift;
	return 0;
bad:
	snprintf(err, errlen, PARAM ": --limit-rate '%.40s' is not a rate, expected bytes/s like 500k or 10M", v);
	return -EINVAL;
}

static int apply(const struct opt_def *d, const char *v, struct fetch_opts *o, char *err, size_t errlen)
{
	char name[32];

	snprintf(name, sizeof(name), "--%s", d->lng);
	switch (d->id) {
	case OPT_INSECURE:
		o->insecure = true;
		return 0;
	case OPT_CACERT:
		return copy_str(o->cacert, sizeof(o->cacert), v, name, err, errlen);
	case OPT_PROXY:
		return copy_str(o->proxy, sizeof(o->proxy), v, name, err, errlen);
	case OPT_USER:
		return copy_str(o->user, sizeof(o->user), v, name, err, errlen);
	case OPT_HEADER:
		if (o->nheaders >= FETCH_MAX_HEADERS) {
			snprintf(err, errlen, PARAM ": more than %d --header options", FETCH_MAX_HEADERS);
			return -EINVAL;
		}
		if (!strchr(v, ':') && !strchr(v, ';')) {
			snprintf(err, errlen, PARAM ": --header '%.60s' has no ':', expected 'Name: value'", v);
			return -EINVAL;
		}
		if (copy_str(o->headers[o->nheaders], sizeof(o->headers[0]), v, name, err, errlen))
			return -EINVAL;
		o->nheaders++;
		return 0;
	case OPT_CONNECT_TIMEOUT:
		return parse_seconds(v, &o->connect_timeout_s, name, err, errlen);
	case OPT_MAX_TIME:
		return parse_seconds(v, &o->max_time_s, name, err, errlen);
	case OPT_RETRY:
		return parse_count(v, &o->max_retries, name, err, errlen);
	case OPT_LIMIT_RATE:
		return parse_rate(v, &o->limit_rate, err, errlen);
	case OPT_LOCATION:
		o->follow = true;
		return 0;
	case OPT_IPV4:
		o->ipv4 = true;
		return 0;
	case OPT_IGNORED:
		return 0;
	}
	return -EINVAL;
}

static const struct opt_def *find_long(const char *name, size_t len)
{
	for (size_t i = 0; i < NDEFS; i++)
		if (strlen(defs[i].lng) == len && !memcmp(defs[i].lng, name, len))
			return &defs[i];
	return NULL;
}

static const struct opt_def *find_short(char c)
{
	for (size_t i = 0; i < NDEFS; i++)
		if (defs[i].shrt && defs[i].shrt == c)
			return &defs[i];
	return NULL;
}

int curlopts_parse(const char *kiwi_list, struct fetch_opts *o, char *err, size_t errlen)
{
	char buf[CURLOPTS_MAX_LEN];
	char *items[MAX_ITEMS];
	size_t nitems = 0, len;
	int rc;

	if (!kiwi_list)
		return 0;
	len = strlen(kiwi_list);
	if (len >= sizeof(buf)) {
		snprintf(err, errlen, PARAM ": %zu characters, expected at most %d", len, CURLOPTS_MAX_LEN - 1);
		return -EINVAL;
	}
	for (size_t i = 0; i < len; i++) {
		if ((unsigned char)kiwi_list[i] < 0x20 || kiwi_list[i] == 0x7f) {
			snprintf(err, errlen, PARAM ": control character at position %zu", i);
			return -EINVAL;
		}
	}
	memcpy(buf, kiwi_list, len + 1);
	for (char *p = buf, *next; p; p = next) {
		next = strchr(p, ',');
		if (next)
			*next++ = '\0';
		if (!*p)
			continue;	/* "a,,b" and a trailing comma */
		if (nitems == MAX_ITEMS) {
			snprintf(err, errlen, PARAM ": more than %d items", MAX_ITEMS);
			return -EINVAL;
		}
		items[nitems++] = p;
	}

	for (size_t i = 0; i < nitems; i++) {
		char *it = items[i];
		const struct opt_def *d;

		if (it[0] != '-' || !it[1]) {
			snprintf(err, errlen, PARAM ": '%.60s' is not an option, expected --name or -x", it);
			return -EINVAL;
		}
		if (it[1] == '-') {
			char *eq = strchr(it + 2, '=');
			size_t nlen = eq ? (size_t)(eq - it - 2) : strlen(it + 2);
			const char *v = NULL;

			d = find_long(it + 2, nlen);
			if (!d) {
				snprintf(err, errlen, PARAM ": curl option '--%.*s' is not supported",
					 (int)(nlen > 60 ? 60 : nlen), it + 2);
				return -EINVAL;
			}
			if (d->has_value) {
				if (eq)
					v = eq + 1;
				else if (i + 1 < nitems)
					v = items[++i];
				else {
					snprintf(err, errlen, PARAM ": --%s needs a value", d->lng);
					return -EINVAL;
				}
			} else if (eq) {
				snprintf(err, errlen, PARAM ": --%s takes no value", d->lng);
				return -EINVAL;
			}
			rc = apply(d, v, o, err, errlen);
			if (rc)
				return rc;
			continue;
		}
		for (char *c = it + 1; *c; c++) {
			d = find_short(*c);
			if (!d) {
				snprintf(err, errlen, PARAM ": curl option '-%c' is not supported",
					 (*c >= 0x20 && *c < 0x7f) ? *c : '?');
				return -EINVAL;
			}
			if (!d->has_value) {
				rc = apply(d, NULL, o, err, errlen);
				if (rc)
					return rc;
				continue;
			}
			const char *v;

			if (c[1])
				v = c + 1;
			else if (i + 1 < nitems)
				v = items[++i];
			else {
				snprintf(err, errlen, PARAM ": -%c needs a value", *c);
				return -EINVAL;
			}
			rc = apply(d, v, o, err, errlen);
			if (rc)
				return rc;
			break;
		}
	}
	return 0;
}
