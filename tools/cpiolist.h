/*
 * cpiolist: parse the kernel's gen_init_cpio file list (the CONFIG_INITRAMFS_SOURCE format)
 * into entries: "file|dir|nod|slink|pipe|sock" lines, '#' comments, blank lines. Only parses
 * and validates; packing the entries into a cpio archive is mkcpio's job.
 */
#ifndef NETINIT_TOOLS_CPIOLIST_H
#define NETINIT_TOOLS_CPIOLIST_H

#include <stddef.h>

enum cpio_kind { CPIO_FILE, CPIO_DIR, CPIO_NOD, CPIO_SLINK, CPIO_PIPE, CPIO_SOCK };

#define CPIOLIST_MAX_PATH 4096		/* longest name, location or link target accepted */
#define CPIOLIST_MAX_MODE 07777		/* permission bits only; the kind gives the file type */

struct cpio_entry {
	enum cpio_kind kind;
	char *name;		/* path inside the archive, as written in the list */
	char *source;		/* file: host path (${VAR} expanded); slink: link target; else NULL */
	unsigned mode;		/* permission bits, <= CPIOLIST_MAX_MODE */
	unsigned uid, gid;	/* owner */
	char devtype;		/* nod: 'b' (block) or 'c' (character) */
	unsigned major, minor;	/* nod: device number */
	char **links;		/* file: further names hard-linked to the same data */
	size_t nlinks;
	unsigned line;		/* 1-based line number in its list */
};

struct cpio_list {
	struct cpio_entry *e;
	size_t n, cap;
};

/* Looks up ${NAME} in a file location; NULL means "not set" (an error). */
typedef const char *(*cpiolist_env_fn)(void *ctx, const char *name);

/*
 * Parse one line (len bytes, no newline needed). Returns 0 with *out filled (free it with
 * cpiolist_entry_free), 1 for a blank or comment line, -EINVAL (detail in err) or -ENOMEM.
 * env NULL leaves ${...} in locations as written.
 */
int cpiolist_parse_line(const char *line, size_t len, struct cpio_entry *out,
			cpiolist_env_fn env, void *envctx, char *err, size_t errlen);

/* Append every entry of a whole list (buf need not be NUL-terminated). On error err says
 * "line N: ..." and the entries parsed so far stay in l. */
int cpiolist_parse(struct cpio_list *l, const char *buf, size_t len,
		   cpiolist_env_fn env, void *envctx, char *err, size_t errlen);

void cpiolist_entry_free(struct cpio_entry *e);
void cpiolist_free(struct cpio_list *l);

#endif
