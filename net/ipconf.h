/*
 * ipconf: turn every network key of the kernel command line into one plain
 * struct net_plan, cross-check it and print it. No side effects, no malloc.
 *
 * Keys taken (dracut and kernel spellings): ip= (every form of dracut's
 * net-lib, IPv6 included, and the kernel's 10-field form), nameserver=, rd.peerdns=,
 * rd.route=, BOOTIF=, rd.bootif=, bootdev=, ifname=, vlan=, rd.neednet,
 * rd.net.timeout.{iflink,ifup,route,ipv6dad,ipv6auto,carrier,dhcp},
 * rd.net.dhcp.retry=, net.ifnames=, net.naming-scheme= (also net.naming_scheme=),
 * and bond=/bridge=/team= (refused: not supported).
 *
 * Use:  net_plan_init(&np);
 *       for each cmdline key, in order: net_plan_arg(&np, key, value, err, len);
 *       net_plan_finish(&np, err, len);
 *       if the root needs the network: net_plan_require(&np);
 *       if (net_plan_wanted(&np)) net_up(&np, ...)   (see net/net.h)
 */
#ifndef NETINIT_NET_IPCONF_H
#define NETINIT_NET_IPCONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <netinet/in.h>

#define NET_IFNAMSIZ	16	/* like IFNAMSIZ: 15 characters + NUL */
#define NET_MAX_IP	4	/* ip= entries */
#define NET_MAX_DNS	4	/* nameserver= entries, and DNS kept per result */
#define NET_MAX_ROUTES	8	/* rd.route= entries */
#define NET_MAX_IFNAME	4	/* ifname= entries */
#define NET_MAX_VLAN	4	/* vlan= entries */
#define NET_MAX_BOND	2	/* bond= entries */
#define NET_MAX_BOND_SLAVES 8	/* interfaces of one bond */
#define NET_HOSTNAME_MAX 64	/* host name incl. NUL */
#define NET_FORM_MAX	64	/* an echoed unsupported form incl. NUL */
#define NET_ROOT_MAX	128	/* root prefix for written files incl. NUL */

enum net_method {
	NET_METHOD_DHCP = 0,	/* dhcp, on, any, single-dhcp */
	NET_METHOD_STATIC,	/* none, off */
	NET_METHOD_NONE,	/* no IPv4 on this entry: an IPv6-only ip= */
};

/* The IPv6 half of an ip= entry (dracut's words). */
enum net_method6 {
	NET_V6_NONE = 0,	/* no IPv6 configuration: the kernel's defaults are left alone */
	NET_V6_STATIC,		/* ip=[<v6>]::[<gw6>]:<prefixlen>:...:none */
	NET_V6_AUTO6,		/* SLAAC from router advertisements (DHCPv6 when the RA's M/O flag asks) */
	NET_V6_DHCP6,		/* stateful DHCPv6 (the default route still comes from an RA) */
	NET_V6_EITHER6,		/* auto6, then dhcp6 when no RA gave an address */
	NET_V6_LINK6,		/* the link-local address only (DAD finished) */
};

/* One ip= entry. */
struct net_ipconf {
	char iface[NET_IFNAMSIZ];	/* "" = any interface */
	enum net_method method;
	struct in_addr addr;		/* static address; for dhcp: address to ask for (opt 50) */
	struct in_addr peer;		/* peer / kernel "server" field (recorded only) */
	struct in_addr gw;		/* default gateway, 0 = none */
	uint8_t prefix;			/* from netmask; 0 when not given */
	char hostname[NET_HOSTNAME_MAX];	/* "" = none */
	uint32_t mtu;			/* 0 = leave as is */
	uint8_t mac[6];			/* set the link's MAC address to this */
	bool has_mac;
	struct in_addr dns[2];		/* dns1/dns2 (dracut) or dns0/dns1 (kernel) */
	uint8_t n_dns;
	struct in_addr ntp;		/* kernel form's ntp0 (recorded, written to .env) */
	/* IPv6 (a second ip= for the same interface fills this half of the same entry) */
	enum net_method6 method6;
	struct in6_addr addr6;		/* NET_V6_STATIC */
	uint8_t prefix6;		/* 0..128 */
	struct in6_addr gw6;		/* default gateway, :: = none (then the RA's) */
	struct in6_addr dns6[2];	/* [<v6>] in the dns1/dns2 fields */
	uint8_t n_dns6;
};

