#!/usr/bin/env python3
"""pvemodel.py - a small model of Proxmox VE's parser and writer of
/etc/network/interfaces (FIELD-NOTES.md), for the tests.

usage: pvemodel.py FILE

Prints, after what a GUI edit keeps, one line per option:
    NAME FAMILY<TAB>OPTION TEXT
and one line per option that the parser found outside any stanza (the
writer places those by position, elsewhere):
    -<TAB>OPTION TEXT

The rules modelled:
- a stanza ends at the first blank (or blank-only) line; comments do not
  end it; a top-level keyword line (auto, allow-*, iface, mapping,
  source*) starts something else;
- several stanzas of one interface and family: the last one's options win;
- a GUI edit rebuilds the families from the addresses: an inet6 stanza
  without an address is dropped with its options;
- only the main file is read (source lines are kept as they are).
"""
import re
import sys

TOP = re.compile(r"^(auto|allow-\S+|iface|mapping|source|source-directory|"
                 r"no-scripts|no-auto-down|rename|vlan|template)(\s|$)")


def model(text):
    stanzas = {}  # (name, family) -> options, in file order of first sight
    order = []
    loose = []
    cur = None
    lines = text.replace("\r\n", "\n").split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        # continuation lines join, as both parsers read them
        while line.endswith("\\") and i + 1 < len(lines):
            i += 1
            line = line[:-1] + " " + lines[i]
        i += 1
        if not line.strip():
            cur = None
            continue
        body = line.strip()
        if body.startswith("#"):
            continue
        if TOP.match(body):
            cur = None
            words = body.split()
            if words[0] == "iface" and len(words) >= 2:
                fam = words[2] if len(words) >= 3 and words[2] != "inherits" else ""
                key = (words[1], fam)
                if key not in stanzas:
                    order.append(key)
                # the last stanza of a family wins: its options replace
                stanzas[key] = []
                cur = key
            continue
        text_opt = " ".join(body.split())
        if cur is None:
            loose.append(text_opt)
        else:
            stanzas[cur].append(text_opt)
    out = []
    for key in order:
        opts = stanzas[key]
        if key[1] == "inet6" and not any(o.split()[0] == "address" for o in opts):
            continue
        for o in opts:
            out.append("%s %s\t%s" % (key[0], key[1], o))
    for o in loose:
        out.append("-\t%s" % o)
    return out


def main():
    with open(sys.argv[1], encoding="utf-8", errors="surrogateescape") as f:
        for line in model(f.read()):
            print(line)


if __name__ == "__main__":
    main()
