/* The pure half of fetch.h: option defaults, URL check, size pre-check. */
#include "fetch/fetch.h"
#include "fetch/torrent.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "fetch/progress.h"

#define MEMINFO_MAX 8192	/* /proc/meminfo is about 1.5 KiB */

void fetch_opts_init(struct fetch_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->retry_deadline_s = FETCH_RETRY_DEFAULT_S;
	o->max_retries = -1;
	o->follow = true;
	o->decompress = true;
}

static const char *const schemes[] = { "http://", "https://", "ftp://", "tftp://", "file://" };

static int check_url(const char *url, size_t max, char *err, size_t errlen);

int fetch_set_url(struct fetch_opts *o, const char *url, char *err, size_t errlen)
{
	int rc = check_url(url, sizeof(o->url), err, errlen);

	if (rc)
		return rc;
	memcpy(o->url, url, strlen(url) + 1);
	return 0;
}

int fetch_add_mirror(struct fetch_opts *o, const char *url, char *err, size_t errlen)
{
	int rc;

	if (o->nmirrors >= FETCH_MAX_MIRRORS) {
		snprintf(err, errlen, "more than %d mirrors", FETCH_MAX_MIRRORS);
		return -E2BIG;
	}
	rc = check_url(url, sizeof(o->mirrors[0]), err, errlen);
	if (rc)
		return rc;
	memcpy(o->mirrors[o->nmirrors++], url, strlen(url) + 1);
	return 0;
}

const char *fetch_source(const struct fetch_opts *o, unsigned i)
{
	if (i == 0)
		return o->url;
	return i - 1 < o->nmirrors ? o->mirrors[i - 1] : NULL;
}

static int check_url(const char *url, size_t max, char *err, size_t errlen)
{
	size_t len = url ? strlen(url) : 0;
	bool known = false;

	if (!len) {
		snprintf(err, errlen, "empty URL, expected http://, https://, ftp://, tftp:// or file://");
		return -EINVAL;
	}
	if (len >= max) {
		snprintf(err, errlen, "URL is %zu characters, expected at most %zu", len, max - 1);
		return -EINVAL;
	}
	for (size_t i = 0; i < len; i++) {
		if ((unsigned char)url[i] <= 0x20 || url[i] == 0x7f) {
			snprintf(err, errlen, "URL contains a space or control character at position %zu", i);
			return -EINVAL;
		}
	}
	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (!strncasecmp(url, schemes[i], strlen(schemes[i])))
			known = true;
	if (!known) {
		snprintf(err, errlen, "URL '%.200s' has an unsupported scheme, expected http, https, ftp, tftp or file",
			 url);
		return -EINVAL;
	}
	return 0;
}

int fetch_set_proxy(struct fetch_opts *o, const char *proxy, char *err, size_t errlen)
{
	size_t len = proxy ? strlen(proxy) : 0;

	if (len >= sizeof(o->proxy)) {
		snprintf(err, errlen, "proxy= is %zu characters, expected at most %zu", len, sizeof(o->proxy) - 1);
		return -EINVAL;
	}
	for (size_t i = 0; i < len; i++) {
		if ((unsigned char)proxy[i] <= 0x20 || proxy[i] == 0x7f) {
			snprintf(err, errlen, "proxy= contains a space or control character");
			return -EINVAL;
		}
	}
	memcpy(o->proxy, proxy ? proxy : "", len + 1);
	return 0;
}

int fetch_fits(uint64_t need, uint64_t avail, uint64_t reserve, const char *what,
	       char *err, size_t errlen)
{
	uint64_t usable = avail > reserve ? avail - reserve : 0;
	char a[24], b[24], c[24];

	if (need <= usable)
		return 0;
	progress_size(a, sizeof(a), need);
	progress_size(b, sizeof(b), usable);
	if (reserve) {
		progress_size(c, sizeof(c), reserve);
		snprintf(err, errlen, "image is %s, %s of %s available (%s kept free)", a, b,
			 what ? what : "space", c);
	} else {
		snprintf(err, errlen, "image is %s, %s of %s available", a, b, what ? what : "space");
	}
	return -EFBIG;
}

