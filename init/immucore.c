#include "init/immucore.h"
#include "init/log.h"
#include "kairos/kairos.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define STAGE_LOG "/run/immucore/netinit-stages.log"

void immucore_live(const struct boot_plan *plan, const char *newroot)
{
	static const char *const stages[] = { "rootfs", "initramfs" };	/* immucore's order */
	const char *state = kairos_state_name(plan->kairos_flags);
	char what[KAIROS_WHAT_MAX] = "", err[512];
	int img, rc, logfd;

	img = kairos_image(newroot, what, sizeof(what));
	if (!(plan->kairos_flags & KAIROS_OPTIN) && img <= 0)
		return;
	log_info("kairos: %s: Kairos live mode, as immucore's live-media path",
		 img > 0 ? what : "netboot/rd.cos.*/rd.immucore.* on the command line");
	rc = kairos_write_state("/run", state, err, sizeof(err));
	if (rc < 0) {
		log_warn("kairos: boot state: %s; the image's live-mode configuration will not apply", err);
	} else if (strcmp(state, "unknown") == 0) {
		log_warn("kairos: boot state unknown (no netboot, live:LABEL, COS_* on the command line): /run/cos/unknown "
			 "written; install-mode and the other live-mode steps of the image need /run/cos/live_mode (add netboot)");
	} else {
		log_info("kairos: boot state %s: /run/cos/%s written", state, state);
	}
	logfd = open(STAGE_LOG, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (logfd < 0) {
		log_warn("kairos: open %s: %s; the image's stages are not run", STAGE_LOG, strerror(errno));
		return;
	}
	for (size_t i = 0; i < sizeof(stages) / sizeof(stages[0]); i++) {
		struct kairos_tool t;
		struct kairos_run r;

		if (kairos_find_tool(newroot, stages[i], &t) < 0) {
			log_warn("kairos: no kairos-agent or elemental in /usr/bin or /usr/sbin of the image: its rootfs "
				 "and initramfs stages are not run");
			break;
		}
		err[0] = '\0';
		rc = kairos_run_stage(newroot, &t, KAIROS_STAGE_TIMEOUT_S * 1000u, logfd, &r, err, sizeof(err));
		if (rc < 0)
			log_warn("kairos: %s stage: %s: %s; the boot goes on", stages[i], t.path, err);
		else if (err[0])
			log_warn("kairos: %s stage: %s run-stage %s: %s (%.1f s; output in %s); the boot goes on, as under "
				 "immucore", stages[i], t.path, stages[i], err, r.ms / 1000.0, STAGE_LOG);
		else
			log_info("kairos: %s stage: %s run-stage %s: exit 0 in %.1f s (output in %s)", stages[i], t.path,
				 stages[i], r.ms / 1000.0, STAGE_LOG);
	}
	close(logfd);
}
