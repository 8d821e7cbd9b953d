/* event: how a library reports what happens (init/ turns it into log lines): a callback with
 * a level and one line of text (no newline). Header only. */
#ifndef NETINIT_UTIL_EVENT_H
#define NETINIT_UTIL_EVENT_H

enum ev_level { EV_ERR = 0, EV_WARN = 1, EV_INFO = 2, EV_DEBUG = 3 };
typedef void (*event_fn)(void *ctx, int level, const char *msg);

#endif
