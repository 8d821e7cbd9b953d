/* libFuzzer target: layer application and the EROFS writer over what it leaves. The
 * input is an uncompressed layer tar; it is applied twice into a fresh root (the second
 * time over its own result: whiteouts, opaque markers and replacements then meet lower
 * entries), each time on a thread_start thread like the registry's applier, then the
 * tree is written as an EROFS image and removed with fs_remove_tree. Checked: no crash
 * or sanitizer report, every error is one line, and the tree is always removable.
 *
 * libFuzzer needs clang and its runtime, so this is a glibc build (Debian's libarchive);
 * tests/unit/test_oci_layer.c runs the hostile layers under musl with the real stack.
 *
 * It writes what the input says, as root: everything happens chrooted into a scratch
 * directory (left again after each input through a descriptor of the real root), with
 * RLIMIT_FSIZE at 64 MiB so sparse files cannot fill the RAM. A crash while chrooted
 * cannot leave libFuzzer's artifact where it should be: the input being run is also
 * kept in <scratch>.input (both are removed at a clean exit). Not root: a user namespace gives the chroot. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/sha256.h"
#include "oci/layer.h"
#include "fs/mkerofs.h"
#include "util/fsutil.h"
#include "util/thread.h"

static int real_root = -1, jail = -1, home = -1;
static char jail_path[64], input_path[80];

struct mem {
	const uint8_t *p;
	size_t left;
};

static ssize_t mem_read(void *ctx, void *buf, size_t len)
{
	struct mem *m = ctx;

	if (len > m->left)
		len = m->left;
	memcpy(buf, m->p, len);
	m->p += len;
	m->left -= len;
	return (ssize_t)len;
}

struct job {
	struct oci_desc d;
	struct mem m;
	char err[512];
	int rc;
};

static void *apply_thread(void *arg)
{
	struct job *j = arg;
	struct oci_stream s = { mem_read, &j->m };

	j->rc = oci_layer_apply("/root", &j->d, &s, NULL, j->err, sizeof(j->err));
	return NULL;
}

static void one_line(const char *err)
{
	if (strchr(err, '\n'))
		abort();
}

static void write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0 || write(fd, s, strlen(s)) < 0)
		abort();
	close(fd);
}

/* at the end of a clean run (a crash does not get here: its scratch stays) */
static void cleanup(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s'", jail_path, input_path);
	if (system(cmd) != 0) {
		/* nothing more to do */
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct rlimit lim = { 64u << 20, 64u << 20 };
	const char *tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	char map[64];
	uid_t uid = geteuid();
	gid_t gid = getegid();

	if (uid != 0) {
		if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0) {
			perror("fuzz_oci_layer: unshare (needs root or user namespaces)");
			exit(1);
		}
		write_file("/proc/self/setgroups", "deny");
		snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
		write_file("/proc/self/uid_map", map);
		snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
		write_file("/proc/self/gid_map", map);
	}
	snprintf(jail_path, sizeof(jail_path), "%s/netinit-fuzz-layer-XXXXXX", tmp);
	if (!mkdtemp(jail_path))
		abort();
	snprintf(input_path, sizeof(input_path), "%s.input", jail_path);
	real_root = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	jail = open(jail_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	home = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (real_root < 0 || jail < 0 || home < 0)
		abort();
	atexit(cleanup);
	signal(SIGXFSZ, SIG_IGN);
	setrlimit(RLIMIT_FSIZE, &lim);
	fprintf(stderr, "fuzz_oci_layer: scratch %s; an input that crashes there is kept in %s\n", jail_path, input_path);
	return 0;
}

static void enter(void)
{
	if (fchdir(jail) < 0 || chroot(".") < 0 || chdir("/") < 0)
		abort();
}

static void leave(void)
{
	if (fchdir(real_root) < 0 || chroot(".") < 0 || fchdir(home) < 0)
		abort();
}

static int apply(const uint8_t *data, size_t size, char *err, size_t errlen)
{
	struct job j = { .m = { data, size } };
	struct sha256 h;
	pthread_t th;

	strcpy(j.d.media_type, OCI_MT_LAYER);
	strcpy(j.d.digest, "sha256:fuzz");
	sha256_init(&h);
	sha256_update(&h, data, size);
	sha256_final(&h, j.d.sha256);
	j.d.size = size;
	if (thread_start(&th, apply_thread, &j) < 0 || pthread_join(th, NULL) != 0)
		abort();
	one_line(j.err);
	snprintf(err, errlen, "%s", j.err);
	return j.rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mkerofs_opts o = { .consume = false };
	char err[512];
	struct stat st;
	int fd = open(input_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd >= 0) {
		if (write(fd, data, size) < 0) {
			/* only a help for a crash in the chroot */
		}
		close(fd);
	}
	enter();
	if (mkdir("/root", 0755) < 0)
		abort();
	if (apply(data, size, err, sizeof(err)) == 0 && apply(data, size, err, sizeof(err)) == 0) {
		err[0] = '\0';
		mkerofs("/root", "/img", &o, NULL, err, sizeof(err));
		one_line(err);
		unlink("/img");
	}
	if (fs_remove_tree("/root") != 0 || lstat("/root", &st) == 0)
		abort(); /* whatever a layer leaves must go */
	leave();
	return 0;
}
