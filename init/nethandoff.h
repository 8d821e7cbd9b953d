/* nethandoff: leave the boot interface to the booted system's network manager
 * (net/handoff.h): the host name from DHCP or ip= into the kernel right after the
 * network came up, and before switch_root the systemd-networkd .network and the
 * NetworkManager keyfile in /run, which switch_root moves into the new root.
 * Logs what it did; a file it cannot write is a warning, never fatal. */
#ifndef NETINIT_INIT_NETHANDOFF_H
#define NETINIT_INIT_NETHANDOFF_H
#include "init/plan.h"
#include "net/net.h"

void nethandoff_hostname(const struct net_result *res);
void nethandoff_files(const struct boot_plan *plan, const struct net_result *res);

#endif