/* rd.route=<net>/<prefix>:<gw>[:<iface>], or rd.route=[<v6>/<len>]:[<gw6>][:<iface>]
 * (also [<v6>]/<len>) */
struct net_route {
	bool v6;			/* dst6/gw6 instead of dst/gw */
	struct in_addr dst;
	uint8_t prefix;			/* 0..32, or 0..128 for v6 */
	struct in_addr gw;
	struct in6_addr dst6, gw6;	/* gw6 :: = on-link */
	char iface[NET_IFNAMSIZ];	/* "" = the configured boot interface */
};

/* ifname=<name>:<mac> */
struct net_ifname {
	char name[NET_IFNAMSIZ];
	uint8_t mac[6];
};

/* vlan=<name>:<phys> */
struct net_vlan {
	char name[NET_IFNAMSIZ];
	char phys[NET_IFNAMSIZ];
	uint16_t id;			/* from the name: vlan0005, vlan5, eth0.0005, eth0.5 */
};

/* bond=<name>[:<slave>,<slave>...[:<options>[:<mtu>]]] (dracut); bare "bond" is
 * bond0:eth0,eth1:mode=balance-rr. Options, comma-separated: mode=, miimon=, updelay=,
 * downdelay=, lacp_rate=, xmit_hash_policy=, ad_select=, min_links=, primary=; any other
 * option is refused by name. */
struct net_bond {
	char name[NET_IFNAMSIZ];
	char slave[NET_MAX_BOND_SLAVES][NET_IFNAMSIZ];
	uint8_t n_slave;
	uint8_t mode;			/* BOND_MODE_*: 0 balance-rr ... 6 balance-alb */
	/* options given (the kernel's default otherwise) */
	bool has_miimon, has_updelay, has_downdelay, has_lacp_rate, has_xmit_hash, has_ad_select, has_min_links;
	uint32_t miimon, updelay, downdelay, min_links;	/* ms, ms, ms, count */
	uint8_t lacp_rate;		/* 0 slow, 1 fast */
	uint8_t xmit_hash;		/* 0 layer2, 1 layer3+4, 2 layer2+3, 3 encap2+3, 4 encap3+4, 5 vlan+srcmac */
	uint8_t ad_select;		/* 0 stable, 1 bandwidth, 2 count */
	char primary[NET_IFNAMSIZ];	/* "" = none */
	unsigned mtu;			/* 0 = leave */
};

/* The names of bond modes and option values, for printing (index = the kernel's value). */
const char *net_bond_mode_name(unsigned mode);

/* Seconds; dracut's names and defaults. 0 for dhcp means the default. */
struct net_timeouts {
	unsigned iflink;	/* wait for the links to appear: 60 */
	unsigned ifup;		/* wait for a link to come up: 20 */
	unsigned route;		/* recorded (routes are added synchronously): 20 */
	unsigned ipv6dad;	/* wait for IPv6 DAD to finish: 50; 0 = no DAD (nodad, accept_dad=0) */
	unsigned ipv6auto;	/* wait for a router advertisement's address: 40 */
	unsigned carrier;	/* wait for carrier on a link: 10 */
	unsigned dhcp;		/* one DHCP attempt: 30 */
};

