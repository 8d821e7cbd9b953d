/* The pure half of dolly.h: rd.kiwi.live.dolly_options, the dollytab the server sends,
 * finding ourselves in its host list, the password challenge. No I/O. */
#include "fetch/dolly.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/sha256.h"
#include "util/errbuf.h"

#define OPT_TIMEOUT_MAX	86400	/* -a: a day */
#define OPT_RETRIES_MAX	1000	/* -r */

void dolly_opts_init(struct dolly_opts *d)
{
	memset(d, 0, sizeof(*d));
}

static bool is_sep(char c)
{
	return c == ',' || c == ' ' || c == '\t';
}

static int opt_uint(const char *flag, const char *v, unsigned max, unsigned *out, char *err, size_t errlen)
{
	char *end;
	unsigned long n;

	if (!v || !*v || strspn(v, "0123456789") != strlen(v) || strlen(v) > 9) {
		char shown[48];

		snprintf(shown, sizeof(shown), "%.40s", v ? v : "");
		text_scrub(shown);
		seterr(err, errlen, "%s: expected a whole number, got '%s'", flag, shown);
		return -EINVAL;
	}
	n = strtoul(v, &end, 10);
	if (n == 0 || n > max) {
		seterr(err, errlen, "%s %lu: expected 1..%u", flag, n, max);
		return -EINVAL;
	}
	*out = (unsigned)n;
	return 0;
}

int dolly_options_parse(const char *val, struct dolly_opts *d, char *err, size_t errlen)
{
	char tok[DOLLY_PASSWORD_MAX + 8], arg[DOLLY_PASSWORD_MAX + 8];
	const char *p = val ? val : "";
	int rc;

	dolly_opts_init(d);
	while (*p) {
		size_t n;

		while (is_sep(*p))
			p++;
		if (!*p)
			break;
		n = strcspn(p, ", \t");
		if (n >= sizeof(tok)) {
			seterr(err, errlen, "an option of %zu characters, expected at most %d", n, DOLLY_PASSWORD_MAX);
			return -EINVAL;
		}
		memcpy(tok, p, n);
		tok[n] = '\0';
		p += n;
		if (tok[0] != '-' || !tok[1]) {
			tok[40] = '\0';
			text_scrub(tok);
			seterr(err, errlen, "'%s': expected dolly client options: -P,<password> -a,<seconds> "
			       "-r,<retries> -Y (-v -q -n change nothing)", tok);
			return -EINVAL;
		}
		/* getopt style: flags may be grouped (-vY), an option's value follows or is the next token */
		for (const char *f = tok + 1; *f; f++) {
			const char *v = NULL;

			if (*f == 'P' || *f == 'a' || *f == 'r') {
				char flag[3] = { '-', *f, '\0' };

				if (f[1]) {
					snprintf(arg, sizeof(arg), "%s", f + 1);
				} else {
					while (is_sep(*p))
						p++;
					n = strcspn(p, ", \t");
					if (!n) {
						seterr(err, errlen, "%s: expected a value after it", flag);
						return -EINVAL;
					}
					if (n >= sizeof(arg)) {
						seterr(err, errlen, "%s: a value of %zu characters, expected at most %d", flag,
						       n, DOLLY_PASSWORD_MAX);
						return -EINVAL;
					}
					memcpy(arg, p, n);
					arg[n] = '\0';
					p += n;
				}
				v = arg;
				if (*f == 'P') {
					if (strlen(v) > DOLLY_PASSWORD_MAX) {
						seterr(err, errlen, "-P: a password of %zu characters, expected at most %d",
						       strlen(v), DOLLY_PASSWORD_MAX);
						return -EINVAL;
					}
					memcpy(d->password, v, strlen(v) + 1);	/* fits: checked above */
					d->password_set = true;
				} else if (*f == 'a') {
					rc = opt_uint(flag, v, OPT_TIMEOUT_MAX, &d->timeout_s, err, errlen);
					if (rc)
						return rc;
				} else {
					rc = opt_uint(flag, v, OPT_RETRIES_MAX, &d->retries, err, errlen);
					if (rc)
						return rc;
				}
				break;	/* the value took the rest of the token */
			}
			switch (*f) {
			case 'Y':
				d->hyphen_normal = true;
				break;
			case 'v': case 'q': case 'n':
				break;	/* verbose, quiet, no sync: netinit logs anyway and syncs block devices */
			case 's': case 'S': case 'H': case 'I': case 'O': case 'D': case 'X': case 'K': case 'f':
			case 'd': case 'R': case '4': case '6': case 'o':
				seterr(err, errlen, "-%c is a dolly server option (or needs a file); the server's "
				       "dollytab decides the chain, a client takes -P, -a, -r, -Y", *f);
				return -EINVAL;
			default:
				seterr(err, errlen, "-%c: not a dolly client option; expected -P,<password> -a,<seconds> "
				       "-r,<retries> -Y", (unsigned char)*f > 0x20 && *f != 0x7f ? *f : '?');
				return -EINVAL;
			}
		}
	}
	return 0;
}

