/* netinit: /init of a network-booting initramfs.
 *
 * As PID 1 it runs the boot in seven stages, in this order, each one call below:
 *   early     mount /proc /sys /dev /run, console, logging
 *   cmdline   /proc/cmdline -> boot plan (init/plan.c)
 *   modules   kernel modules: coldplug by modalias (kmod/kmod.c)
 *   network   only if the plan needs it
 *   root      obtain and assemble the root at /sysroot (init/root.c)
 *   handoff   what the booted system reads (network files, Kairos live mode), switch_root
 *             and exec the new init
 * Any failure takes the one fatal path (init/fatal.c): PID 1 never exits. A crash
 * of netinit itself takes it too (init/crash.c), and orphans are reaped all along
 * (util/reap.c).
 *
 * Copied to /run/initramfs/shutdown for a network root, it is also the last step of that
 * root's shutdown (init/shutdown.c).
 *
 * As a normal program: `init --plan 'CMDLINE'` [--json] prints the boot plan,
 * `init --version` the versions of netinit and its libraries. */
#include "cmdline/cmdline.h"
#include "init/crash.h"
#include "init/fatal.h"
#include "init/immucore.h"
#include "kmod/kmod.h"
#include "init/log.h"
#include "init/mounts.h"
#include "init/nethandoff.h"
#include "init/plan.h"
#include "util/reap.h"
#include "init/root.h"
#include "init/shutdown.h"
#include "init/switchroot.h"
#include "net/net.h"
#include "util/fsutil.h"

#include <archive.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <netinit_deps.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#ifndef NETINIT_VERSION
#define NETINIT_VERSION "0.1.0"
#endif

#define MODULE_JOBS 4	/* threads inserting modules at once: module init often waits on hardware */

static struct boot_plan plan;
static struct kmod_ctx *kmod;
static struct net_result net_res;	/* the boot interface, once stage_network configured it */
static bool net_configured;

static void usage(FILE *out)
{
	fprintf(out, "usage: init                      (as PID 1: boot)\n"
		     "       init --plan [--json] 'CMDLINE'   print the boot plan for a kernel command line\n"
		     "       init --plan-file [--json] FILE   the same, for a file such as /proc/cmdline\n"
		     "                                        (--json may also follow CMDLINE or FILE)\n"
		     "       init --version\n");
}

static int print_version(void)
{
	printf("netinit %s\n%s\n%s\n%s\n", NETINIT_VERSION, NETINIT_DEPS_VERSIONS, curl_version(),
	       archive_version_details());
	return 0;
}

static int plan_mode(const char *line, bool json)
{
	struct cmdline c;

	if (cmdline_split(line, &c) < 0) {
		fprintf(stderr, "init: out of memory\n");
		return 2;
	}
	plan_build(&c, &plan);
	cmdline_free(&c);
	plan_print(&plan, stdout, json);
	if (plan.nerrors && !json) {
		size_t i;

		for (i = 0; i < plan.nerrors; i++)
			fprintf(stderr, "netinit: error: %s\n", plan.errors[i]);
	}
	return plan.nerrors ? 1 : 0;
}

/* ---- the stages ---------------------------------------------------------- */

static void stage_early(void)
{
	const char *failed = "?";
	int rc;

	stage_begin("early");
	rc = mounts_early(&failed);
	console_setup();
	log_open_kmsg();
	if (rc < 0)
		fatal("early", failed, strerror(-rc), "the kernel needs devtmpfs, proc, sysfs and tmpfs");
	signal(SIGPIPE, SIG_IGN);
}

static void stage_cmdline(void)
{
	static char line[8192];
	struct utsname u;
	struct cmdline c;
	int rc;

	stage_begin("cmdline");
	rc = fs_read_small("/proc/cmdline", line, sizeof(line));
	if (rc < 0)
		fatal("cmdline", "/proc/cmdline", strerror(-rc), NULL);
	if (cmdline_split(line, &c) < 0)
		fatal("cmdline", "split the command line", "out of memory", NULL);
	plan_build(&c, &plan);
	cmdline_free(&c);
	fatal_setup(&plan);
	log_setup(plan.verbosity);
	uname(&u);
	log_info("netinit %s on Linux %s, %.2f s after boot", NETINIT_VERSION, u.release,
		 (double)log_uptime_ms() / 1000);
	if (plan.nerrors) {
		size_t i;

		for (i = 1; i < plan.nerrors; i++)
			log_err("cmdline: %s", plan.errors[i]);
		fatal("cmdline", "kernel command line", plan.errors[0],
		      "check the parameter against docs/cmdline.md; `init --plan '<cmdline>'` checks a line on any Linux host");
	}
	if (plan.verbosity >= 2)
		plan_print(&plan, stdout, false);
	stage_end();
	break_point(BREAK_CMDLINE);
}