struct net_plan {
	struct net_ipconf ip[NET_MAX_IP];	/* in cmdline order; ip[0] is the boot device */
	uint8_t n_ip;
	struct in_addr nameserver[NET_MAX_DNS];	/* nameserver=, in order */
	uint8_t n_nameserver;
	struct in6_addr nameserver6[NET_MAX_DNS];	/* nameserver=[<v6>] (or a bare v6), in order */
	uint8_t n_nameserver6;
	bool peerdns;				/* rd.peerdns, default true: use DHCP's DNS */
	struct net_route route[NET_MAX_ROUTES];
	uint8_t n_route;
	uint8_t bootif[6];			/* BOOTIF=01-aa-bb-cc-dd-ee-ff */
	bool has_bootif;
	bool use_bootif;			/* rd.bootif, default true */
	char bootdev[NET_IFNAMSIZ];		/* bootdev=, "" = none */
	struct net_ifname ifname[NET_MAX_IFNAME];
	uint8_t n_ifname;
	struct net_vlan vlan[NET_MAX_VLAN];
	uint8_t n_vlan;
	struct net_bond bond[NET_MAX_BOND];
	uint8_t n_bond;
	bool neednet;				/* rd.neednet=1 or net_plan_require() */
	bool ifnames;				/* net.ifnames, default true: rename NICs as udev would */
	char naming_scheme[8];			/* net.naming-scheme=, "" = netinit's default (ifnames.h) */
	unsigned naming_flags;			/* its IFN_* flags */
	struct net_timeouts timeout;
	unsigned dhcp_retry;			/* rd.net.dhcp.retry, default 1 attempt */
	/* An unsupported form seen by net_plan_arg; net_plan_finish refuses the plan with it. */
	char unsupported[NET_FORM_MAX];
	/* Not from the cmdline: where net_up writes etc/resolv.conf and
	 * run/netinit/...; "" means "/". Host tests point it at a temp dir. */
	char root[NET_ROOT_MAX];
	/* Not from the cmdline: DHCP vendor class (option 60); default "netinit". */
	char vendor_class[32];
};

/* Defaults: nothing wanted, peerdns on, rd.bootif on, dracut's timeouts. */
void net_plan_init(struct net_plan *np);

/* Offer one cmdline parameter (value NULL for a bare flag). Returns 1 if the
 * key is a network key and was taken, 0 if it is not a network key, -EINVAL
 * (one line in err naming key, value and the expected form) if malformed,
 * -E2BIG if a table is full. */
int net_plan_arg(struct net_plan *np, const char *key, const char *value,
		 char *err, size_t errlen);

/* Cross-checks after all args: an interface configured twice for one address family,
 * unsupported keys. 0 or -EINVAL. */
int net_plan_finish(struct net_plan *np, char *err, size_t errlen);

/* True if ip= or rd.neednet asks for the network. */
bool net_plan_wanted(const struct net_plan *np);

/* The root needs the network: like rd.neednet=1, plus ip=dhcp if no ip= given. */
void net_plan_require(struct net_plan *np);

/* Human lines ("  network: eth0 dhcp ...") or ONE JSON object (no newline
 * inside, a newline after it is not printed). Nothing when not wanted
 * (the JSON form then prints {"wanted":false}). */
void net_plan_print(const struct net_plan *np, FILE *out, bool json);

/* Helpers shared with net/ (and tests): parse a dotted quad / a MAC with
 * ':' or '-' separators; 0 or -EINVAL. */
int net_parse_ipv4(const char *s, struct in_addr *out);
int net_parse_mac(const char *s, uint8_t mac[6]);

/* An IPv6 address, bare or in [ ] (brackets=true: only the bracketed form). 0 or -EINVAL. */
int net_parse_ipv6(const char *s, bool brackets, struct in6_addr *out);

/* Does the entry configure IPv4 / IPv6? */
bool net_ipconf_has4(const struct net_ipconf *c);
bool net_ipconf_has6(const struct net_ipconf *c);

/* "dhcp" "static" "none"; "auto6" "dhcp6" ... ("" for NET_V6_NONE) */
const char *net_method_name(enum net_method m);
const char *net_method6_name(enum net_method6 m);

#endif