int fetch_meminfo_parse(const char *text, uint64_t *avail)
{
	static const char key[] = "MemAvailable:";
	const char *p = text;

	while (p && *p) {
		if (!strncmp(p, key, sizeof(key) - 1)) {
			uint64_t kib = 0;
			bool digits = false;

			p += sizeof(key) - 1;
			while (*p == ' ' || *p == '\t')
				p++;
			for (; *p >= '0' && *p <= '9'; p++) {
				if (kib > (UINT64_MAX / 1024 - 9) / 10)
					return -EINVAL;
				kib = kib * 10 + (uint64_t)(*p - '0');
				digits = true;
			}
			if (!digits)
				return -EINVAL;
			*avail = kib * 1024;
			return 0;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -EINVAL;
}

int fetch_mem_available(uint64_t *avail)
{
	char buf[MEMINFO_MAX];
	ssize_t n;
	int fd = open("/proc/meminfo", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return -EIO;
	buf[n] = '\0';
	return fetch_meminfo_parse(buf, avail);
}

int fetch_query_escape(const char *in, char *out, size_t outlen)
{
	return fetch_query_escape_bytes(in, strlen(in), out, outlen);
}

int fetch_query_escape_bytes(const void *inp, size_t len, char *out, size_t outlen)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *in = inp;
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = in[i];
		bool keep = isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';

		if (o + (keep ? 1 : 3) >= outlen)
			return -ENAMETOOLONG;
		if (keep) {
			out[o++] = (char)c;
		} else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	if (o >= outlen)
		return -ENAMETOOLONG;
	out[o] = '\0';
	return 0;
}

/* torrent.h: root=live:torrent:// (dracut) and torrent+https:// to the metainfo's URL */
bool torrent_is_url(const char *url)
{
	return !strncasecmp(url, "torrent://", 10) || !strncasecmp(url, "torrent+https://", 16) ||
	       !strncasecmp(url, "torrent+http://", 15);
}

/* torrent.h: rd.live.torrent.seed= */
static int seed_term(const char *s, size_t len, unsigned *secs, unsigned *pct, bool *have_s, bool *have_r)
{
	uint64_t whole = 0, frac = 0;
	unsigned nfrac = 0;
	size_t i = 0;

	if (!len)
		return -EINVAL;
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
		if ((whole = whole * 10 + (unsigned)(s[i] - '0')) > 1000000000)
			return -EINVAL;
	if (!i)
		return -EINVAL;
	if (i == len) {	/* seconds */
		if (*have_s || whole > 10u * 365 * 86400)
			return -EINVAL;
		*have_s = true;
		*secs = (unsigned)whole;
		return 0;
	}
	if (s[i] == '.') {
		for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++, nfrac++)
			if (nfrac >= 2)
				return -EINVAL;
			else
				frac = frac * 10 + (unsigned)(s[i] - '0');
		if (!nfrac)
			return -EINVAL;
		if (nfrac == 1)
			frac *= 10;
	}
	if (i != len - 1 || (s[i] != 'x' && s[i] != 'X') || *have_r || whole > 10000)
		return -EINVAL;
	if (!whole && !frac)
		return -EINVAL;	/* "0x": no ratio is written "0" */
	*have_r = true;
	*pct = (unsigned)(whole * 100 + frac);
	return 0;
}

int torrent_seed_parse(const char *s, unsigned *secs, unsigned *ratio_pct)
{
	bool have_s = false, have_r = false;
	unsigned sec = 0, pct = 0;

	if (!s || !*s)
		return -EINVAL;
	for (;;) {
		const char *comma = strchr(s, ',');
		size_t len = comma ? (size_t)(comma - s) : strlen(s);

		if (seed_term(s, len, &sec, &pct, &have_s, &have_r))
			return -EINVAL;
		if (!comma)
			break;
		s = comma + 1;
	}
	if (have_s && have_r && !sec)
		return -EINVAL;	/* "0,2x": 0 means no seeding, a ratio says otherwise */
	*secs = sec;
	*ratio_pct = pct;
	return 0;
}

int torrent_meta_url(const char *url, char *out, size_t outlen)
{
	int n;

	if (!strncasecmp(url, "torrent://", 10))
		n = snprintf(out, outlen, "http://%s", url + 10);	/* dracut: curl's default scheme */
	else if (!strncasecmp(url, "torrent+https://", 16))
		n = snprintf(out, outlen, "https://%s", url + 16);
	else if (!strncasecmp(url, "torrent+http://", 15))
		n = snprintf(out, outlen, "http://%s", url + 15);
	else
		return -EINVAL;
	if (n < 0 || (size_t)n >= outlen)
		return -ENAMETOOLONG;
	return out[strlen(out) - 1] == '/' || !strchr(strchr(out, ':') + 3, '/') ? -EINVAL : 0;
}