static void kmod_event(void *ctx, int level, const char *msg)
{
	/* each module loaded is a detail: info becomes debug */
	log_msg(level == EV_INFO ? LOG_LVL_DEBUG : log_level_of(level), "modules: %s", msg);
}

static void stage_modules(void)
{
	char moddir[300];
	struct utsname u;
	unsigned n = 0;
	int rc;

	break_point(BREAK_PRE_UDEV);
	stage_begin("modules");
	uname(&u);
	snprintf(moddir, sizeof(moddir), "/lib/modules/%s", u.release);
	{
		const char *params[PLAN_MAX_MODPARAMS];
		size_t i;

		for (i = 0; i < plan.nmodparams; i++)
			params[i] = plan.modparams[i];
		rc = kmod_open(&kmod, moddir, params, plan.nmodparams, kmod_event, NULL);
		for (i = 0; rc == 0 && i < plan.ndrv_blacklist; i++)
			rc = kmod_blacklist(kmod, plan.drv_blacklist[i]);
	}
	if (rc < 0) {
		char why[400];

		snprintf(why, sizeof(why), "%s: %s", moddir, strerror(-rc));
		fatal("modules", "read the module index", why,
		      "the initramfs must be built for the running kernel (make initramfs KVER=<uname -r>)");
	}
	kmod_set_jobs(kmod, MODULE_JOBS);
	kmod_set_classes(kmod, plan_coldplug_classes(&plan));
	{
		const char *names[PLAN_MAX_DRIVERS];
		int rcs[PLAN_MAX_DRIVERS];

		for (size_t i = 0; i < plan.ndrv_pre; i++)
			names[i] = plan.drv_pre[i];
		kmod_load_list(kmod, names, plan.ndrv_pre, 0, rcs);	/* one parallel batch */
		for (size_t i = 0; i < plan.ndrv_pre; i++)
			if (rcs[i] < 0)
				log_warn("modules: rd.driver.pre=%s: could not be loaded (the reason is above); going on",
					 plan.drv_pre[i]);
	}
	rc = kmod_coldplug(kmod, &n);
	if (rc < 0)
		log_warn("modules: coldplug: %s", strerror(-rc));
	log_info("modules: %u loaded for the devices present%s", n,
		 plan.ndrv_blacklist ? " (blacklisted ones skipped)" : "");
	{
		const char *names[PLAN_MAX_DRIVERS];
		int rcs[PLAN_MAX_DRIVERS];

		for (size_t i = 0; i < plan.ndrv_post; i++)
			names[i] = plan.drv_post[i];
		kmod_load_list(kmod, names, plan.ndrv_post, 0, rcs);
		for (size_t i = 0; i < plan.ndrv_post; i++)
			if (rcs[i] < 0)
				log_warn("modules: rd.driver.post=%s: could not be loaded (the reason is above); going on",
					 plan.drv_post[i]);
	}
	{
		/* drivers of devices not there (or of classes this boot does not use) would sit in
		 * the initramfs's RAM until switch_root: free them before the image arrives (rd.debug
		 * says how many) */
		kmod_release_unused(kmod, NULL, NULL);
	}
	{
		/* what the plan will need later (filesystems, block drivers) loads in the background
		 * while the network comes up and the image downloads; kmod's next call waits for it */
		const char *names[16];

		kmod_load_background(kmod, names, plan_boot_modules(&plan, names, 16));
	}
	stage_end();
}

/* The fetch engine's jitter seed: this machine's boot NIC MAC, so machines of a rack that
 * failed (or powered on) together draw different waits, and one machine the same each boot. */
static uint64_t machine_seed(const char *iface)
{
	char path[96], mac[64];
	uint64_t h = 1469598103934665603ull;	/* FNV-1a */

	snprintf(path, sizeof(path), "/sys/class/net/%s/address", iface);
	if (fs_read_small(path, mac, sizeof(mac)) < 0)
		return 0;
	for (const char *c = mac; *c; c++)
		h = (h ^ (unsigned char)*c) * 1099511628211ull;
	return h;
}

static void stage_network(void)
{
	struct net_result *res = &net_res;
	char err[512], line[512];
	int rc;

	break_point(BREAK_INITQUEUE);
	if (!net_plan_wanted(&plan.net))
		return;
	stage_begin("network");
	if (plan.net.n_vlan > 0 && kmod_load(kmod, "8021q") < 0)
		log_warn("network: could not load 8021q for vlan=");
	if (plan.net.n_bond > 0 && kmod_load(kmod, "bonding") < 0)
		log_warn("network: could not load bonding for bond=");
	rc = net_up(&plan.net, res, log_event, "network", err, sizeof(err));
	if (rc < 0 && plan.net_required)
		fatal("network", "bring up the network", err,
		      strstr(err, "DAD failed") || strstr(err, "failed DAD") ?
		      "another machine on the segment holds that address: give this one another (ip=), or "
		      "find the holder by the MAC named above (docs/network.md)" :
		      "check the cable/NIC driver, the DHCP server, or the ip= line (docs/network.md)");
	if (rc < 0) {
		/* dracut's rule: only rd.neednet=1 or a network root make the network necessary */
		log_warn("network: unavailable, going on without it (the root does not need it; rd.neednet=1 "
			 "would make this fatal): %s", err);
		stage_end();
		return;
	}
	plan.fetch.seed = machine_seed(res->iface);
	net_result_format(res, line, sizeof(line));
	log_info("network: %s", line);
	net_configured = true;
	nethandoff_hostname(res);
	stage_end();
}

