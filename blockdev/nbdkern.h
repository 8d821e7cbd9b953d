/*
 * nbdkern: the kernel side of an NBD device, for nbd.c's attach and supervisor only.
 * Generic netlink family "nbd": connect a socket to a device, reconfigure it with a new
 * socket, and listen for link-dead events; the ioctl path for kernels without the family.
 */
#ifndef NETINIT_BLOCKDEV_NBDKERN_H
#define NETINIT_BLOCKDEV_NBDKERN_H

#include <stddef.h>
#include <stdint.h>

struct nbdk_genl {
	int fd;            /* NETLINK_GENERIC socket */
	uint16_t family;   /* id of family "nbd" */
	uint32_t mcast;    /* id of group "nbd_mc_group", 0 if none */
	uint32_t seq;
};

struct nbdk_config {
	uint64_t size;          /* bytes */
	uint64_t block_size;    /* logical block size, 512..4096 */
	uint64_t io_timeout_s;  /* NBD_ATTR_TIMEOUT */
	uint64_t dead_timeout_s;/* NBD_ATTR_DEAD_CONN_TIMEOUT */
	uint64_t tflags;        /* transmission flags */
	const char *backend;    /* NBD_ATTR_BACKEND_IDENTIFIER, may be NULL */
};

/* Open a generic netlink socket and resolve family "nbd". -ENOENT when the family is missing
 * (no nbd module, or a kernel older than 4.12). */
int nbdk_genl_open(struct nbdk_genl *g);
void nbdk_genl_close(struct nbdk_genl *g);

/* NBD_CMD_CONNECT with one socket; *index gets the device number. */
int nbdk_connect(struct nbdk_genl *g, int sock, const struct nbdk_config *c, int *index);

/* NBD_CMD_RECONFIGURE: hand a new socket to device index (replaces a dead one). */
int nbdk_reconfigure(struct nbdk_genl *g, int index, int sock, const struct nbdk_config *c);

/* NBD_CMD_DISCONNECT: send the server NBD_CMD_DISC and tear device index down. */
int nbdk_disconnect(struct nbdk_genl *g, int index);

/* Join the multicast group (needs g->mcast). */
int nbdk_subscribe(struct nbdk_genl *g);

/* Wait up to timeout_ms (-1: forever) for NBD_CMD_LINK_DEAD; *index gets its device.
 * Returns 1 on an event, 0 on timeout, -errno on error. */
int nbdk_wait_link_dead(struct nbdk_genl *g, int timeout_ms, int *index);

/* ioctl fallback: configure /dev/nbd<index> (first free one when index < 0) and return an
 * open fd on it with the socket set; the caller runs nbdk_ioctl_do_it() in a child. */
int nbdk_ioctl_setup(int sock, const struct nbdk_config *c, int *index);
/* Blocks in NBD_DO_IT until the device is disconnected. */
int nbdk_ioctl_do_it(int devfd);
/* NBD_DISCONNECT on /dev/nbd<index> (the NBD_DO_IT holder then returns). */
int nbdk_ioctl_disconnect(int index);

#endif
