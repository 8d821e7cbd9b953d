/*
 * nbdspec: parse the command-line forms that name an NBD root into one struct nbd_spec.
 *
 *   KIWI    root=overlay:nbd=<server>[:<port>]:<export>      (value after "nbd=")
 *   dracut  root=nbd:<server>:<port|export>[:<fstype>[:<rootflags>[:<nbdopts>]]]
 *           netroot=nbd:...                                  (value after "nbd:")
 *
 * An IPv6 server is written in brackets ("[fd00::1]"); the brackets are not kept. In the
 * dracut form a port that is not all digits is an export name (and the port is 10809).
 * nbdopts is a comma list; netinit understands timeout=<s> (I/O timeout), bs=<bytes>,
 * dead_timeout=<s> (ours: how long the kernel holds I/O while the supervisor reconnects) and
 * nopersist (ours: no reconnect supervisor). Other options are nbd-client's: they are counted
 * and the first is kept so the caller can warn, never an error.
 * Pure: no I/O, no allocation.
 */
#ifndef NETINIT_BLOCKDEV_NBDSPEC_H
#define NETINIT_BLOCKDEV_NBDSPEC_H

#include <stddef.h>
#include <stdint.h>

#define NBD_DEFAULT_PORT 10809
#define NBD_SPEC_HOST_MAX 256     /* host name or address, with its NUL */
#define NBD_SPEC_EXPORT_MAX 256   /* export name, with its NUL (proto.md allows 4096; we cap) */
#define NBD_SPEC_STR_MAX 256      /* fstype, rootflags, first ignored option */
#define NBD_DEFAULT_IO_TIMEOUT_S 30    /* kernel request timeout (NBD_ATTR_TIMEOUT) */
#define NBD_DEFAULT_DEAD_TIMEOUT_S 300 /* NBD_ATTR_DEAD_CONN_TIMEOUT: I/O waits this long for a reconnect */

enum nbd_spec_form {
	NBD_FORM_KIWI,    /* root=overlay:nbd=... : overlay root, upper per rd.root.overlay.* */
	NBD_FORM_DRACUT,  /* root=nbd:... / netroot=nbd:... : the device itself is the root */
};

struct nbd_spec {
	enum nbd_spec_form form;
	char host[NBD_SPEC_HOST_MAX];       /* server name or address, brackets removed */
	uint16_t port;                      /* TCP port, NBD_DEFAULT_PORT when not given */
	char export_name[NBD_SPEC_EXPORT_MAX]; /* "" = the server's default export */
	char fstype[NBD_SPEC_STR_MAX];      /* dracut field 3, "" = detect ("auto" is stored as "") */
	char rootflags[NBD_SPEC_STR_MAX];   /* dracut field 4, "" = none */
	unsigned io_timeout_s;              /* nbdopts timeout=, default NBD_DEFAULT_IO_TIMEOUT_S */
	unsigned dead_timeout_s;            /* nbdopts dead_timeout=, default NBD_DEFAULT_DEAD_TIMEOUT_S */
	uint32_t block_size;                /* nbdopts bs=, 0 = from the server (else 512) */
	int persist;                        /* 1 = run the reconnect supervisor (default), 0 = nopersist */
	unsigned n_ignored_opts;            /* nbdopts netinit does not use */
	char first_ignored_opt[NBD_SPEC_STR_MAX]; /* the first of them, for a warning */
};

/*
 * form: "kiwi" (value is what follows "root=overlay:nbd=") or "dracut" (value is what follows
 * "root=nbd:" or "netroot=nbd:"; a leading "nbd:" is also accepted). Returns 0, or -EINVAL
 * with one line in err naming the wrong field and the expected form (without the key and the
 * value: the caller puts "root=<value>: " before it).
 */
int nbd_spec_parse(const char *form, const char *value, struct nbd_spec *out, char *err, size_t errlen);

/* "host:port/export" style one-line description (IPv6 in brackets) for logs and the kernel's
 * backend identifier. Returns snprintf's result. */
int nbd_spec_describe(const struct nbd_spec *s, char *buf, size_t len);

#endif
