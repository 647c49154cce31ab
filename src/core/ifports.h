/* ifports.h - the ports behind a bridge, as the configuration says */
#ifndef NICFIX_IFPORTS_H
#define NICFIX_IFPORTS_H

#include "ifread.h"

#define NFX_MAX_PORTS 64

/**
 * struct nfx_ports - names behind a bridge
 * @all: every member, bond slave and VLAN parent, @nall of them
 * @phys: the leaves of that tree that are NICs, @nphys of them
 * @virt: the leaves that are not (a VXLAN, a bridge, a veth, ...), @nvirt,
 *	each with @why: what says so ("vxlan-id", "link-type veth")
 */
struct nfx_ports {
	char all[NFX_MAX_PORTS][NFX_IFNAMSIZ];
	size_t nall;
	char phys[NFX_MAX_PORTS][NFX_IFNAMSIZ];
	size_t nphys;
	char virt[NFX_MAX_PORTS][NFX_IFNAMSIZ];
	char why[NFX_MAX_PORTS][48];
	size_t nvirt;
};

/**
 * nfx_ifports_behind() - resolve @bridge's ports from @conf
 *
 * bridge-ports (or bridge_ports) of every stanza of @bridge; a bond to
 * its bond-slaves / bond_slaves / slaves or to the stanzas that name it
 * as bond-master; a VLAN device to its vlan-raw-device or, for "eno1.100",
 * to "eno1".  A leaf is physical unless nfx_ifports_virtual() says it is
 * not.
 */
void nfx_ifports_behind(const struct nfx_ifconf *conf, const char *bridge,
			struct nfx_ports *ret);

/**
 * nfx_ifports_virtual() - is @name a device with no NIC of its own?
 * @conf: the configuration
 * @name: a leaf of the ports tree (not a bond or a VLAN with a parent)
 * @why: receives what says so, @len bytes
 *
 * A bridge (bridge-ports), a VXLAN (vxlan-*), a veth, dummy, macvlan or
 * VRF (link-type, veth-peer-name, vrf-table, "ip link add ... type X" in
 * its pre-up), an OVS device other than an OVSPort (ovs_type), a tunnel
 * (tunnel-*, methods tunnel, v4tunnel, 6to4, ppp), or a name that only such
 * devices have (vmbr*, vxlan*, vni*, veth*, tap*, fwpr*, ...); a
 * placeholder such as "enxXXXXXXXXXXXX".
 *
 * Return: true when @name is no NIC.
 */
bool nfx_ifports_virtual(const struct nfx_ifconf *conf, const char *name,
			 char *why, size_t len);

/** nfx_ifports_phys() - is @name among @p->phys? */
bool nfx_ifports_phys(const struct nfx_ports *p, const char *name);

/** nfx_ifports_has() - is @name among @p->all? */
bool nfx_ifports_has(const struct nfx_ports *p, const char *name);

#endif
