/*
 * nbdproto: NBD wire constants and structures of the fixed-newstyle handshake (see the NBD
 * project's doc/proto.md). Every multi-byte field is big-endian on the wire. Also the kernel's
 * NBD ioctl numbers and generic-netlink attribute numbers (include/uapi/linux/nbd*.h), written
 * out because the musl toolchain has no kernel headers.
 */
#ifndef NETINIT_BLOCKDEV_NBDPROTO_H
#define NETINIT_BLOCKDEV_NBDPROTO_H

#include <stdint.h>

/* ---- handshake magics ---- */
#define NBD_MAGIC_INIT      0x4e42444d41474943ULL /* "NBDMAGIC": every handshake starts with it */
#define NBD_MAGIC_IHAVEOPT  0x49484156454F5054ULL /* "IHAVEOPT": newstyle server / option request */
#define NBD_MAGIC_OLDSTYLE  0x0000420281861253ULL /* oldstyle negotiation (unsupported) */
#define NBD_MAGIC_OPT_REPLY 0x0003e889045565a9ULL /* option reply */

/* ---- handshake flags (server -> client, u16) ---- */
#define NBD_HFLAG_FIXED_NEWSTYLE (1u << 0)
#define NBD_HFLAG_NO_ZEROES      (1u << 1)
/* ---- client flags (client -> server, u32) ---- */
#define NBD_CFLAG_FIXED_NEWSTYLE (1u << 0)
#define NBD_CFLAG_NO_ZEROES      (1u << 1)

/* ---- options ---- */
#define NBD_OPT_EXPORT_NAME 1
#define NBD_OPT_ABORT       2
#define NBD_OPT_GO          7

/* ---- option reply types ---- */
#define NBD_REP_ACK  1
#define NBD_REP_INFO 3
#define NBD_REP_FLAG_ERROR (1u << 31)
#define NBD_REP_ERR_UNSUP          (NBD_REP_FLAG_ERROR | 1)
#define NBD_REP_ERR_POLICY         (NBD_REP_FLAG_ERROR | 2)
#define NBD_REP_ERR_INVALID        (NBD_REP_FLAG_ERROR | 3)
#define NBD_REP_ERR_PLATFORM       (NBD_REP_FLAG_ERROR | 4)
#define NBD_REP_ERR_TLS_REQD       (NBD_REP_FLAG_ERROR | 5)
#define NBD_REP_ERR_UNKNOWN        (NBD_REP_FLAG_ERROR | 6)
#define NBD_REP_ERR_SHUTDOWN       (NBD_REP_FLAG_ERROR | 7)
#define NBD_REP_ERR_BLOCK_SIZE_REQD (NBD_REP_FLAG_ERROR | 8)
#define NBD_REP_ERR_TOO_BIG        (NBD_REP_FLAG_ERROR | 9)

/* ---- NBD_REP_INFO payload types (u16) ---- */
#define NBD_INFO_EXPORT      0 /* u64 size, u16 transmission flags */
#define NBD_INFO_NAME        1
#define NBD_INFO_DESCRIPTION 2
#define NBD_INFO_BLOCK_SIZE  3 /* u32 minimum, u32 preferred, u32 maximum */

/* ---- transmission flags (u16) ---- */
#define NBD_TFLAG_HAS_FLAGS      (1u << 0)
#define NBD_TFLAG_READ_ONLY      (1u << 1)
#define NBD_TFLAG_SEND_FLUSH     (1u << 2)
#define NBD_TFLAG_SEND_FUA       (1u << 3)
#define NBD_TFLAG_SEND_TRIM      (1u << 5)
#define NBD_TFLAG_CAN_MULTI_CONN (1u << 8)

#define NBD_EXPORT_NAME_ZEROES 124 /* padding after the NBD_OPT_EXPORT_NAME reply without NO_ZEROES */

/* Server greeting, newstyle. */
struct nbd_wire_greeting {
	uint64_t magic;     /* NBD_MAGIC_INIT */
	uint64_t newstyle;  /* NBD_MAGIC_IHAVEOPT (NBD_MAGIC_OLDSTYLE for oldstyle servers) */
	uint16_t hflags;    /* NBD_HFLAG_* */
} __attribute__((packed));

