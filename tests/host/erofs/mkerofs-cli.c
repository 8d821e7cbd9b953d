/* mkerofs-cli SRC IMAGE [--consume]: fs/mkerofs.c as a host command, for the host
 * tests and bench/. Prints the stats as key=value on one line. */
#include "fs/mkerofs.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	struct mkerofs_opts o = { .consume = argc > 3 && strcmp(argv[3], "--consume") == 0 };
	struct mkerofs_stats st;
	char err[1024];
	int rc;

	if (argc < 3) {
		fprintf(stderr, "usage: %s SRC IMAGE [--consume]\n", argv[0]);
		return 2;
	}
	rc = mkerofs(argv[1], argv[2], &o, &st, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "mkerofs: %s\n", err);
		return 1;
	}
	printf("inodes=%llu files=%llu data_bytes=%llu meta_bytes=%llu image_bytes=%llu\n",
	       (unsigned long long)st.inodes, (unsigned long long)st.files, (unsigned long long)st.data_bytes,
	       (unsigned long long)st.meta_bytes, (unsigned long long)st.image_bytes);
	return 0;
}
