/* libFuzzer target: any byte string as the running kernel's command line -> the command
 * line bootc.kexec hands the next kernel, with and without reuse, into a buffer of a size
 * taken from the input (too small must be -ENOSPC, never an overflow). With reuse the
 * result must split again and name exactly one root=. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline/cmdline.h"
#include "cmdline/kexeccmd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t outlen = size ? 1 + data[0] * 64u : 1;
	char *line = malloc(size + 1), *out = malloc(outlen);
	struct cmdline c;
	size_t i, roots;
	int reuse;

	if (!line || !out)
		goto done;
	memcpy(line, data, size);
	line[size] = '\0';
	for (reuse = 0; reuse <= 1; reuse++) {
		if (kexec_cmdline_build(line, reuse, size & 1 ? "v1" : NULL, out, outlen) < 0)
			continue;
		if (!reuse || cmdline_split(out, &c) < 0)
			continue;
		for (i = 0, roots = 0; i < c.n; i++)
			roots += strcmp(c.v[i].key, "root") == 0;
		cmdline_free(&c);
		if (roots != 1)
			abort();
	}
done:
	free(line);
	free(out);
	return 0;
}
