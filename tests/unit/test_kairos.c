/*
 * kairos/: Kairos live mode. Rows of command lines and the boot state sentinel kairos-sdk's
 * rule picks (and whether netinit opts in); fixture roots for the image detection (symlinks
 * of the image resolve inside it) and the stage tool lookup; the sentinel files written; and,
 * as root in a mount namespace of its own, a stage tool run chrooted into a busybox root:
 * its arguments, /proc /sys /dev /run bound in and gone after, a non-zero exit and a time-out
 * reported with the tool's last line, a process it left running killed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmdline/cmdline.h"
#include "kairos/kairos.h"
#include "util/fsutil.h"

static void state_row(const char *file, int line, const char *cmdline, const char *want, bool optin)
{
	struct cmdline c;
	unsigned f = 0;

	assert_int_equal(cmdline_split(cmdline, &c), 0);
	for (size_t i = 0; i < c.n; i++)
		f |= kairos_param_flags(c.v[i].key, c.v[i].value);
	cmdline_free(&c);
	if (strcmp(kairos_state_name(f), want) || !!(f & KAIROS_OPTIN) != optin)
		fail_msg("%s:%d: \"%s\": state %s optin %d, expected %s optin %d", file, line, cmdline,
			 kairos_state_name(f), !!(f & KAIROS_OPTIN), want, optin);
}
#define STATE(line, want, optin) state_row(__FILE__, __LINE__, line, want, optin)

static void test_state(void **state)
{
	(void)state;
	/* Kairos's netboot line (AuroraBoot, its iPXE script) */
	STATE("root=live:http://10.0.2.2/k.squashfs netboot install-mode config_url=http://10.0.2.2/c.yaml", "live_mode", true);
	STATE("rd.neednet=1 ip=dhcp rd.cos.disable root=live:http://s/k.squashfs netboot", "live_mode", true);
	STATE("rd.cos.disable root=live:http://s/k.squashfs", "unknown", true);
	STATE("rd.immucore.debug root=/dev/vda", "unknown", true);
	STATE("netboot=1", "live_mode", true);
	/* kairos-sdk's substrings anywhere, also inside a value, and its order */
	STATE("root=live:CDLABEL=COS_LIVE", "live_mode", false);
	STATE("root=live:http://s/netboot/k.squashfs", "live_mode", false);
	STATE("root=LABEL=COS_ACTIVE netboot", "active_mode", true);
	STATE("netboot root=LABEL=COS_PASSIVE", "passive_mode", true);
	STATE("root=LABEL=COS_SYSTEM netboot", "recovery_mode", true);
	STATE("recovery-mode", "recovery_mode", false);
	STATE("kairos.reset root=LABEL=COS_RECOVERY", "autoreset_mode", false);
	STATE("kairos.ram netboot", "active_mode", true);
	STATE("kairos.ram.size=4g", "active_mode", false);
	/* not Kairos */
	STATE("root=/dev/vda quiet", "unknown", false);
	STATE("rd.cosmic=1 rd.immucorex", "unknown", false);
	STATE("kairos.rammer", "unknown", false);
	STATE("cos_active", "unknown", false);
}

static char tmpl[64];

static const char *mkroot(void)
{
	snprintf(tmpl, sizeof(tmpl), "/tmp/netinit-kairos-XXXXXX");
	assert_non_null(mkdtemp(tmpl));
	return tmpl;
}

static void put(const char *root, const char *rel, const char *text, mode_t mode)
{
	char p[512];

	snprintf(p, sizeof(p), "%s%s", root, rel);
	assert_int_equal(fs_write_file(p, text, mode), 0);
}

static void link_in(const char *root, const char *rel, const char *target)
{
	char p[512], dir[512];

	snprintf(p, sizeof(p), "%s%s", root, rel);
	snprintf(dir, sizeof(dir), "%s", p);
	*strrchr(dir, '/') = '\0';
	assert_int_equal(fs_mkdir_p(dir, 0755), 0);
	assert_int_equal(symlink(target, p), 0);
}

