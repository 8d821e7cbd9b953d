#include "init/kexeccmd.h"
#include "init/cmdline.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int add(char *out, size_t len, size_t *used, const char *k, const char *v)
{
	bool q = v && strpbrk(v, " \t\n");
	int n = snprintf(out + *used, len - *used, "%s%s%s%s%s%s", *used ? " " : "", k, v ? "=" : "", q ? "\"" : "",
			 v ? v : "", q ? "\"" : "");

	if (n < 0 || (size_t)n >= len - *used)
		return -ENOSPC;
	*used += (size_t)n;
	return 0;
}

int kexec_cmdline_build(const char *cur, bool reuse, const char *label, char *out, size_t len)
{
	struct cmdline c;
	size_t used = 0, i;
	int rc = 0;

	if (!len)
		return -ENOSPC;
	out[0] = '\0';
	if (cmdline_split(cur, &c) < 0)
		return -ENOMEM;
	for (i = 0; i < c.n && rc == 0; i++) {
		const char *k = c.v[i].key;

		if (strncmp(k, "bootc.kexec", 11) == 0 && (k[11] == '\0' || k[11] == '.'))
			continue;
		if (reuse && (strcmp(k, "root") == 0 || strcmp(k, "netroot") == 0))
			continue;
		if (label && strcmp(k, "bootclabel") == 0)
			continue;
		rc = add(out, len, &used, k, c.v[i].value);
	}
	cmdline_free(&c);
	if (rc == 0 && label)
		rc = add(out, len, &used, "bootclabel", label);
	if (rc == 0 && reuse)
		rc = add(out, len, &used, "bootc.kexec.reuse-image", "0");
	if (rc == 0 && reuse)
		rc = add(out, len, &used, "root", KEXEC_REUSE_ROOT);
	if (rc < 0)
		out[0] = '\0';
	return rc;
}
