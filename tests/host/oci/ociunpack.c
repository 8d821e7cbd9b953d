/* ociunpack: the OCI unpacker as a host program, for host tests and benchmarks.
 *   ociunpack [-l LABEL] [-p] [-q] ARCHIVE ROOTDIR       an oci-archive
 *   ociunpack [-k] [-a AUTHFILE] [-o OUT [-r NAME]] [-q] docker://REF ROOTDIR   a registry pull
 * -p punches applied layers out of ARCHIVE (it is consumed), -k: plain HTTP / no TLS
 * verification, -o: also write the pulled image as an oci-archive into OUT labelled NAME,
 * -b BASE: the archive starts at byte BASE of ARCHIVE / OUT, -m UPSTREAM=MIRROR[,OPTS]: a registry
 * mirror (repeatable, bootc.registry.mirror=), -M FILE: the mirrors file (default: none), -q: no events. Prints one "unpacked:" line; exit 0, or 1 with the error. */
#include "oci/archive.h"
#include "oci/registry.h"
#include "oci/ref.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

static void ev(void *ctx, int level, const char *msg)
{
	static const char *const lv[] = { "error", "warning", "info", "debug" };

	fprintf(stderr, "ociunpack: %s: %s\n", lv[level & 3], msg);
}

int main(int argc, char **argv)
{
	struct oci_archive_opts a = { .label = "latest", .label_default = true };
	struct oci_unpack_opts o = { .os = "linux", .ev = ev };
	struct oci_unpack_stats st;
	struct utsname u;
	const char *auth = NULL;
	bool insecure = false;
	const char *out = NULL, *name = NULL, *mfile = "/dev/null";
	struct oci_mirrors ms = { .n = 0 };
	unsigned long long base = 0;
	char err[1024];
	int c, rc;

	while ((c = getopt(argc, argv, "l:pqka:o:r:b:m:M:")) != -1) {
		switch (c) {
		case 'l': a.label = optarg; a.label_default = false; break;
		case 'p': a.punch = true; break;
		case 'q': o.ev = NULL; break;
		case 'k': insecure = true; break;
		case 'a': auth = optarg; break;
		case 'o': out = optarg; break;
		case 'r': name = optarg; break;
		case 'b': base = strtoull(optarg, NULL, 0); break;
		case 'm':
			if (oci_mirrors_add(&ms, optarg, err, sizeof(err)) < 0) {
				fprintf(stderr, "ociunpack: -m %s\n", err);
				return 2;
			}
			break;
		case 'M': mfile = optarg; break;
		default: return 2;
		}
	}
	if (argc - optind != 2) {
		fprintf(stderr, "usage: ociunpack [-l LABEL] [-p] [-q] ARCHIVE|docker://REF ROOTDIR\n");
		return 2;
	}
	uname(&u);
	o.arch = oci_arch_from_machine(u.machine);
	o.root = argv[optind + 1];
	if (strncmp(argv[optind], "docker://", 9) == 0) {
		struct oci_ref ref;
		struct oci_registry_opts r = { .insecure = insecure, .auth_file = auth, .retry_s = 10,
					       .archive_path = out, .archive_base = base, .archive_ref = name,
					       .mirrors = &ms, .mirrors_file = mfile };

		rc = oci_ref_parse(argv[optind], &ref, err, sizeof(err));
		if (rc == 0)
			rc = oci_registry_unpack(&ref, &r, &o, &st, err, sizeof(err));
	} else {
		a.base = base;
		rc = oci_archive_unpack(argv[optind], &a, &o, &st, err, sizeof(err));
	}
	if (rc < 0) {
		fprintf(stderr, "ociunpack: %s\n", err);
		return 1;
	}
	printf("unpacked: %u layers, %llu blob bytes, %llu entries, %llu whiteouts, manifest %s\n", st.layers,
	       (unsigned long long)st.blob_bytes, (unsigned long long)st.entries, (unsigned long long)st.whiteouts,
	       st.manifest_digest);
	if (st.sources[0])
		printf("sources: %s\n", st.sources);
	return 0;
}
