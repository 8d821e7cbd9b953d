/* env: the text of /run/netinit/net/<iface>.env, the facts of one configured
 * interface for the booted system's scripts: KEY='value' lines, every value
 * quoted by util/shquote.h, so `. file` in sh is safe whatever a DHCP server sent
 * (a boot file name, host or domain name holding $(...), quotes or newlines). */
#ifndef NETINIT_NET_ENV_H
#define NETINIT_NET_ENV_H
#include <stddef.h>
#include <stdint.h>

#include "net/dhcp.h"
#include "net/net.h"

#define NET_ENV_MAX	16384	/* the longest text net_env_format can produce fits */

/* The file's text for r into buf (len bytes). link_mtu: the MTU shown when r has
 * none; search: option 119 or NULL; m: the lease (its classless routes) or NULL.
 * 0, or -ENOSPC when it does not fit (nothing half-quoted is ever written). */
int net_env_format(const struct net_result *r, uint32_t link_mtu, const char *search, const struct dhcp_msg *m,
		   char *buf, size_t len);

#endif
