#!/usr/bin/env python3
"""watchload.py - the load side of bench/watch.sh (figures, never a test)

  reaction FIFO LOGSOCK NS DEV N
      N times: turn DEV's tso/gso/gro on (ethtool -K, in netns NS), write one
      e1000e hang record into FIFO (the daemon's --kmsg) and wait for the
      daemon's syslog line on LOGSOCK, which it sends once nfx_apply() has
      read the features back off; then check with ethtool -k that they are
      off.  Prints one "MICROSECONDS" line per event.
  flood FIFO RATE SECONDS GAP_EVERY
      RATE records a second for SECONDS, in batches every 10 ms, sequence
      numbers skipping one every GAP_EVERY records (the records "the kernel
      dropped").  Prints "records SENT gaps G elapsed_ms T".
"""
import os
import socket
import subprocess
import sys
import time

HANG = ("3,{seq},{usec},-;e1000e 0000:00:1f.6 {dev}: Detected Hardware Unit "
        "Hang:\\x0a  TDH                  <f6>\\x0a  TDT                  "
        "<2a>\\x0a  next_to_use          <2a>\\x0a  next_to_clean        "
        "<f6>\\x0a  next_to_watch.status <0>\n SUBSYSTEM=pci\n "
        "DEVICE=+pci:0000:00:1f.6\n")


def features(ns, dev):
    out = subprocess.run(["ip", "netns", "exec", ns, "ethtool", "-k", dev],
                         check=True, capture_output=True, text=True).stdout
    want = ("tcp-segmentation-offload:", "generic-segmentation-offload:",
            "generic-receive-offload:")
    return [ln.split()[1] for ln in out.splitlines()
            if ln.split() and ln.split()[0] in want]


def reaction(fifo, logsock, ns, dev, n):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(logsock)
    s.settimeout(10)
    fd = os.open(fifo, os.O_WRONLY)
    seq = 1000
    for _ in range(int(n)):
        # under the bench's rate limit, 16 actions a second, and quiet
        time.sleep(0.07)
        subprocess.run(["ip", "netns", "exec", ns, "ethtool", "-K", dev,
                        "tso", "on", "gso", "on", "gro", "on"], check=True)
        assert features(ns, dev) == ["on", "on", "on"]
        seq += 1
        rec = HANG.format(seq=seq, usec=seq * 1000000, dev=dev).encode()
        t0 = time.monotonic_ns()
        os.write(fd, rec)
        while True:
            line = s.recv(4096).decode(errors="replace")
            if " turned " in line or "could not turn" in line:
                break
        t1 = time.monotonic_ns()
        assert "read back off" in line, line
        assert features(ns, dev) == ["off", "off", "off"]
        print((t1 - t0) // 1000, flush=True)
    os.close(fd)


def flood(fifo, rate, seconds, gap_every):
    rate, seconds, gap_every = int(rate), float(seconds), int(gap_every)
    fd = os.open(fifo, os.O_WRONLY)
    per = max(1, rate // 100)
    seq, sent, gaps = 1, 0, 0
    start = time.monotonic()
    tick = start
    while time.monotonic() - start < seconds:
        batch = []
        for _ in range(per):
            if gap_every and sent and sent % gap_every == 0:
                seq += 1
                gaps += 1
            batch.append("6,%d,%d,-;usb 1-1: a record nobody acts on, "
                         "number %d\n SUBSYSTEM=usb\n" % (seq, seq, sent))
            seq += 1
            sent += 1
        os.write(fd, "".join(batch).encode())
        tick += 0.01
        delay = tick - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    elapsed = (time.monotonic() - start) * 1000
    os.close(fd)
    print("records %d gaps %d elapsed_ms %d" % (sent, gaps, elapsed))


if __name__ == "__main__":
    {"reaction": reaction, "flood": flood}[sys.argv[1]](*sys.argv[2:])
