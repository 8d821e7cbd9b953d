/*
 * aoe: find an ATA-over-Ethernet target and return its block device. The caller has loaded
 * the `aoe` module (with aoe_iflist=<boot interface> when it knows that interface) and
 * brought the links up. Given a target "e<shelf>.<slot>" (e.g. "e0.1") it waits for
 * /dev/etherd/e0.1; given an interface name (KIWI's document calls the value "the interface
 * as exported by vbladed") it restricts discovery to that interface (/dev/etherd/interfaces)
 * and takes the one target found there (an error if none or several). Discovery is
 * re-triggered (write to /dev/etherd/discover) about once a second until the target is up
 * (sysfs `state` begins with "up") or timeout_ms passes. Silent: 0 or -errno, detail in err.
 */
#ifndef NETINIT_BLOCKDEV_AOE_H
#define NETINIT_BLOCKDEV_AOE_H

#include <stddef.h>

/* Where the aoe driver's files are; the defaults are the real ones. Tests point elsewhere. */
struct aoe_paths {
	const char *dev_etherd;   /* "/dev/etherd": discover, interfaces, e<N>.<M> */
	const char *sys_block;    /* "/sys/block": etherd!e<N>.<M>/{state,netif} */
};

#define AOE_DISCOVER_INTERVAL_MS 1000 /* re-send discovery this often while waiting */

/* 1 if s is a target name "e<shelf>.<slot>" (shelf 0-65534, slot 0-254), else 0. */
int aoe_is_target(const char *s);

/* Attach using the real paths. dev_out receives e.g. "/dev/etherd/e0.1". */
int aoe_attach(const char *target_or_iface, unsigned timeout_ms, char *dev_out, size_t devlen,
	       char *err, size_t errlen);

/* The same with explicit paths (tests). poll_ms is the sleep between scans. */
int aoe_attach_at(const struct aoe_paths *p, const char *target_or_iface, unsigned timeout_ms,
		  unsigned poll_ms, char *dev_out, size_t devlen, char *err, size_t errlen);

#endif