static void image_row(const char *file, int line, const char *root, int want, const char *want_what)
{
	char what[KAIROS_WHAT_MAX] = "";
	int rc = kairos_image(root, what, sizeof(what));

	if (rc != want || (want == 1 && strcmp(what, want_what)))
		fail_msg("%s:%d: kairos_image %d \"%s\", expected %d \"%s\"", file, line, rc, what, want, want_what);
}
#define IMAGE(root, want, what) image_row(__FILE__, __LINE__, root, want, what)

static void test_image(void **state)
{
	const char *r;

	(void)state;
	r = mkroot();
	IMAGE(r, 0, "");				/* empty tree */
	put(r, "/etc/os-release", "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\n", 0644);
	IMAGE(r, 0, "");				/* a plain distribution */
	/* an absolute symlink out of the tree resolves inside it (the host's /etc/passwd is not seen) */
	link_in(r, "/etc/kairos-release", "/etc/passwd");
	IMAGE(r, 0, "");
	fs_remove_tree(r);

	r = mkroot();
	put(r, "/usr/lib/os-release", "NAME=\"Ubuntu\"\nID=ubuntu\nKAIROS_VERSION=\"v3.2.3\"\n", 0644);
	link_in(r, "/etc/os-release", "/usr/lib/os-release");	/* absolute, inside the image */
	IMAGE(r, 1, "/etc/os-release (KAIROS_* or ID=kairos)");
	fs_remove_tree(r);

	r = mkroot();
	put(r, "/usr/lib/os-release", "ID=\"kairos-core-alpine\"\n", 0644);
	IMAGE(r, 1, "/usr/lib/os-release (KAIROS_* or ID=kairos)");
	fs_remove_tree(r);

	r = mkroot();
	put(r, "/etc/kairos-release", "KAIROS_NAME=\"kairos-core-debian\"\n", 0644);
	IMAGE(r, 1, "/etc/kairos-release");
	fs_remove_tree(r);

	r = mkroot();
	put(r, "/etc/kairos-release/x", "", 0644);	/* a directory is not the release file */
	IMAGE(r, 0, "");
	fs_remove_tree(r);
	assert_true(kairos_image("/nonexistent/netinit", NULL, 0) < 0);
}

