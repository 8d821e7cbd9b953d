/* kairos_run_stage (kairos/kairos.h): the image's stage tool, chrooted into the new root. */
#include "kairos/kairos.h"
#include "util/clock.h"
#include "util/errbuf.h"
#include "util/reap.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *const binds[] = { "/proc", "/sys", "/dev", "/dev/pts", "/run" };
#define NBINDS (sizeof(binds) / sizeof(binds[0]))

/* Bind each source that is a mount point of ours onto the same directory of root; which
 * ones were bound goes into done[]. The first failure is returned (what is bound stays for
 * unbind_all). A directory missing in root is skipped: the image does not use it. */
static int bind_all(const char *root, bool done[NBINDS], char *err, size_t errlen)
{
	char dst[512];
	struct stat st;

	for (size_t i = 0; i < NBINDS; i++) {
		done[i] = false;
		if (stat(binds[i], &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		snprintf(dst, sizeof(dst), "%s%s", root, binds[i]);
		/* dst must be a real directory of root, not a symlink out of it */
		if (lstat(dst, &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		if (mount(binds[i], dst, NULL, MS_BIND, NULL) < 0) {
			if (strcmp(binds[i], "/dev/pts") == 0)
				continue;	/* no devpts of ours: nothing to give */
			seterr(err, errlen, "bind %s onto %s: %s", binds[i], dst, strerror(errno));
			return -errno;
		}
		done[i] = true;
	}
	return 0;
}

static void unbind_all(const char *root, const bool done[NBINDS])
{
	char dst[512];

	for (size_t i = NBINDS; i-- > 0;) {
		if (!done[i])
			continue;
		snprintf(dst, sizeof(dst), "%s%s", root, binds[i]);
		if (umount2(dst, 0) < 0)
			umount2(dst, MNT_DETACH);	/* something still holds it: let it go lazily */
	}
}

/* the last non-empty line of what was appended to logfd since off, scrubbed */
static void last_line(int logfd, off_t off, char *out, size_t len)
{
	char buf[512], *end, *nl;
	off_t size = lseek(logfd, 0, SEEK_END), from;
	ssize_t n;

	*out = '\0';
	if (size <= off)
		return;
	from = size - off > (off_t)sizeof(buf) - 1 ? size - (off_t)sizeof(buf) + 1 : off;
	n = pread(logfd, buf, sizeof(buf) - 1, from);
	if (n <= 0)
		return;
	buf[n] = '\0';
	end = buf + strlen(buf);
	while (end > buf && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
		*--end = '\0';
	nl = strrchr(buf, '\n');
	nl = nl ? nl + 1 : buf;
	n = (ssize_t)strlen(nl);
	if ((size_t)n >= len)
		n = (ssize_t)len - 1;
	memcpy(out, nl, (size_t)n);
	out[n] = '\0';
	text_scrub(out);
}

int kairos_run_stage(const char *root, const struct kairos_tool *t, unsigned timeout_ms, int logfd,
		     struct kairos_run *r, char *err, size_t errlen)
{
	static char *const envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root", "TERM=linux", NULL };
	bool done[NBINDS];
	uint64_t t0, deadline;
	off_t off;
	pid_t pid;
	int rc;

	memset(r, 0, sizeof(*r));
	off = lseek(logfd, 0, SEEK_END);
	rc = bind_all(root, done, err, errlen);
	if (rc < 0) {
		unbind_all(root, done);
		return rc;
	}
	t0 = mono_ms();
	deadline = t0 + timeout_ms;
	pid = reap_fork();
	if (pid < 0) {
		rc = -errno;
		seterr(err, errlen, "fork for %s: %s", t->path, strerror(errno));
		unbind_all(root, done);
		return rc;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		setsid();	/* its own process group: killed whole at the end */
		if (null >= 0)
			dup2(null, 0);
		dup2(logfd, 1);
		dup2(logfd, 2);
		if (chroot(root) < 0 || chdir("/") < 0)
			_exit(126);
		execve(t->path, (char *const *)t->argv, envp);
		_exit(127);
	}
	for (;;) {
		siginfo_t si;
		const struct timespec tick = { 0, 20 * 1000000L };

		memset(&si, 0, sizeof(si));
		/* look without collecting: reap_wait collects and forgets it */
		if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid)
			break;
		if (mono_ms() >= deadline) {
			r->timed_out = true;
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			break;
		}
		nanosleep(&tick, NULL);
	}
	rc = reap_wait(pid, &r->status);
	kill(-pid, SIGKILL);	/* what it left running in its group does not outlive the stage */
	r->ms = (unsigned)(mono_ms() - t0);
	unbind_all(root, done);
	if (rc < 0) {
		seterr(err, errlen, "wait for %s: %s", t->path, strerror(-rc));
		return rc;
	}
	if (r->timed_out) {
		char line[200];

		last_line(logfd, off, line, sizeof(line));
		seterr(err, errlen, "killed after %.1f s%s%s", timeout_ms / 1000.0, *line ? ": " : "", line);
	} else if (!WIFEXITED(r->status) || WEXITSTATUS(r->status) != 0) {
		char line[200];

		last_line(logfd, off, line, sizeof(line));
		if (WIFEXITED(r->status) && WEXITSTATUS(r->status) == 126 && !*line)
			snprintf(line, sizeof(line), "chroot into %s failed", root);
		else if (WIFEXITED(r->status) && WEXITSTATUS(r->status) == 127 && !*line)
			snprintf(line, sizeof(line), "could not be executed (missing loader or libraries?)");
		seterr(err, errlen, "%s %d%s%s", WIFEXITED(r->status) ? "exit" : "signal",
		       WIFEXITED(r->status) ? WEXITSTATUS(r->status) : WTERMSIG(r->status), *line ? ": " : "", line);
	}
	return 0;
}
