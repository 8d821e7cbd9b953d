/* libFuzzer: rd.kiwi.live.curl_options= and the URL/proxy setters never crash,
 * and a refusal is always one line. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fetch/curlopts.h"
#include "fetch/fetch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fetch_opts o;
	char err[256];
	char *s = malloc(size + 1);

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	fetch_opts_init(&o);
	err[0] = '\0';
	if (curlopts_parse(s, &o, err, sizeof(err)) != 0 && (!err[0] || strchr(err, '\n')))
		abort();
	if (o.nheaders > FETCH_MAX_HEADERS)
		abort();
	err[0] = '\0';
	if (fetch_set_url(&o, s, err, sizeof(err)) && (!err[0] || strchr(err, '\n')))
		abort();
	fetch_set_proxy(&o, s, err, sizeof(err));
	free(s);
	return 0;
}
