#!/usr/bin/env python3
"""genlog.py - write a big, plausible Proxmox VE journal for bench/diagnose.sh

usage: genlog.py FILE MEGABYTES HANGS

journalctl's short format ("Mon DD HH:MM:SS host ident[pid]: message"),
most of it the ordinary noise of a PVE host (pvedaemon, pveproxy, pmxcfs,
cron, systemd, the bridge and tap ports of starting guests, audit lines),
with HANGS e1000e "Detected Hardware Unit Hang" blocks (15 lines each, as
the driver prints them) in episodes of four spread evenly through the file,
each episode ending in a reset and a link flap.  Timestamps only move
forward.  Prints the number of hang blocks written.  Fast enough that
making 500 MB takes seconds: lines come from a pool of pre-formatted ones,
a second's worth at a time, written in 4 MB chunks.  Deterministic (fixed
seed).
"""
import random
import sys
import time

HOST = "pve01"
NIC = "e1000e 0000:00:1f.6 eno1"

NOISE = [
    (40, "pvedaemon[{p}]: <root@pam> successful auth for user 'root@pam'"),
    (30, "pveproxy[{p}]: worker {q} started"),
    (30, "pveproxy[{p}]: worker {q} finished"),
    (60, "pmxcfs[1021]: [status] notice: received log"),
    (40, "pmxcfs[1021]: [dcdb] notice: data verification successful"),
    (30, "CRON[{p}]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)"),
    (30, "CRON[{p}]: pam_unix(cron:session): session closed for user root"),
    (20, "systemd[1]: Started session-{q}.scope - Session {q} of User root."),
    (20, "systemd[1]: session-{q}.scope: Deactivated successfully."),
    (15, "pvestatd[1187]: status update time (5.{q} seconds)"),
    (10, "kernel: tap{v}i0: entered promiscuous mode"),
    (10, "kernel: vmbr0: port {n}(fwpr{v}p0) entered blocking state"),
    (10, "kernel: vmbr0: port {n}(fwpr{v}p0) entered forwarding state"),
    (10, "kernel: fwbr{v}i0: port 2(tap{v}i0) entered forwarding state"),
    (8, "kernel: audit: type=1400 audit({t}.{q}:{p}): apparmor=\"DENIED\" "
        "operation=\"mount\" class=\"mount\" info=\"failed flags match\" "
        "error=-13 profile=\"lxc-{v}_</var/lib/lxc>\" name=\"/run/systemd/unit-root/\" "
        "pid={p} comm=\"(networkd)\" srcname=\"/\" flags=\"rw, rbind\""),
    (5, "kernel: perf: interrupt took too long (2{q} > 2{n}), lowering "
        "kernel.perf_event_max_sample_rate to 79750"),
    (5, "pve-firewall[1190]: status update error: iptables_restore_cmdlist: "
        "Try `iptables-restore -h' or 'iptables-restore --help' for more information."),
    (10, "chronyd[987]: Selected source 192.168.1.{n} (2.debian.pool.ntp.org)"),
    (10, "postfix/pickup[{p}]: 4F{q}: uid=0 from=<root>"),
    (10, "smartd[1001]: Device: /dev/sda [SAT], SMART Usage Attribute: "
        "194 Temperature_Celsius changed from 6{n} to 6{v}"),
]

HANG = [
    "kernel: " + NIC + ": Detected Hardware Unit Hang:",
    "                                TDH                  <f6>",
    "                                TDT                  <1a>",
    "                                next_to_use          <1a>",
    "                                next_to_clean        <f6>",
    "                              buffer_info[next_to_clean]:",
    "                                time_stamp           <10001a2b3>",
    "                                next_to_watch        <f6>",
    "                                jiffies              <{j:x}>",
    "                                next_to_watch.status <0>",
    "                              MAC Status             <80083>",
    "                              PHY Status             <796d>",
    "                              PHY 1000BASE-T Status  <3800>",
    "                              PHY Extended Status    <3000>",
    "                              PCI Status             <10>",
]

AFTER = [
    "kernel: " + NIC + ": Reset adapter unexpectedly",
    "kernel: vmbr0: port 1(eno1) entered disabled state",
    "kernel: " + NIC + ": NIC Link is Down",
    "kernel: " + NIC + ": NIC Link is Up 1000 Mbps Full Duplex, Flow Control: None",
    "kernel: vmbr0: port 1(eno1) entered blocking state",
    "kernel: vmbr0: port 1(eno1) entered forwarding state",
]

PER_EPISODE = 4


def main():
    path, megabytes, hangs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    total = megabytes * 1000 * 1000
    rng = random.Random(7)
    weights = [w for w, _ in NOISE]
    forms = [f for _, f in NOISE]
    # Formatting each line afresh is what makes a generator slow: draw the
    # lines from a pool of a few thousand distinct ones instead.
    pool = [form.format(p=rng.randint(1000, 999999), q=rng.randint(10, 9999),
                        v=rng.randint(100, 140), n=rng.randint(1, 9),
                        t=rng.randint(1775000000, 1776000000))
            for form in rng.choices(forms, weights, k=8192)]
    episodes = max(1, (hangs + PER_EPISODE - 1) // PER_EPISODE)
    # the byte offsets at which the episodes start, evenly spread
    marks = [total * (i + 1) // (episodes + 1) for i in range(episodes)]
    t = time.mktime((2026, 4, 10, 0, 0, 0, 0, 0, -1))
    jiffies = 0x100020000
    written = 0
    left = hangs
    out = open(path, "w", encoding="ascii")
    chunk = []
    size = 0
    while written + size < total:
        t += 1
        stamp = time.strftime("%b %d %H:%M:%S ", time.localtime(t)) + HOST + " "
        if marks and written + size >= marks[0] and left > 0:
            marks.pop(0)
            for _ in range(min(PER_EPISODE, left)):
                for i, line in enumerate(HANG):
                    text = line.format(j=jiffies) if i == 8 else line
                    text = stamp + text if i == 0 else text
                    chunk.append(text)
                    size += len(text) + 1
                left -= 1
                t += 2
                jiffies += 500
                stamp = time.strftime("%b %d %H:%M:%S ", time.localtime(t)) + HOST + " "
            for line in AFTER:
                chunk.append(stamp + line)
                size += len(stamp) + len(line) + 1
            continue
        for body in rng.choices(pool, k=rng.randint(1, 40)):
            text = stamp + body
            chunk.append(text)
            size += len(text) + 1
        if size >= 4 << 20:
            out.write("\n".join(chunk) + "\n")
            written += size
            chunk, size = [], 0
    out.write("\n".join(chunk) + "\n" if chunk else "")
    out.close()
    print(hangs - left)


if __name__ == "__main__":
    main()
