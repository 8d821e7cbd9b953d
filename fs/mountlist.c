#include "fs/mountlist.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* the 5th field of one mountinfo line, unescaped into out; false if there is none or it
 * does not fit */
static bool mount_point(const char *line, const char *end, char *out, size_t outlen, bool *virt)
{
	const char *p = line;
	size_t n = 0;

	for (int f = 0; f < 4; f++) {
		while (p < end && *p != ' ')
			p++;
		if (p == end)
			return false;
		p++;
		if (f == 1)	/* the 3rd field, major:minor of the file system's device */
			*virt = p + 1 < end && p[0] == '0' && p[1] == ':';
	}
	for (; p < end && *p != ' '; p++) {
		char c = *p;

		if (c == '\\' && end - p >= 4 && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' &&
		    p[3] >= '0' && p[3] <= '7') {
			c = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
			p += 3;
		}
		if (n + 1 >= outlen || c == '\0')
			return false;
		out[n++] = c;
	}
	out[n] = '\0';
	return n > 0 && out[0] == '/';
}

static bool at_or_below(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (strncmp(path, dir, n) != 0)
		return false;
	return path[n] == '\0' || path[n] == '/' || (n == 1 && dir[0] == '/');
}

static unsigned depth(const char *p)
{
	unsigned d = 0;

	for (; *p; p++)
		d += *p == '/';
	return d;
}

void mountlist_under(const char *mountinfo, const char *dir, struct mountlist *out)
{
	static char mp[MOUNTLIST_PATH];
	unsigned seq[MOUNTLIST_MAX];
	bool virt = false;

	out->n = 0;
	out->dropped = 0;
	for (const char *line = mountinfo; line && *line;) {
		const char *end = strchr(line, '\n');
		const char *next = end ? end + 1 : NULL;

		if (!end)
			end = line + strlen(line);
		if (mount_point(line, end, mp, sizeof(mp), &virt)) {
			if (at_or_below(mp, dir)) {
				if (out->n < MOUNTLIST_MAX) {
					memcpy(out->path[out->n], mp, strlen(mp) + 1);
					out->virt[out->n] = virt;
					seq[out->n] = out->n;
					out->n++;
				} else {
					out->dropped++;
				}
			}
		} else if (end > line) {
			/* a mount point too long to keep, or a line that is not mountinfo */
			out->dropped++;
		}
		line = next;
	}
	/* insertion sort: deeper first, then later first */
	for (unsigned i = 1; i < out->n; i++) {
		static char tmp[MOUNTLIST_PATH];
		unsigned s = seq[i], d = depth(out->path[i]), j = i;
		bool v = out->virt[i];

		memcpy(tmp, out->path[i], sizeof(tmp));
		while (j > 0 && (depth(out->path[j - 1]) < d || (depth(out->path[j - 1]) == d && seq[j - 1] < s))) {
			memcpy(out->path[j], out->path[j - 1], sizeof(tmp));
			seq[j] = seq[j - 1];
			out->virt[j] = out->virt[j - 1];
			j--;
		}
		memcpy(out->path[j], tmp, sizeof(tmp));
		seq[j] = s;
		out->virt[j] = v;
	}
}