static void test_write_state(void **state)
{
	char p[512], buf[16], err[256];
	struct stat st;
	const char *r;

	(void)state;
	r = mkroot();
	assert_int_equal(kairos_write_state(r, "live_mode", err, sizeof(err)), 0);
	snprintf(p, sizeof(p), "%s/cos/live_mode", r);
	assert_int_equal(fs_read_small(p, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "1");
	snprintf(p, sizeof(p), "%s/immucore", r);
	assert_int_equal(stat(p, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(kairos_write_state(r, "../x", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "boot state \"../x\": not a file name");
	assert_int_equal(kairos_write_state(r, "", err, sizeof(err)), -EINVAL);
	fs_remove_tree(r);
}

static void test_find_tool(void **state)
{
	struct kairos_tool t;
	const char *r;

	(void)state;
	r = mkroot();
	assert_int_equal(kairos_find_tool(r, "rootfs", &t), -ENOENT);
	put(r, "/usr/bin/kairos-agent", "#!/bin/sh\n", 0644);	/* not executable */
	put(r, "/usr/sbin/elemental", "#!/bin/sh\n", 0755);
	assert_int_equal(kairos_find_tool(r, "rootfs", &t), 0);
	assert_string_equal(t.path, "/usr/sbin/elemental");
	assert_string_equal(t.argv[0], "elemental");
	assert_string_equal(t.argv[1], "run-stage");
	assert_string_equal(t.argv[2], "rootfs");
	assert_null(t.argv[3]);
	/* kairos-agent first; an absolute symlink resolves inside the image */
	put(r, "/opt/kairos/agent", "#!/bin/sh\n", 0755);
	link_in(r, "/usr/sbin/kairos-agent", "/opt/kairos/agent");
	assert_int_equal(kairos_find_tool(r, "initramfs", &t), 0);
	assert_string_equal(t.path, "/usr/sbin/kairos-agent");
	assert_string_equal(t.argv[0], "kairos-agent");
	assert_string_equal(t.argv[2], "initramfs");
	fs_remove_tree(r);

	/* a symlink to a host path the image does not have is no tool */
	r = mkroot();
	link_in(r, "/usr/bin/kairos-agent", "/bin/sh");
	assert_int_equal(kairos_find_tool(r, "rootfs", &t), -ENOENT);
	fs_remove_tree(r);
}

/* ---- running a stage (root, own mount namespace) ---------------------------------- */

static bool busybox_root(const char *r)
{
	static const char *const applets[] = { "sh", "cat", "echo", "sleep", "grep", "ls", "test" };
	char p[512];
	int in, out;
	ssize_t n;
	char buf[65536];

	in = open("/bin/busybox", O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return false;
	snprintf(p, sizeof(p), "%s/bin", r);
	assert_int_equal(fs_mkdir_p(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/bin/busybox", r);
	out = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	assert_true(out >= 0);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		assert_int_equal(write(out, buf, (size_t)n), n);
	close(in);
	close(out);
	for (size_t i = 0; i < sizeof(applets) / sizeof(applets[0]); i++) {
		snprintf(p, sizeof(p), "%s/bin/%s", r, applets[i]);
		assert_int_equal(symlink("busybox", p), 0);
	}
	for (const char *d = "proc\0sys\0dev\0run\0tmp\0"; *d; d += strlen(d) + 1) {
		snprintf(p, sizeof(p), "%s/%s", r, d);
		assert_int_equal(fs_mkdir_p(p, 0755), 0);
	}
	return true;
}

/* pid exists and is not a zombie (an orphan's zombie waits for whoever adopted it) */
static bool running(pid_t pid)
{
	char p[64], st[512], *rp;

	snprintf(p, sizeof(p), "/proc/%d/stat", (int)pid);
	if (fs_read_small(p, st, sizeof(st)) < 0)
		return false;
	rp = strrchr(st, ')');
	return rp && rp[1] == ' ' && rp[2] != 'Z' && rp[2] != 'X';
}

static bool own_namespace(void)
{
	if (geteuid() != 0 || unshare(CLONE_NEWNS) < 0)
		return false;
	/* nothing mounted here reaches the host */
	return mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0;
}

static void test_run_stage(void **state)
{
	struct kairos_tool t;
	struct kairos_run r;
	char p[512], buf[512], script[1024], err[512], runfile[64];
	const char *root;
	int logfd;
	pid_t left;

	(void)state;
	if (!own_namespace())
		skip();	/* needs root (chroot, bind mounts) */
	root = mkroot();
	if (!busybox_root(root)) {
		fs_remove_tree(root);
		skip();
	}
	/* what the tool sees: its arguments, the command line, the sentinel in the bound /run */
	snprintf(runfile, sizeof(runfile), "/run/netinit-unit-kairos-%d", (int)getpid());
	assert_int_equal(fs_write_file(runfile, "from-initramfs", 0644), 0);
	snprintf(script, sizeof(script),
		 "#!/bin/sh\n"
		 "echo \"args=$*\" > /tmp/seen\n"
		 "test -s /proc/cmdline && echo proc=yes >> /tmp/seen\n"
		 "test -d /sys/kernel && echo sys=yes >> /tmp/seen\n"
		 "test -c /dev/null && echo dev=yes >> /tmp/seen\n"
		 "echo \"run=$(cat %s)\" >> /tmp/seen\n"
		 "echo \"cwd=$(pwd) path=$PATH\" >> /tmp/seen\n"
		 "case $2 in\n"
		 "initramfs) echo some output; echo 'stage failed: config_url unreachable' >&2; exit 3 ;;\n"
		 "hang) sleep 30 & echo $! > /tmp/bg; echo waiting; sleep 30 ;;\n"
		 "bg) sleep 30 & echo $! > /tmp/bg ;;\n"
		 "esac\n", runfile);
	put(root, "/usr/bin/kairos-agent", script, 0755);
	snprintf(p, sizeof(p), "%s/log", root);
	logfd = open(p, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	assert_true(logfd >= 0);

	assert_int_equal(kairos_find_tool(root, "rootfs", &t), 0);
	err[0] = '\0';
	assert_int_equal(kairos_run_stage(root, &t, 10000, logfd, &r, err, sizeof(err)), 0);
	assert_false(r.timed_out);
	assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
	assert_string_equal(err, "");
	snprintf(p, sizeof(p), "%s/tmp/seen", root);
	{
		char seen[1024];
		int fd = open(p, O_RDONLY);
		ssize_t n;

		assert_true(fd >= 0);
		n = read(fd, seen, sizeof(seen) - 1);
		close(fd);
		assert_true(n > 0);
		seen[n] = '\0';
		assert_string_equal(seen, "args=run-stage rootfs\nproc=yes\nsys=yes\ndev=yes\nrun=from-initramfs\n"
					  "cwd=/ path=/usr/sbin:/usr/bin:/sbin:/bin\n");
	}
	/* the binds are gone: the fixture's /proc is an empty directory again */
	snprintf(p, sizeof(p), "%s/proc/self", root);
	assert_int_equal(access(p, F_OK), -1);

	/* a non-zero exit: the last line of its output */
	assert_int_equal(kairos_find_tool(root, "initramfs", &t), 0);
	assert_int_equal(kairos_run_stage(root, &t, 10000, logfd, &r, err, sizeof(err)), 0);
	assert_string_equal(err, "exit 3: stage failed: config_url unreachable");

	/* what it leaves running in its group is killed when it exits */
	assert_int_equal(kairos_find_tool(root, "bg", &t), 0);
	assert_int_equal(kairos_run_stage(root, &t, 10000, logfd, &r, err, sizeof(err)), 0);
	snprintf(p, sizeof(p), "%s/tmp/bg", root);
	assert_int_equal(fs_read_small(p, buf, sizeof(buf)), 0);
	left = (pid_t)atoi(buf);
	assert_true(left > 0);
	for (int i = 0; i < 100 && running(left); i++)
		usleep(10000);
	assert_false(running(left));

	/* a time-out: killed with its group, and said so */
	assert_int_equal(kairos_find_tool(root, "hang", &t), 0);
	assert_int_equal(kairos_run_stage(root, &t, 500, logfd, &r, err, sizeof(err)), 0);
	assert_true(r.timed_out);
	assert_string_equal(err, "killed after 0.5 s: waiting");
	assert_true(r.ms >= 500 && r.ms < 5000);
	snprintf(p, sizeof(p), "%s/proc/self", root);
	assert_int_equal(access(p, F_OK), -1);

	/* a tool that cannot be executed */
	put(root, "/usr/bin/kairos-agent", "#!/nonexistent/interpreter\n", 0755);
	assert_int_equal(kairos_find_tool(root, "rootfs", &t), 0);
	assert_int_equal(kairos_run_stage(root, &t, 10000, logfd, &r, err, sizeof(err)), 0);
	assert_string_equal(err, "exit 127: could not be executed (missing loader or libraries?)");

	close(logfd);
	unlink(runfile);
	fs_remove_tree(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state),
		cmocka_unit_test(test_image),
		cmocka_unit_test(test_write_state),
		cmocka_unit_test(test_find_tool),
		cmocka_unit_test(test_run_stage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
