/* ifports.h - the ports behind a bridge, as the configuration says */
#ifndef NICFIX_IFPORTS_H
#define NICFIX_IFPORTS_H

#include "ifread.h"

#define NFX_MAX_PORTS 64

/**
 * struct nfx_ports - names behind a bridge
 * @all: every member, bond slave and VLAN parent, @nall of them
 * @phys: the leaves of that tree (the NICs), @nphys of them
 */
struct nfx_ports {
	char all[NFX_MAX_PORTS][NFX_IFNAMSIZ];
	size_t nall;
	char phys[NFX_MAX_PORTS][NFX_IFNAMSIZ];
	size_t nphys;
};

/**
 * nfx_ifports_behind() - resolve @bridge's ports from @conf
 *
 * bridge-ports (or bridge_ports) of every stanza of @bridge; a bond to
 * its bond-slaves / bond_slaves / slaves or to the stanzas that name it
 * as bond-master; a VLAN device to its vlan-raw-device or, for "eno1.100",
 * to "eno1".
 */
void nfx_ifports_behind(const struct nfx_ifconf *conf, const char *bridge,
			struct nfx_ports *ret);

/** nfx_ifports_has() - is @name among @p->all? */
bool nfx_ifports_has(const struct nfx_ports *p, const char *name);

#endif
