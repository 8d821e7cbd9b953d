/* nbdspec: see nbdspec.h. */
#include "blockdev/nbdspec.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NBD_MAX_OPT_TIMEOUT_S 86400u	/* larger timeouts are surely typos */
#define NBD_MIN_BS 512u
#define NBD_MAX_BS 65536u

__attribute__((format(printf, 3, 4)))
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* Copy [p, p+n) into dst (size cap) and NUL-terminate; -E2BIG when it does not fit. */
static int copy_field(char *dst, size_t cap, const char *p, size_t n)
{
	if (n >= cap)
		return -E2BIG;
	memcpy(dst, p, n);
	dst[n] = '\0';
	return 0;
}

static int all_digits(const char *p, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return 0;
	return 1;
}

/* Parse a decimal u32 in [lo, hi] from [p, p+n). */
static int parse_uint(const char *p, size_t n, unsigned long lo, unsigned long hi, unsigned long *out)
{
	unsigned long v = 0;
	if (!all_digits(p, n) || n > 10)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (unsigned long)(p[i] - '0');
	if (v < lo || v > hi)
		return -ERANGE;
	*out = v;
	return 0;
}

static int has_ctl(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

/*
 * Take the server from the front of *pp: "[v6]" or everything up to the next ':'.
 * Leaves *pp at the ':' (or NUL) after it.
 */
static int take_host(const char **pp, struct nbd_spec *out, char *err, size_t errlen)
{
	const char *p = *pp, *end;

	if (*p == '[') {
		end = strchr(p, ']');
		if (!end)
			return fail(err, errlen, "server '%.80s' has no closing ']'", p);
		if (end == p + 1)
			return fail(err, errlen, "empty server in '%.80s'; expected [<IPv6 address>]", p);
		if (copy_field(out->host, sizeof(out->host), p + 1, (size_t)(end - p - 1)))
			return fail(err, errlen, "server name too long in '%.80s'", p);
		if (!strchr(out->host, ':'))
			return fail(err, errlen, "'[%.80s]': brackets are for IPv6 addresses only", out->host);
		end++;
		if (*end != ':' && *end != '\0')
			return fail(err, errlen, "unexpected text after ']' in '%.80s'; expected ':'", p);
	} else {
		end = strchr(p, ':');
		if (!end)
			end = p + strlen(p);
		if (end == p)
			return fail(err, errlen, "missing server in '%.80s'; expected <server>:...", p);
		if (copy_field(out->host, sizeof(out->host), p, (size_t)(end - p)))
			return fail(err, errlen, "server name too long in '%.80s'", p);
	}
	*pp = end;
	return 0;
}

static void spec_defaults(struct nbd_spec *out)
{
	memset(out, 0, sizeof(*out));
	out->port = NBD_DEFAULT_PORT;
	out->io_timeout_s = NBD_DEFAULT_IO_TIMEOUT_S;
	out->dead_timeout_s = NBD_DEFAULT_DEAD_TIMEOUT_S;
	out->persist = 1;
}

/* KIWI: <server>[:<port>]:<export> */
static int parse_kiwi(const char *v, struct nbd_spec *out, char *err, size_t errlen)
{
	const char *p = v, *colon;
	unsigned long port;
	int rc;

	out->form = NBD_FORM_KIWI;
	if ((rc = take_host(&p, out, err, errlen)))
		return rc;
	if (*p != ':')
		return fail(err, errlen, "missing export name; expected <server>[:<port>]:<export>");
	p++;
	colon = strchr(p, ':');
	if (colon) {
		if (parse_uint(p, (size_t)(colon - p), 1, 65535, &port))
			return fail(err, errlen, "bad port; expected <server>[:<port 1-65535>]:<export>");
		out->port = (uint16_t)port;
		p = colon + 1;
	}
	if (!*p)
		return fail(err, errlen, "empty export name; expected <server>[:<port>]:<export>");
	if (copy_field(out->export_name, sizeof(out->export_name), p, strlen(p)))
		return fail(err, errlen, "export name longer than 255 bytes");
	return 0;
}

static int parse_nbdopt(const char *o, size_t n, struct nbd_spec *out, char *err, size_t errlen)
{
	unsigned long v;
	char tmp[NBD_SPEC_STR_MAX];

	if (n == 0)
		return 0;
	if (copy_field(tmp, sizeof(tmp), o, n))
		return fail(err, errlen, "option '%.40s...' too long", o);
	if (!strncmp(tmp, "timeout=", 8)) {
		if (parse_uint(tmp + 8, strlen(tmp + 8), 1, NBD_MAX_OPT_TIMEOUT_S, &v))
			return fail(err, errlen, "bad option '%.80s'; expected timeout=<seconds 1-86400>", tmp);
		out->io_timeout_s = (unsigned)v;
	} else if (!strncmp(tmp, "dead_timeout=", 13)) {
		if (parse_uint(tmp + 13, strlen(tmp + 13), 1, NBD_MAX_OPT_TIMEOUT_S, &v))
			return fail(err, errlen, "bad option '%.80s'; expected dead_timeout=<seconds 1-86400>", tmp);
		out->dead_timeout_s = (unsigned)v;
	} else if (!strncmp(tmp, "bs=", 3)) {
		if (parse_uint(tmp + 3, strlen(tmp + 3), NBD_MIN_BS, NBD_MAX_BS, &v) || (v & (v - 1)))
			return fail(err, errlen, "bad option '%.80s'; expected bs=<power of two 512-65536>", tmp);
		out->block_size = (uint32_t)v;
	} else if (!strcmp(tmp, "nopersist")) {
		out->persist = 0;
	} else if (!strcmp(tmp, "persist")) {
		out->persist = 1;
	} else {
		if (out->n_ignored_opts++ == 0)
			memcpy(out->first_ignored_opt, tmp, n + 1);
	}
	return 0;
}

/* dracut: <server>:<port|export>[:<fstype>[:<rootflags>[:<nbdopts>]]] */
static int parse_dracut(const char *v, struct nbd_spec *out, char *err, size_t errlen)
{
	const char *p = v, *f, *end;
	unsigned long port;
	int rc;

	out->form = NBD_FORM_DRACUT;
	if (!strncmp(p, "nbd:", 4))
		p += 4;
	if ((rc = take_host(&p, out, err, errlen)))
		return rc;
	if (*p != ':' || p[1] == '\0' || p[1] == ':')
		return fail(err, errlen, "missing port or export; expected nbd:<server>:<port|export>[:<fstype>[:<rootflags>[:<nbdopts>]]]");
	/* field 2: port or export name */
	f = p + 1;
	end = strchrnul(f, ':');
	if (all_digits(f, (size_t)(end - f))) {
		if (parse_uint(f, (size_t)(end - f), 1, 65535, &port))
			return fail(err, errlen, "port out of range; expected 1-65535");
		out->port = (uint16_t)port;
	} else if (copy_field(out->export_name, sizeof(out->export_name), f, (size_t)(end - f))) {
		return fail(err, errlen, "export name longer than 255 bytes");
	}
	if (!*end)
		return 0;
	/* field 3: fstype */
	f = end + 1;
	end = strchrnul(f, ':');
	if (copy_field(out->fstype, sizeof(out->fstype), f, (size_t)(end - f)))
		return fail(err, errlen, "filesystem type too long");
	if (!strcmp(out->fstype, "auto"))
		out->fstype[0] = '\0';
	if (!*end)
		return 0;
	/* field 4: rootflags */
	f = end + 1;
	end = strchrnul(f, ':');
	if (copy_field(out->rootflags, sizeof(out->rootflags), f, (size_t)(end - f)))
		return fail(err, errlen, "rootflags too long");
	if (!*end)
		return 0;
	/* field 5: nbdopts (a comma list; may not contain ':') */
	f = end + 1;
	if (strchr(f, ':'))
		return fail(err, errlen, "too many ':' fields; expected at most <server>:<port|export>:<fstype>:<rootflags>:<nbdopts>");
	while (*f) {
		end = strchr(f, ',');
		if (!end)
			end = f + strlen(f);
		if ((rc = parse_nbdopt(f, (size_t)(end - f), out, err, errlen)))
			return rc;
		f = *end ? end + 1 : end;
	}
	return 0;
}

int nbd_spec_parse(const char *form, const char *value, struct nbd_spec *out, char *err, size_t errlen)
{
	int rc;

	if (err && errlen)
		err[0] = '\0';
	if (!form || !value || !out)
		return -EINVAL;
	spec_defaults(out);
	if (!*value)
		return fail(err, errlen, "empty value; expected <server>:...");
	if (has_ctl(value))
		return fail(err, errlen, "control character in '%.80s'", value);
	if (!strcmp(form, "kiwi"))
		rc = parse_kiwi(value, out, err, errlen);
	else if (!strcmp(form, "dracut"))
		rc = parse_dracut(value, out, err, errlen);
	else
		return fail(err, errlen, "unknown form '%.80s'; expected kiwi or dracut", form);
	if (rc)
		spec_defaults(out);
	return rc;
}

int nbd_spec_describe(const struct nbd_spec *s, char *buf, size_t len)
{
	int v6 = strchr(s->host, ':') != NULL;

	return snprintf(buf, len, "%s%s%s:%u/%s", v6 ? "[" : "", s->host, v6 ? "]" : "",
			(unsigned)s->port, s->export_name);
}
