/* libFuzzer: .sha256 files, rd.live.sha256=/rd.live.checksum=, /proc/meminfo text
 * and the progress formatting never crash or overrun. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fetch/checksum.h"
#include "fetch/fetch.h"
#include "fetch/progress.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t d[CHECKSUM_SHA256_LEN];
	struct checksum c;
	char err[256], line[PROGRESS_LINE_MAX];
	uint64_t v[3] = { 0, 0, 0 };
	char *s = malloc(size + 1);

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	checksum_file_parse((const char *)data, size, "image.iso", d, err, sizeof(err));
	checksum_file_parse((const char *)data, size, NULL, d, err, sizeof(err));
	err[0] = '\0';
	if (checksum_parse_sha256(s, &c, err, sizeof(err)) && (!err[0] || strchr(err, '\n')))
		abort();
	err[0] = '\0';
	if (checksum_parse_spec(s, &c, err, sizeof(err)) && (!err[0] || strchr(err, '\n')))
		abort();
	fetch_meminfo_parse(s, &v[0]);
	memcpy(v, data, size < sizeof(v) ? size : sizeof(v));
	progress_line(line, sizeof(line), v[0], v[1], v[2]);
	progress_summary(line, sizeof(line), v[0], v[2]);
	fetch_fits(v[0], v[1], v[2], "RAM", err, sizeof(err));
	free(s);
	return 0;
}