static void stage_root(void)
{
	break_point(BREAK_PRE_MOUNT);
	stage_begin("root");
	root_assemble(&plan, kmod, net_configured);
	stage_end();
	break_point(BREAK_MOUNT);
}

static void stage_handoff(char **argv)
{
	char initpath[256];
	const char *step;

	break_point(BREAK_PRE_PIVOT);
	stage_begin("handoff");
	if (switchroot_find_init(NEWROOT, plan.init, initpath, sizeof(initpath)) < 0) {
		if (plan.init[0])
			fatal("handoff", plan.init, "not an executable file in the new root", "check init=");
		fatal("handoff", "find init", "none of /sbin/init, /etc/init, /bin/init, /bin/sh is executable in the new root",
		      "the image needs an init, or name it with init=");
	}
	if (net_configured)
		nethandoff_files(&plan, &net_res);
	immucore_live(&plan, NEWROOT);	/* Kairos images and netboot/rd.cos.* lines only */
	if (plan.root_kind == ROOT_NBD || plan.root_kind == ROOT_AOE) {
		char err[256];

		/* systemd's shutdown runs it once the root can be unmounted (init/shutdown.h) */
		if (shutdown_install(err, sizeof(err)) < 0)
			log_warn("handoff: %s: the root will not be unmounted at shutdown", err);
		else
			log_info("handoff: shutdown: %s/shutdown (unmounts the root, then disconnects it)", SHUTDOWN_DIR);
	}
	kmod_close(kmod);
	kmod = NULL;
	log_info("switching root to %s, running %s at %.2f s uptime", NEWROOT, initpath,
		 (double)log_uptime_ms() / 1000);
	argv[0] = initpath;
	reap_sweep();	/* no zombie of ours for the next init */
	step = switch_root(NEWROOT, plan.init, argv);
	fatal("handoff", step, strerror(errno), NULL);
}

static _Noreturn void boot(char **argv)
{
	/* before anything can go wrong: a crash takes the fatal path, orphans are reaped */
	int crash_rc = crash_install(), reap_rc = reap_start();

	stage_early();
	if (crash_rc < 0)
		log_warn("early: no crash handler (%s): a crash of netinit would panic the kernel", strerror(-crash_rc));
	if (reap_rc < 0)
		log_warn("early: no reaper thread (%s): orphaned processes stay zombies until switch_root",
			 strerror(-reap_rc));
	stage_cmdline();
	stage_modules();
	stage_network();
	stage_root();
	stage_handoff(argv);
	halt_forever();
}

int main(int argc, char **argv)
{
	const char *base = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];

	/* /run/initramfs/shutdown, run by systemd's shutdown after its pivot (init/shutdown.h) */
	if (strcmp(base, "shutdown") == 0 && getpid() == 1)
		shutdown_main(argc, argv);
	if (argc > 1 && strcmp(argv[1], "--version") == 0)
		return print_version();
	if (argc > 2 && (strcmp(argv[1], "--plan") == 0 || strcmp(argv[1], "--plan-file") == 0)) {
		/* --json before or after the line: `--plan --json 'LINE'` and `--plan 'LINE' --json` */
		bool json = false;
		static char line[65536];
		int a = 2;

		if (strcmp(argv[2], "--json") == 0 && argc == 4) {
			json = true;
			a = 3;
		} else if (argc == 4 && strcmp(argv[3], "--json") == 0) {
			json = true;
		} else if (argc != 3 || strcmp(argv[2], "--json") == 0) {
			usage(stderr);
			return 2;
		}
		argv[2] = argv[a];

		if (strcmp(argv[1], "--plan-file") == 0) {
			if (fs_read_small(argv[2], line, sizeof(line)) < 0) {
				fprintf(stderr, "init: %s: %s\n", argv[2], strerror(errno));
				return 2;
			}
			return plan_mode(line, json);
		}
		return plan_mode(argv[2], json);
	}
	if (getpid() != 1) {
		usage(argc > 1 && strcmp(argv[1], "--help") == 0 ? stdout : stderr);
		return argc > 1 && strcmp(argv[1], "--help") == 0 ? 0 : 2;
	}
	boot(argv);
}
