/*
 * dolly: a client of KIWI's dolly transport (root=live:dolly:, openSUSE's dolly >= 0.70)
 * that writes the image into the same sinks as fetch_url (hash, decompress, tmpfs /
 * /dev/ram0 / target disk). The machines form a TCP chain: the server (or the previous
 * host) connects to our control (9997) and data (9998) ports, proves the shared password
 * if one is set, sends its configuration (the dollytab: infile, outfile, the host list,
 * endconfig); we find ourselves in the host list, connect to the next host, hand the same
 * configuration on, and forward every byte of the data stream while writing it. The
 * image size comes last, on the control connection; each host acknowledges it back up
 * the chain. Every byte from the network is bounded and checked; nothing is printed.
 */
#ifndef NETINIT_FETCH_DOLLY_H
#define NETINIT_FETCH_DOLLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fetch/fetch.h"

#define DOLLY_CTRL_PORT		9997	/* control connection (dolly's ctrlport) */
#define DOLLY_DATA_PORT		9998	/* data stream (dolly's dataport) */
#define DOLLY_CONFIG_MAX	4096	/* dolly's buffer (t_b_size): its server refuses a longer dollytab */
#define DOLLY_LINE_MAX		255	/* dolly reads the dollytab with fgets into 256 bytes */
#define DOLLY_MAX_HOSTS		256	/* dolly's MAXHOSTS */
#define DOLLY_PASSWORD_MAX	255	/* dolly -P takes at most 255 characters */
#define DOLLY_NONCE_LEN		32	/* the challenge: 32 random bytes */
#define DOLLY_RESPONSE_LEN	32	/* SHA-256(SHA-256(password) || nonce) */
#define DOLLY_AUTH_REPLY_MAX	270	/* "OK\0" or "AUTH_FAILED:<host>\0", as dolly's client reads it */
#define DOLLY_RETRIES_DEFAULT	10	/* dolly's max_retries: handshakes that may fail before we give up */
#define DOLLY_MAX_ADDRS		32	/* local IPv4 addresses compared with the host list */

/* rd.kiwi.live.dolly_options: dolly's own client options, commas for spaces (as KIWI writes them). */
struct dolly_opts {
	bool password_set;			/* -P <password> */
	char password[DOLLY_PASSWORD_MAX + 1];
	unsigned timeout_s;			/* -a <s>: give up after this long without progress; 0 = rd.retry */
	unsigned retries;			/* -r <n>: failed handshakes before giving up; 0 = default */
	bool hyphen_normal;			/* -Y: '-' is an ordinary character in host names */
	char hostname[64];			/* our name; "" = the kernel's host name (tests set it) */
};

/* The configuration (dollytab) as the server sends it; text is a copy with lines NUL-ended. */
struct dolly_config {
	char text[DOLLY_CONFIG_MAX + 1];
	char infile[DOLLY_LINE_MAX + 1];	/* the server's input (information only) */
	char outfile[DOLLY_LINE_MAX + 1];	/* where dolly clients write; netinit writes its sink */
	bool input_split;			/* "infile X split" */
	uint64_t output_split;			/* "outfile X split <n>[kMGT]": dolly clients split; netinit does not */
	bool hyphen_normal;			/* "hyphennormal" / "hypheninterface" */
	unsigned nhosts;
	uint16_t host[DOLLY_MAX_HOSTS];		/* offsets of the host names in text */
};

void dolly_opts_init(struct dolly_opts *d);

/*
 * rd.kiwi.live.dolly_options=<list>: tokens separated by ',' or ' '; -P <password>,
 * -a <seconds>, -r <retries>, -Y; -v, -q and -n are accepted and change nothing.
 * Server options (-s, -S, -H, -I, -O, -D, -X, -K, -f, -d, -R, -4, -6, -o) are refused.
 */
int dolly_options_parse(const char *val, struct dolly_opts *d, char *err, size_t errlen);

/* Parse len bytes of a dollytab (as received; NULs are refused). 0 or -EINVAL/-EBADMSG with err. */
int dolly_config_parse(const char *buf, size_t len, struct dolly_config *c, char *err, size_t errlen);

/* The i-th host name of c (i < c->nhosts). */
const char *dolly_config_host(const struct dolly_config *c, unsigned i);

/*
 * Our index in c's host list: the first entry that equals one of addrs (dotted IPv4) or
 * hostname, or, unless hyphen_normal (the config's or -Y), whose part before the first
 * '-' does ("node1-ib": node1 over another interface). -ENOENT if none.
 */
int dolly_find_self(const struct dolly_config *c, bool hyphen_normal, const char *hostname,
		    const char *const *addrs, size_t naddrs);

/* The challenge's answer: SHA-256(SHA-256(password) || nonce). */
void dolly_auth_response(const char *password, const uint8_t nonce[DOLLY_NONCE_LEN],
			 uint8_t out[DOLLY_RESPONSE_LEN]);

/*
 * Does the start of an authentication reply (len bytes, up to the first NUL if any)
 * say OK? 1 = "OK", 0 = refused (host in who: "AUTH_FAILED:<host>" gives <host>,
 * scrubbed), -EAGAIN = not complete yet (no NUL within len < DOLLY_AUTH_REPLY_MAX).
 */
int dolly_auth_reply(const char *buf, size_t len, char *who, size_t wholen);

/*
 * Take part in a dolly chain and write the image into sink: waits on TCP 9997/9998 until a
 * server (or the previous host) connects, bounded by d->timeout_s or o->retry_deadline_s of
 * no progress; url ("dolly:...") only chooses the decompressor by its suffix (o->decompress)
 * and names the source in messages. o->sum is checked (not "auto": the chain has no
 * .sha256 file); o->digest hashes for st. If the previous host goes away mid-stream, the
 * sink is reset (if it can be) and the chain awaited again. If the next host fails after
 * our handshake with it, the stream is no longer forwarded (a FETCH_EV_WARNING), and our
 * own image still completes. Events: WAIT (msg: each step of the chain), START, PROGRESS,
 * RETRY, WARNING, DONE. Errors: -ETIMEDOUT (no server, no progress), -ECONNREFUSED (the
 * next host), -EACCES (password), -ENOENT (we are not in the host list), -EPROTO (the
 * peer broke the protocol), -EFBIG, -EBADMSG (checksum, corrupt compressed data), -EINVAL.
 */
int dolly_fetch(const struct dolly_opts *d, const struct fetch_opts *o, const char *url, struct fetch_sink *sink,
		fetch_event_fn ev, void *ev_ctx, struct fetch_stats *st, char *err, size_t errlen);

#endif