const char *dolly_config_host(const struct dolly_config *c, unsigned i)
{
	return i < c->nhosts ? c->text + c->host[i] : "";
}

static bool starts(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

/* "<value>[ <rest>]" after a keyword: value up to the first space, rest after it ("" if none). */
static void split_value(char *s, char *val, size_t vallen, const char **rest)
{
	char *sp = strchr(s, ' ');

	if (sp) {
		*sp = '\0';
		*rest = sp + 1;
	} else {
		*rest = "";
	}
	snprintf(val, vallen, "%s", s);
}

/* dolly's split size: digits, then T, G, M or k. */
static int parse_split(const char *s, uint64_t *out)
{
	uint64_t n = 0;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (n > UINT64_MAX / 10 - 9)
			return -EINVAL;
		n = n * 10 + (uint64_t)(*s - '0');
	}
	switch (*s) {
	case 'T': n = n > (UINT64_MAX >> 40) ? 0 : n << 40; break;
	case 'G': n = n > (UINT64_MAX >> 30) ? 0 : n << 30; break;
	case 'M': n = n > (UINT64_MAX >> 20) ? 0 : n << 20; break;
	case 'k': n = n > (UINT64_MAX >> 10) ? 0 : n << 10; break;
	default: return -EINVAL;
	}
	if (!n || s[1])
		return -EINVAL;
	*out = n;
	return 0;
}

static bool host_ok(const char *h)
{
	for (; *h; h++)
		if ((unsigned char)*h <= 0x20 || *h == 0x7f)
			return false;
	return true;
}

int dolly_config_parse(const char *buf, size_t len, struct dolly_config *c, char *err, size_t errlen)
{
	char *line, *next, *end;
	const char *rest;
	unsigned lineno = 0;
	bool ended = false;

	memset(c, 0, sizeof(*c));
	if (len > DOLLY_CONFIG_MAX) {
		seterr(err, errlen, "the configuration is %zu bytes, expected at most %d", len, DOLLY_CONFIG_MAX);
		return -EBADMSG;
	}
	if (memchr(buf, '\0', len)) {
		seterr(err, errlen, "the configuration contains a NUL byte at offset %zu",
		       (size_t)((const char *)memchr(buf, '\0', len) - buf));
		return -EBADMSG;
	}
	memcpy(c->text, buf, len);
	c->text[len] = '\0';
	end = c->text + len;
	for (line = c->text; line < end && !ended; line = next) {
		size_t n;

		next = memchr(line, '\n', (size_t)(end - line));
		if (next)
			*next++ = '\0';
		else
			next = end;
		n = strlen(line);
		lineno++;
		if (n > DOLLY_LINE_MAX) {
			seterr(err, errlen, "line %u is %zu characters, expected at most %d", lineno, n, DOLLY_LINE_MAX);
			return -EBADMSG;
		}
		if (lineno == 1) {
			if (!starts(line, "infile ") || !line[7]) {
				seterr(err, errlen, "line 1: expected 'infile <name>'");
				return -EBADMSG;
			}
			split_value(line + 7, c->infile, sizeof(c->infile), &rest);
			c->input_split = strcmp(rest, "split") == 0;
			continue;
		}
		if (lineno == 2) {
			if (!starts(line, "outfile ") || !line[8]) {
				seterr(err, errlen, "line 2: expected 'outfile <name>'");
				return -EBADMSG;
			}
			split_value(line + 8, c->outfile, sizeof(c->outfile), &rest);
			if (starts(rest, "split ") && parse_split(rest + 6, &c->output_split) < 0) {
				seterr(err, errlen, "line 2: expected 'split <number>[kMGT]' after the outfile");
				return -EBADMSG;
			}
			continue;
		}
		/* dolly looks for these two keywords right after the outfile line, in this order */
		if (lineno == 3 && starts(line, "hyphennormal")) {
			c->hyphen_normal = true;
			continue;
		}
		if ((lineno == 3 || (lineno == 4 && c->hyphen_normal)) && starts(line, "hypheninterface")) {
			c->hyphen_normal = true;
			continue;
		}
		if (starts(line, "endconfig")) {
			ended = true;
			continue;
		}
		if (!n)
			continue;	/* dolly skips empty lines */
		if (!host_ok(line)) {
			char shown[64];

			snprintf(shown, sizeof(shown), "%.40s", line);
			text_scrub(shown);
			seterr(err, errlen, "line %u: '%s': expected a host name or address (no spaces or control "
			       "characters)", lineno, shown);
			return -EBADMSG;
		}
		if (c->nhosts >= DOLLY_MAX_HOSTS) {
			seterr(err, errlen, "more than %d hosts", DOLLY_MAX_HOSTS);
			return -EBADMSG;
		}
		c->host[c->nhosts++] = (uint16_t)(line - c->text);
	}
	if (lineno < 2) {
		seterr(err, errlen, "the configuration ends before its 'outfile' line");
		return -EBADMSG;
	}
	if (!ended) {
		seterr(err, errlen, "no 'endconfig' line after the host list");
		return -EBADMSG;
	}
	if (!c->nhosts) {
		seterr(err, errlen, "the host list is empty");
		return -EBADMSG;
	}
	return 0;
}

