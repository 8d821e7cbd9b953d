/* kairos: what Kairos's own initramfs (immucore, live-media path) leaves for a Kairos image,
 * done for a root netinit assembled (docs/booted-system.md, "Kairos live mode"):
 *   - the boot state sentinel /run/cos/<state> ("live_mode" for `netboot`), chosen from the
 *     command line by kairos-sdk's rule (substrings, as kairos-sdk and the image's tools read it);
 *   - the image's `rootfs` and then `initramfs` stages, run by the image's own tool
 *     (kairos-agent run-stage, or elemental run-stage) chrooted into the new root with /proc,
 *     /sys, /dev and /run bound in, bounded by a timeout; output appended to a log file.
 * Detection is by parameter (netboot, rd.cos.*, rd.immucore.*) or by image (/etc/kairos-release,
 * KAIROS_* or ID=kairos* in /etc/os-release). Every file of the image is read with RESOLVE_IN_ROOT.
 * 0 or -errno; one line into err; never prints. */
#ifndef NETINIT_KAIROS_H
#define NETINIT_KAIROS_H
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* What one command-line parameter says (kairos_param_flags); OR them over the line. */
#define KAIROS_OPTIN      (1u << 0) /* netboot, rd.cos.*, rd.immucore.*: netinit does Kairos's live mode */
#define KAIROS_RAM        (1u << 1) /* kairos.ram (token, kairos.ram=..., kairos.ram.*) */
#define KAIROS_RESET      (1u << 2) /* "kairos.reset" anywhere */
#define KAIROS_ACTIVE     (1u << 3) /* "COS_ACTIVE" */
#define KAIROS_PASSIVE    (1u << 4) /* "COS_PASSIVE" */
#define KAIROS_RECOVERY   (1u << 5) /* "COS_RECOVERY", "COS_SYSTEM", "recovery-mode" */
#define KAIROS_LIVE       (1u << 6) /* "live:LABEL", "live:CDLABEL", "netboot" */

#define KAIROS_STATE_MAX  24
#define KAIROS_WHAT_MAX   96
#define KAIROS_STAGE_TIMEOUT_S 180 /* per stage; immucore has none: a stage waiting for the
                                    * network must not hold the boot forever */

/* The flags of one parameter (key, value NULL for a bare flag). Pure. */
unsigned kairos_param_flags(const char *key, const char *value);

/* The sentinel name kairos-sdk's non-UKI rule picks for these flags, in its order:
 * active_mode (kairos.ram), autoreset_mode, active_mode, passive_mode, recovery_mode,
 * live_mode, else "unknown". Pure. */
const char *kairos_state_name(unsigned flags);

/* Is the tree at root a Kairos image? 1 (what says so, e.g. "/etc/kairos-release", into what),
 * 0 not, -errno if root cannot be opened. */
int kairos_image(const char *root, char *what, size_t whatlen);

/* <rundir>/cos/<state> containing "1" (as immucore writes it) and the directory
 * <rundir>/immucore (immucore's log directory, which `kairos-agent logs` collects).
 * state must be a plain name. */
int kairos_write_state(const char *rundir, const char *state, char *err, size_t errlen);

/* The image's stage tool, as run inside the new root. */
struct kairos_tool {
	char path[32];          /* /usr/bin/kairos-agent ... */
	const char *argv[5];    /* e.g. kairos-agent run-stage <stage> NULL */
};

/* The first of /usr/bin/kairos-agent, /usr/sbin/kairos-agent, /usr/bin/elemental,
 * /usr/sbin/elemental that is an executable regular file inside root; argv to run stage
 * (stage must outlive t). 0, or -ENOENT when the image has none. */
int kairos_find_tool(const char *root, const char *stage, struct kairos_tool *t);

/* How a stage run ended. */
struct kairos_run {
	int status;             /* waitpid status when !timed_out */
	bool timed_out;         /* killed after timeout_ms */
	unsigned ms;            /* how long it ran */
};

/* Run t chrooted into root (PATH=/usr/sbin:/usr/bin:/sbin:/bin, HOME=/root, stdin /dev/null,
 * stdout+stderr appended to logfd, which must be open for reading too: the last line is read back), with /proc, /sys, /dev, /dev/pts and /run bound onto the
 * same directories of root for the run (each only if root has the directory) and taken away
 * after; the tool's process group is killed when it exits or after timeout_ms. 0 when the
 * tool ran (whatever its exit: see r; a non-zero exit fills err with "exit N: <last line of
 * its output>"), -errno when it could not be started (err says which step). */
int kairos_run_stage(const char *root, const struct kairos_tool *t, unsigned timeout_ms, int logfd,
		     struct kairos_run *r, char *err, size_t errlen);

#endif
