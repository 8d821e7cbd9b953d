/* libFuzzer: what a dolly server or previous host sends (the dollytab, the reply to our
 * challenge) and rd.kiwi.live.dolly_options never crash, overrun or break the parsers'
 * promises: hosts are non-empty single tokens inside the text, errors are one line. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fetch/dolly.h"

static struct dolly_config c;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256], who[64];
	const char *addrs[4];
	struct dolly_opts d;
	char *s;
	int rc;

	err[0] = '\0';
	rc = dolly_config_parse((const char *)data, size, &c, err, sizeof(err));
	if (rc && (!err[0] || strchr(err, '\n')))
		abort();
	if (!rc) {
		if (!c.nhosts || c.nhosts > DOLLY_MAX_HOSTS)
			abort();
		for (unsigned i = 0; i < c.nhosts; i++) {
			const char *h = dolly_config_host(&c, i);
			size_t n = strlen(h);

			if (c.host[i] >= sizeof(c.text) || !n || n > DOLLY_LINE_MAX || strpbrk(h, " \t\r\n"))
				abort();
		}
		/* ourselves: the first and last hosts as addresses, the middle one as the host name */
		addrs[0] = dolly_config_host(&c, 0);
		addrs[1] = dolly_config_host(&c, c.nhosts - 1);
		rc = dolly_find_self(&c, size & 1, dolly_config_host(&c, c.nhosts / 2), addrs, 2);
		if (rc < 0 || (unsigned)rc > c.nhosts / 2)
			abort();
		rc = dolly_find_self(&c, false, "", addrs, 0);
		if (rc != -ENOENT)
			abort();
	}
	rc = dolly_auth_reply((const char *)data, size < DOLLY_AUTH_REPLY_MAX ? size : DOLLY_AUTH_REPLY_MAX, who,
			      sizeof(who));
	if (rc != 1 && rc != 0 && rc != -EAGAIN)
		abort();
	if (strlen(who) >= sizeof(who))
		abort();
	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	err[0] = '\0';
	rc = dolly_options_parse(s, &d, err, sizeof(err));
	if (rc && (!err[0] || strchr(err, '\n')))
		abort();
	if (!rc && (strlen(d.password) > DOLLY_PASSWORD_MAX || d.timeout_s > 86400 || d.retries > 1000))
		abort();
	free(s);
	return 0;
}