/* Client option request header; followed by len bytes of data. */
struct nbd_wire_opt {
	uint64_t magic;     /* NBD_MAGIC_IHAVEOPT */
	uint32_t option;    /* NBD_OPT_* */
	uint32_t len;       /* length of the data that follows */
} __attribute__((packed));

/* Server option reply header; followed by len bytes of data. */
struct nbd_wire_opt_reply {
	uint64_t magic;     /* NBD_MAGIC_OPT_REPLY */
	uint32_t option;    /* the option this answers */
	uint32_t type;      /* NBD_REP_* */
	uint32_t len;       /* length of the data that follows */
} __attribute__((packed));

/* NBD_INFO_EXPORT payload. */
struct nbd_wire_info_export {
	uint16_t type;      /* NBD_INFO_EXPORT */
	uint64_t size;      /* export size in bytes */
	uint16_t tflags;    /* NBD_TFLAG_* */
} __attribute__((packed));

/* NBD_INFO_BLOCK_SIZE payload. */
struct nbd_wire_info_block {
	uint16_t type;      /* NBD_INFO_BLOCK_SIZE */
	uint32_t min;       /* minimum block size (power of two, 1..64 KiB) */
	uint32_t pref;      /* preferred block size (power of two, >= min, >= 512) */
	uint32_t max;       /* maximum payload size (multiple of min) */
} __attribute__((packed));

/* Reply to NBD_OPT_EXPORT_NAME (then 124 zero bytes unless NO_ZEROES was agreed). */
struct nbd_wire_export_name_reply {
	uint64_t size;      /* export size in bytes */
	uint16_t tflags;    /* NBD_TFLAG_* */
} __attribute__((packed));

/* ---- kernel: ioctls (include/uapi/linux/nbd.h) ---- */
#define NBD_IOCTL_TYPE 0xab
#define NBD_IOC_SET_SOCK     0 /* _IO(0xab, n) numbers */
#define NBD_IOC_SET_BLKSIZE  1
#define NBD_IOC_SET_SIZE     2
#define NBD_IOC_DO_IT        3
#define NBD_IOC_CLEAR_SOCK   4
#define NBD_IOC_CLEAR_QUE    5
#define NBD_IOC_DISCONNECT   8
#define NBD_IOC_SET_TIMEOUT  9
#define NBD_IOC_SET_FLAGS    10

/* ---- kernel: generic netlink (include/uapi/linux/nbd-netlink.h) ---- */
#define NBD_GENL_FAMILY "nbd"
#define NBD_GENL_VERSION_1 1
#define NBD_GENL_MCAST "nbd_mc_group"
enum {
	NBDK_ATTR_INDEX = 1,            /* u32 */
	NBDK_ATTR_SIZE_BYTES = 2,       /* u64 */
	NBDK_ATTR_BLOCK_SIZE_BYTES = 3, /* u64 */
	NBDK_ATTR_TIMEOUT = 4,          /* u64 seconds */
	NBDK_ATTR_SERVER_FLAGS = 5,     /* u64 transmission flags */
	NBDK_ATTR_CLIENT_FLAGS = 6,     /* u64 */
	NBDK_ATTR_SOCKETS = 7,          /* nested NBDK_SOCK_ITEM */
	NBDK_ATTR_DEAD_CONN_TIMEOUT = 8,/* u64 seconds */
	NBDK_ATTR_DEVICE_LIST = 9,
	NBDK_ATTR_BACKEND_IDENTIFIER = 10, /* string */
};
#define NBDK_SOCK_ITEM 1   /* nested, inside NBDK_ATTR_SOCKETS */
#define NBDK_SOCK_FD 1     /* u32, inside NBDK_SOCK_ITEM */
enum {
	NBDK_CMD_CONNECT = 1,
	NBDK_CMD_DISCONNECT = 2,
	NBDK_CMD_RECONFIGURE = 3,
	NBDK_CMD_LINK_DEAD = 4,
	NBDK_CMD_STATUS = 5,
};

#endif
