#!/usr/bin/python3
"""Real frames through a running cix, built, sent, received and checked with scapy.

One process does both ends: it opens the receiving socket inside the
receiver's network namespace first, then the sending socket inside the
sender's, so nothing sent can be missed for want of a listener (setns(2)
per socket; a packet socket stays in the namespace it was made in).

  live_traffic.py exchange SPEC.json   send each case's frames, expect them out
                                       with the case's tags, byte for byte
  live_traffic.py stream SPEC.json     send `count` frames at a steady pace,
                                       count what arrives (and check each)

SPEC: {"tx": [netns, ifname], "rx": [netns, ifname], "timeout": seconds,
       "cases": [{"send": TAGS, "expect": TAGS, "count": n, "size": payload bytes}],
       "pps": frames per second (stream), "count": n (stream)}
TAGS: [[tpid, vid, pcp, dei], ...] outer first.

Prints one JSON object: {"sent": n, "received": n, "bad": [first few problems],
"duplicates": n, "missing": [first few seq numbers]}.
"""
import ctypes
import json
import os
import select
import socket
import struct
import sys
import time

from scapy.all import IP, UDP, Dot1Q, Ether, Raw, raw
from scapy.arch.linux import L2ListenSocket, L2Socket

CLONE_NEWNET = 0x40000000
SO_RCVBUFFORCE = 33
SRC, DST = "02:63:78:77:00:01", "02:63:78:77:00:02"
MAGIC = b"cxw-live"
libc = ctypes.CDLL("libc.so.6", use_errno=True)


def enter_netns(name):
    fd = os.open(f"/run/netns/{name}", os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"setns {name}: {os.strerror(err)}")
    finally:
        os.close(fd)


def frame(tags, seq, size, case):
    """Ether + tags + IPv4/UDP whose payload carries MAGIC, the case and the sequence number."""
    body = MAGIC + struct.pack("!HI", case, seq)
    body += bytes((seq * 7 + i) & 0xFF for i in range(max(0, size - len(body))))
    types = [t[0] for t in tags] + [0x0800]
    pkt = Ether(src=SRC, dst=DST, type=types[0])
    for i, (_tpid, vid, pcp, dei) in enumerate(tags):
        pkt = pkt / Dot1Q(prio=pcp, id=dei, vlan=vid, type=types[i + 1])
    return raw(pkt / IP(src="198.51.100.1", dst="198.51.100.2") / UDP(sport=40000, dport=9) / Raw(body))


def decode_tags(data):
    """Tags as scapy reads them: [(tpid, vid, pcp, dei)] and what follows them."""
    pkt = Ether(data)
    tags, tpid, layer = [], pkt.type, pkt.payload
    while tpid in (0x8100, 0x88A8, 0x9100, 0x9200):
        q = Dot1Q(raw(layer))
        tags.append([tpid, q.vlan, q.prio, q.id])
        tpid, layer = q.type, q.payload
    return tags


def marker(data):
    """(case, seq) of one of our frames, or None."""
    at = data.find(MAGIC)
    if at < 0 or at + len(MAGIC) + 6 > len(data):
        return None
    return struct.unpack("!HI", data[at + len(MAGIC): at + len(MAGIC) + 6])


class Receiver:
    def __init__(self, netns, ifname):
        enter_netns(netns)
        self.sock = L2ListenSocket(iface=ifname)
        # Room for a whole exchange sent at once (root may exceed rmem_max).
        self.sock.ins.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 8 << 20)
        self.got = {}
        self.duplicates = 0
        self.bad = []

    def poll(self, expected, wait):
        """Reads every frame that arrives within `wait` seconds."""
        deadline = time.time() + wait
        while True:
            left = deadline - time.time()
            r, _, _ = select.select([self.sock.ins], [], [], max(0.0, left))
            if not r:
                return
            _cls, data, _ts = self.sock.recv_raw(65535)
            if data is None:
                continue
            key = marker(data)
            if key is None:
                continue
            if key in self.got:
                self.duplicates += 1
                continue
            self.got[key] = data
            want = expected.get(key)
            if want is None:
                self.note(f"case {key[0]} seq {key[1]}: not sent")
            elif data != want:
                self.note(f"case {key[0]} seq {key[1]}: got {data.hex()} tags {decode_tags(data)}, "
                          f"want {want.hex()} tags {decode_tags(want)}")

    def note(self, what):
        if len(self.bad) < 5:
            self.bad.append(what)


def run(spec, mode):
    cases = spec["cases"]
    rx = Receiver(*spec["rx"])
    enter_netns(spec["tx"][0])
    tx = L2Socket(iface=spec["tx"][1])
    frames, expected = [], {}
    if mode == "exchange":
        for c, case in enumerate(cases):
            for seq in range(case.get("count", 1)):
                frames.append(frame(case["send"], seq, case.get("size", 64), c))
                expected[(c, seq)] = frame(case["expect"], seq, case.get("size", 64), c)
        for f in frames:
            tx.send(f)
        deadline = time.time() + spec.get("timeout", 5)
        while len(rx.got) < len(frames) and time.time() < deadline:
            rx.poll(expected, 0.05)
    else:
        case = cases[0]
        count, pps = spec["count"], spec["pps"]
        for seq in range(count):
            expected[(0, seq)] = frame(case["expect"], seq, case.get("size", 64), 0)
        start = time.time()
        for seq in range(count):
            tx.send(frame(case["send"], seq, case.get("size", 64), 0))
            frames.append(seq)
            # Paced: frame seq leaves at start + seq / pps; read meanwhile.
            lag = start + (seq + 1) / pps - time.time()
            if lag > 0:
                rx.poll(expected, lag)
        deadline = time.time() + spec.get("timeout", 5)
        while len(rx.got) < count and time.time() < deadline:
            rx.poll(expected, 0.05)
    rx.poll(expected, 0.2)  # late duplicates would show here
    missing = sorted(k[1] for k in expected if k not in rx.got)
    return {
        "sent": len(frames),
        "received": len(rx.got),
        "bad": rx.bad,
        "duplicates": rx.duplicates,
        "missing": missing[:10],
    }


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("exchange", "stream"):
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[2]) as f:
        spec = json.load(f)
    print(json.dumps(run(spec, sys.argv[1])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
