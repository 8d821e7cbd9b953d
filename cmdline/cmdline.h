/* cmdline: split a kernel command line into key/value parameters exactly as the
 * kernel does (lib/cmdline.c next_arg): whitespace separates, double quotes group,
 * one pair of quotes around a value or a whole parameter is removed, and "--" ends
 * the part meant for the kernel and init. Pure: no I/O. */
#ifndef NETINIT_CMDLINE_H
#define NETINIT_CMDLINE_H
#include <stddef.h>

struct cmdline_param {
	char *key;
	char *value; /* NULL for a bare flag ("quiet"); "" for "key=" */
};

struct cmdline {
	struct cmdline_param *v;
	size_t n;
	char *buf;   /* one copy of the line that keys and values point into */
};

/* 0, or -ENOMEM. On success free with cmdline_free(). */
int cmdline_split(const char *line, struct cmdline *out);
void cmdline_free(struct cmdline *c);

/* Last value of key (NULL if absent or bare); *found tells presence. */
const char *cmdline_get(const struct cmdline *c, const char *key, int *found);

#endif
