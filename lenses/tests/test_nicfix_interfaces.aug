(* Tests for the Nicfix_interfaces lens.
   Run: augparse --nostdinc -I lenses lenses/tests/test_nicfix_interfaces.aug
   (lenses/run-tests.sh also round-trips the corpus and the fixtures). *)

module Test_nicfix_interfaces =

let lns = Nicfix_interfaces.lns

(* A Proxmox VE file, as nicfix meets it most often.  The comment right
   below the iface line is the one the PVE GUI writes. *)
let pve = "auto lo
iface lo inet loopback

iface eno1 inet manual

auto vmbr0
iface vmbr0 inet static
#Uplink bridge
\taddress 192.168.1.10/24
\tgateway 192.168.1.1
\tbridge-ports eno1
\tbridge-stp off
\tbridge-fd 0

source /etc/network/interfaces.d/*
"

test lns get pve =
  { "auto" { "1" = "lo" } }
  { "iface" = "lo" { "family" = "inet" } { "method" = "loopback" } { } }
  { "iface" = "eno1" { "family" = "inet" } { "method" = "manual" } { } }
  { "auto" { "1" = "vmbr0" } }
  { "iface" = "vmbr0"
    { "family" = "inet" }
    { "method" = "static" }
    { "#comment" = "Uplink bridge" }
    { "address" = "192.168.1.10/24" }
    { "gateway" = "192.168.1.1" }
    { "bridge-ports" { "1" = "eno1" } }
    { "bridge-stp" = "off" }
    { "bridge-fd" = "0" }
    { } }
  { "source" = "/etc/network/interfaces.d/*" }

(* Issue #3: a new option line is "\t<key> <value>\n", right after the
   node it was inserted after, whatever the file's own indentation. *)
test lns put pve after
  insa "post-up" "/iface[3]/bridge-ports" ;
  set "/iface[3]/post-up" "ethtool -K eno1 tso off || true" =
"auto lo
iface lo inet loopback

iface eno1 inet manual

auto vmbr0
iface vmbr0 inet static
#Uplink bridge
\taddress 192.168.1.10/24
\tgateway 192.168.1.1
\tbridge-ports eno1
\tpost-up ethtool -K eno1 tso off || true
\tbridge-stp off
\tbridge-fd 0

source /etc/network/interfaces.d/*
"

test lns put "iface vmbr0 inet static
    address 10.0.0.1/24
    bridge-ports none
    bridge-fd 0

auto vmbr1
" after
  insa "post-up" "/iface/bridge-fd" ;
  set "/iface/post-up" "ethtool -K eno1 tso off || true" =
"iface vmbr0 inet static
    address 10.0.0.1/24
    bridge-ports none
    bridge-fd 0
\tpost-up ethtool -K eno1 tso off || true

auto vmbr1
"

(* Issue #3: editing keeps everything else: indentation, trailing comments,
   comments above a removed line (nicfix unpersist) *)
test lns put "iface vmbr0 inet static
    address 10.0.0.1/24   # LAN
    bridge-ports eno1
    # offloads off, see nicfix(8)
    post-up ethtool -K eno1 tso off || true

" after
  set "/iface/address" "10.0.0.2/24" ;
  set "/iface/bridge-ports/2" "eno2" ;
  rm "/iface/post-up" =
"iface vmbr0 inet static
    address 10.0.0.2/24   # LAN
    bridge-ports eno1 eno2
    # offloads off, see nicfix(8)

"

test lns put "iface a inet static\n\tpost-up x\n" after
  set "/iface/post-up/#comment" "nicfix" ;
  insa "#comment" "/iface/post-up" ;
  set "/iface/#comment" "added" =
  "iface a inet static\n\tpost-up x # nicfix\n\t# added\n"

test lns put "iface a inet static # x\n#y\n\taddress 1\n" after
  set "/iface/address" "2" =
  "iface a inet static # x\n#y\n\taddress 2\n"

(* A value the lens could not read back is refused, not written. *)
test lns put "iface a inet static\n\taddress 1.2.3.4/24\n" after
  set "/iface/address" "1.2.3.4 " = *
test lns put "iface a inet static\n\taddress 1.2.3.4/24\n" after
  set "/iface/address" "1.2.3.4 # x" = *

(* Issue #3: ifupdown2 / Proxmox SDN stanzas without family or method *)
test lns get "auto myvnet
iface myvnet
\taddress 10.0.0.1/24
\tbridge_ports vxlan_myvnet
\tvrf vrf_myzone
" =
  { "auto" { "1" = "myvnet" } }
  { "iface" = "myvnet"
    { "address" = "10.0.0.1/24" }
    { "bridge_ports" { "1" = "vxlan_myvnet" } }
    { "vrf" = "vrf_myzone" } }

(* Issue #3: inherits, with or without family and method *)
test lns get "iface eth1 inet static inherits ethernet
    address 1.2.3.4/24
iface eth2 inet inherits ethernet
iface eth3 inherits ethernet
" =
  { "iface" = "eth1"
    { "family" = "inet" }
    { "method" = "static" }
    { "inherits" = "ethernet" }
    { "address" = "1.2.3.4/24" } }
  { "iface" = "eth2" { "family" = "inet" } { "inherits" = "ethernet" } }
  { "iface" = "eth3" { "inherits" = "ethernet" } }

(* Issue #3: ifupdown2's vlan and ifupdown-ng's template stanzas end the
   stanza above them *)
test lns get "iface br0\n    bridge-ports eno1\nvlan br0.4094\n    vlan-id 4094\ntemplate base\n    mtu 9000\n" =
  { "iface" = "br0" { "bridge-ports" { "1" = "eno1" } } }
  { "vlan" = "br0.4094" { "vlan-id" = "4094" } }
  { "template" = "base" { "mtu" = "9000" } }

(* Issue #3: top-level keywords other than auto/iface/mapping/source *)
test lns get "no-scripts eth0 eth1
no-auto-down eth0
rename eth0=lan0 eth1=wan0
allow-hotplug eno1
allow-ovs br0
allow-vmbr0.10 eth9
source-directory interfaces.d
" =
  { "no-scripts" { "1" = "eth0" } { "2" = "eth1" } }
  { "no-auto-down" { "1" = "eth0" } }
  { "rename" { "1" = "eth0=lan0" } { "2" = "eth1=wan0" } }
  { "allow-hotplug" { "1" = "eno1" } }
  { "allow-ovs" { "1" = "br0" } }
  { "allow-vmbr0.10" { "1" = "eth9" } }
  { "source-directory" = "interfaces.d" }

(* Issue #3: indented auto and source lines end the stanza above them *)
test lns get "iface lo inet loopback\n  auto eno1\n\tsource /etc/x\niface eno1 inet dhcp\n" =
  { "iface" = "lo" { "family" = "inet" } { "method" = "loopback" } }
  { "auto" { "1" = "eno1" } }
  { "source" = "/etc/x" }
  { "iface" = "eno1" { "family" = "inet" } { "method" = "dhcp" } }

test lns get "mapping eth0 eth1\n    script /usr/local/sbin/map-scheme\n    map HOME eth0-home\n" =
  { "mapping" = "eth0 eth1"
    { "script" = "/usr/local/sbin/map-scheme" }
    { "map" = "HOME eth0-home" } }

(* Issue #3: options at column 0, without a value, upper case, dotted *)
test lns get "iface eth0 inet static
address 192.0.2.1/24
    bridge-vlan-aware
    Address 1.2.3.4
    net.ipv6.conf.all.forwarding 1
    bond-xmit_hash_policy layer3+4
" =
  { "iface" = "eth0"
    { "family" = "inet" }
    { "method" = "static" }
    { "address" = "192.0.2.1/24" }
    { "bridge-vlan-aware" }
    { "Address" = "1.2.3.4" }
    { "net.ipv6.conf.all.forwarding" = "1" }
    { "bond-xmit_hash_policy" = "layer3+4" } }

(* Issue #3: a trailing comment is kept out of the value.  Only blanks
   and "#" start one, and only after the value's first word. *)
test lns get "iface enp2s0 inet static
    dns-nameservers 192.168.2.2 # Pihole
    address 10.0.0.0/29 #Classless
    hwaddress ether 02:00:00:00:00:01 #
    up echo a#b
    gateway ####.####.####.1 (mostly .1)
    pre-up # the value, as ifupdown reads it
" =
  { "iface" = "enp2s0"
    { "family" = "inet" }
    { "method" = "static" }
    { "dns-nameservers" = "192.168.2.2" { "#comment" = "Pihole" } }
    { "address" = "10.0.0.0/29" { "#comment" = "Classless" } }
    { "hwaddress" = "ether 02:00:00:00:00:01" { "#comment" } }
    { "up" = "echo a#b" }
    { "gateway" = "####.####.####.1 (mostly .1)" }
    { "pre-up" = "# the value, as ifupdown reads it" } }

(* Quotes are not special: a shell command with " #" inside quotes is cut
   there (the round trip is still exact). *)
test lns get "iface a inet manual\n    post-up echo \"a # b\"\n" =
  { "iface" = "a"
    { "family" = "inet" }
    { "method" = "manual" }
    { "post-up" = "echo \"a" { "#comment" = "b\"" } } }

test lns get "auto lo eth0 # both\nsource /x # y\n" =
  { "auto" { "1" = "lo" } { "2" = "eth0" } { "#comment" = "both" } }
  { "source" = "/x" { "#comment" = "y" } }

(* Issue #3: a comment on the iface line is kept, in a hidden node: as a
   "#comment" child it could not be told from a comment on the next line *)
test lns get "iface eth0 inet dhcp # set by the installer\n#next line\n    mtu 1500\niface vmbr1 #\n" =
  { "iface" = "eth0"
    { "family" = "inet" }
    { "method" = "dhcp" }
    { = "# set by the installer" }
    { "#comment" = "next line" }
    { "mtu" = "1500" } }
  { "iface" = "vmbr1" { = "#" } }

(* Issue #3: backslash continuations anywhere in a value, kept verbatim;
   one right after the key belongs to the separator *)
test lns get "iface a inet manual
    post-up iptables -A FORWARD \\
        -j ACCEPT
    post-down \\
        iptables -D FORWARD -j ACCEPT
    bridge-ports eno1 \\
        eno2
    up echo a\\ b\\\\ c
" =
  { "iface" = "a"
    { "family" = "inet" }
    { "method" = "manual" }
    { "post-up" = "iptables -A FORWARD \\\n        -j ACCEPT" }
    { "post-down" = "iptables -D FORWARD -j ACCEPT" }
    { "bridge-ports" { "1" = "eno1" } { "2" = "eno2" } }
    { "up" = "echo a\\ b\\\\ c" } }

(* Issue #3: CRLF line endings, no "\r" in any value or label; a new line
   gets a plain "\n" *)
let crlf = "auto vmbr0\r\niface vmbr0 inet static\r\n\taddress 10.0.0.1/24 # x\r\n\r\n\tbridge-ports eno1\r\n# c\r\n"

test lns get crlf =
  { "auto" { "1" = "vmbr0" } }
  { "iface" = "vmbr0"
    { "family" = "inet" }
    { "method" = "static" }
    { "address" = "10.0.0.1/24" { "#comment" = "x" } }
    { }
    { "bridge-ports" { "1" = "eno1" } }
    { "#comment" = "c" } }

test lns put crlf after
  insa "post-up" "/iface/bridge-ports" ; set "/iface/post-up" "x" =
  "auto vmbr0\r\niface vmbr0 inet static\r\n\taddress 10.0.0.1/24 # x\r\n\r\n\tbridge-ports eno1\r\n\tpost-up x\n# c\r\n"

(* Issue #3: a missing final newline stays missing; the tree then ends
   with the hidden node { = "noeol" } *)
test lns get "auto lo" = { "auto" { "1" = "lo" } } { = "noeol" }

test lns get "iface vmbr0 inet static" =
  { "iface" = "vmbr0" { "family" = "inet" } { "method" = "static" } }
  { = "noeol" }

test lns get "iface vmbr0 inet static\n\tbridge-ports eno1 \r" =
  { "iface" = "vmbr0"
    { "family" = "inet" }
    { "method" = "static" }
    { "bridge-ports" { "1" = "eno1" } } }
  { = "noeol" }

(* a comment or blank last line goes to the top level *)
test lns get "iface vmbr0 inet static\n\taddress 1.2.3.4/24\n\t# last" =
  { "iface" = "vmbr0"
    { "family" = "inet" }
    { "method" = "static" }
    { "address" = "1.2.3.4/24" } }
  { "#comment" = "last" }
  { = "noeol" }

test lns get "# only a comment" = { "#comment" = "only a comment" } { = "noeol" }

test lns get "auto lo\n\n  " = { "auto" { "1" = "lo" } } { } { } { = "noeol" }

test lns put "iface vmbr0 inet static\n    bridge-ports eno1\n    bridge-stp off" after
  insa "post-up" "/iface/bridge-ports" ; set "/iface/post-up" "x" =
  "iface vmbr0 inet static\n    bridge-ports eno1\n\tpost-up x\n    bridge-stp off"

(* after the very last line, the new line ends the text without a newline,
   and the line before it is written anew, with the default indentation *)
test lns put "iface vmbr0 inet static\n    bridge-ports eno1\n    bridge-stp off" after
  insa "post-up" "/iface/bridge-stp" ; set "/iface/post-up" "x" =
  "iface vmbr0 inet static\n    bridge-ports eno1\n\tbridge-stp off\n\tpost-up x"

(* Issue #3: tabs, spaces and both; whitespace-only lines; trailing
   blanks; UTF-8 *)
test lns get "iface a inet static\n\taddress 1\n        gateway 2\n  \t  mtu 3   \n \t\n\t\tup x\t\n" =
  { "iface" = "a"
    { "family" = "inet" }
    { "method" = "static" }
    { "address" = "1" }
    { "gateway" = "2" }
    { "mtu" = "3" }
    { }
    { "up" = "x" } }

test lns get "# Brücke — ✓\niface vmbr0 inet static\n\tpost-up logger Brücke\n" =
  { "#comment" = "Brücke — ✓" }
  { "iface" = "vmbr0"
    { "family" = "inet" }
    { "method" = "static" }
    { "post-up" = "logger Brücke" } }

(* Issue #3: bridge-ports, bridge_ports, bond-slaves, bond_slaves, slaves
   are lists of ports; "none" is a one-element list *)
test lns get "iface b inet manual
    bond-slaves eno1 eno2
    bond_slaves eno3
    slaves eno4 eno5 # legacy
    bridge-ports none
    bridge_ports
    bridge-ports glob swp1-4 host-bond-0[1-2]
" =
  { "iface" = "b"
    { "family" = "inet" }
    { "method" = "manual" }
    { "bond-slaves" { "1" = "eno1" } { "2" = "eno2" } }
    { "bond_slaves" { "1" = "eno3" } }
    { "slaves" { "1" = "eno4" } { "2" = "eno5" } { "#comment" = "legacy" } }
    { "bridge-ports" { "1" = "none" } }
    { "bridge_ports" }
    { "bridge-ports" { "1" = "glob" } { "2" = "swp1-4" } { "3" = "host-bond-0[1-2]" } } }

(* Issue #3: the same interface in two stanzas *)
test lns get "iface vmbr0 inet static\n    address 1.2.3.4/24\niface vmbr0 inet6 static\n    address 2001:db8::1/64\n" =
  { "iface" = "vmbr0"
    { "family" = "inet" }
    { "method" = "static" }
    { "address" = "1.2.3.4/24" } }
  { "iface" = "vmbr0"
    { "family" = "inet6" }
    { "method" = "static" }
    { "address" = "2001:db8::1/64" } }

(* Issue #3: comments and blank lines anywhere.  After a one-line stanza
   they stay at the top level; after an iface line they belong to it, up
   to the next keyword line, as in the stock lens. *)
test lns get "# top\n#\n\nauto lo # a\n# after auto\niface lo inet loopback\n  # inside\n\n# before next\nauto vmbr0\n" =
  { "#comment" = "top" }
  { }
  { }
  { "auto" { "1" = "lo" } { "#comment" = "a" } }
  { "#comment" = "after auto" }
  { "iface" = "lo"
    { "family" = "inet" }
    { "method" = "loopback" }
    { "#comment" = "inside" }
    { }
    { "#comment" = "before next" } }
  { "auto" { "1" = "vmbr0" } }

(* Issue #3: one stanza's text alone *)
test lns get "iface vmbr0 inet static\n\taddress 1.2.3.4/24\n\tbridge-ports eno1\n" =
  { "iface" = "vmbr0"
    { "family" = "inet" }
    { "method" = "static" }
    { "address" = "1.2.3.4/24" }
    { "bridge-ports" { "1" = "eno1" } } }

(* and an empty text *)
test lns put "" after set "/auto/1" "lo" = "auto lo\n"

(* Rejected: options outside a stanza, a value ending in a lone backslash,
   keys with characters Augeas paths cannot hold, an iface line without a
   name, a mapping stanza at the end of a text without a final newline *)
test lns get "address 1.2.3.4\n" = *
test lns get "auto lo\n  address 1.2.3.4\n" = *
test lns get "iface a inet static\n  up echo \\" = *
test lns get "iface a inet static\n  foo/bar 1\n" = *
test lns get "iface\n" = *
test lns get "mapping eth0\n  script x" = *
