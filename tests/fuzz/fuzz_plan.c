/* libFuzzer target: any byte string as a kernel command line -> split + boot plan + print. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "init/plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct boot_plan plan;
	struct cmdline c;
	char *line = malloc(size + 1);
	FILE *devnull;

	if (!line)
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	if (cmdline_split(line, &c) == 0) {
		plan_build(&c, &plan);
		cmdline_free(&c);
		devnull = fopen("/dev/null", "w");
		if (devnull) {
			plan_print(&plan, devnull, false);
			plan_print(&plan, devnull, true);
			fclose(devnull);
		}
	}
	free(line);
	return 0;
}
