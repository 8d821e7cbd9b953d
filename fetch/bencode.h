/*
 * bencode: a bounded parser for BitTorrent's encoding (BEP 3): integers i<n>e,
 * byte strings <len>:<bytes>, lists l...e and dictionaries d...e. The whole input
 * becomes a flat array of nodes in document order (a container's subtree follows it,
 * node.next skips it), each with the byte range of its encoding, so a caller can hash
 * the exact bytes of a value (the info-hash). Hostile input is bounded: nesting depth,
 * node count and string lengths have hard limits, integers are overflow-checked,
 * "i-0e", leading zeros and non-string dictionary keys are refused.
 */
#ifndef NETINIT_FETCH_BENCODE_H
#define NETINIT_FETCH_BENCODE_H

#include <stddef.h>
#include <stdint.h>

#define BENCODE_MAX_DEPTH	32		/* nested lists/dicts */
#define BENCODE_MAX_STR		(16u << 20)	/* one string (a torrent's pieces: 20 bytes a piece) */
#define BENCODE_MAX_INPUT	(32u << 20)	/* a whole document */

enum bencode_type { BEN_INT = 1, BEN_STR, BEN_LIST, BEN_DICT };

struct bnode {
	uint8_t type;		/* enum bencode_type */
	uint32_t start, end;	/* the value's encoding: buf[start..end) */
	uint32_t next;		/* index of the node after this value's subtree */
	uint32_t count;		/* list: items; dict: key/value pairs */
	int64_t i;		/* BEN_INT */
	uint32_t str, len;	/* BEN_STR: the bytes buf[str..str+len) */
};

struct bdoc {
	const uint8_t *buf;
	size_t len;
	struct bnode *n;
	unsigned count, cap;	/* nodes used, nodes available */
};

/*
 * Parse exactly one value filling buf[0..len) into nodes[0..cap). 0, or -EBADMSG
 * (malformed: err says what and at which byte), -E2BIG (more than cap nodes, deeper
 * than BENCODE_MAX_DEPTH, a string or input over its limit).
 */
int bencode_parse(struct bdoc *d, const void *buf, size_t len, struct bnode *nodes, unsigned cap,
		  char *err, size_t errlen);

/* The value of key in the dictionary node dict (first match); -1 if absent or dict is not a dict. */
int bencode_get(const struct bdoc *d, int dict, const char *key);
/* The same, of a given type; -1 if absent or of another type. */
int bencode_get_type(const struct bdoc *d, int dict, const char *key, enum bencode_type type);
/* Items of a list (or keys and values of a dict, alternating): first child, next sibling; -1 = none. */
int bencode_child(const struct bdoc *d, int node);
int bencode_sibling(const struct bdoc *d, int parent, int node);
/* A string node's bytes and length. */
const uint8_t *bencode_str(const struct bdoc *d, int node, size_t *len);
/* Does string node equal the NUL-terminated s? */
int bencode_str_is(const struct bdoc *d, int node, const char *s);

#endif