/* Does name (the whole entry, or its part before the first '-') name us? */
static bool names_us(const char *name, size_t len, const char *hostname, const char *const *addrs, size_t naddrs)
{
	if (!len)
		return false;
	if (hostname && *hostname && strlen(hostname) == len && !memcmp(hostname, name, len))
		return true;
	for (size_t i = 0; i < naddrs; i++)
		if (addrs[i] && strlen(addrs[i]) == len && !memcmp(addrs[i], name, len))
			return true;
	return false;
}

int dolly_find_self(const struct dolly_config *c, bool hyphen_normal, const char *hostname,
		    const char *const *addrs, size_t naddrs)
{
	hyphen_normal = hyphen_normal || c->hyphen_normal;
	for (unsigned i = 0; i < c->nhosts; i++) {
		const char *h = dolly_config_host(c, i), *dash = strchr(h, '-');

		if (names_us(h, strlen(h), hostname, addrs, naddrs))
			return (int)i;
		if (!hyphen_normal && dash && names_us(h, (size_t)(dash - h), hostname, addrs, naddrs))
			return (int)i;
	}
	return -ENOENT;
}

void dolly_auth_response(const char *password, const uint8_t nonce[DOLLY_NONCE_LEN], uint8_t out[DOLLY_RESPONSE_LEN])
{
	struct sha256 s;
	uint8_t pw[SHA256_DIGEST];

	sha256_init(&s);
	sha256_update(&s, password, strlen(password));
	sha256_final(&s, pw);
	sha256_init(&s);
	sha256_update(&s, pw, sizeof(pw));
	sha256_update(&s, nonce, DOLLY_NONCE_LEN);
	sha256_final(&s, out);
}

int dolly_auth_reply(const char *buf, size_t len, char *who, size_t wholen)
{
	const char *nul = memchr(buf, '\0', len);
	static const char failed[] = "AUTH_FAILED:";

	if (who && wholen)
		who[0] = '\0';
	if (!nul && len < DOLLY_AUTH_REPLY_MAX)
		return -EAGAIN;
	if (nul && !strcmp(buf, "OK"))
		return 1;
	if (who && wholen && len > sizeof(failed) - 1 && !memcmp(buf, failed, sizeof(failed) - 1)) {
		size_t n = (nul ? (size_t)(nul - buf) : len) - (sizeof(failed) - 1);

		if (n >= wholen)
			n = wholen - 1;
		memcpy(who, buf + sizeof(failed) - 1, n);
		who[n] = '\0';
		text_scrub(who);
	}
	return 0;
}
