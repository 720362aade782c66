#!/usr/bin/python3
"""Frames for the replay end-to-end test, built and checked with scapy.

  e2e_frames.py make DIR        write DIR/{a.pcapng,b.pcap,c.pcap,w.pcap} and DIR/expected.json
  e2e_frames.py check DIR OUT   compare OUT/<port>.pcap with what scapy expects; print a JSON report

The attachments below mirror test/fixtures/e2e.yaml. For every frame sent,
scapy builds the frame that must come out of the other side (tags swapped as
configured, PCP/DEI kept or set, payload untouched); check compares cix's
output with it byte for byte and decodes each output frame's tags with scapy.
"""
import json
import os
import struct
import sys
from decimal import Decimal

from scapy.all import IP, UDP, Dot1AD, Dot1Q, Ether, Raw, raw, wrpcap
from scapy.utils import PcapReader

# name: (port, [(tpid, vid, pcp or None = keep, dei or None = keep)], kind)
ATT = {
    "a10": ("a", [(0x8100, 10, None, None)], "vlan"),
    "b100": ("b", [(0x88A8, 100, None, None), (0x8100, 10, None, None)], "vlan"),
    "a300": ("a", [(0x88A8, 300, None, None), (0x8100, 20, None, None)], "vlan"),
    "b301": ("b", [(0x8100, 301, None, None), (0x8100, 21, None, None)], "vlan"),
    "a30": ("a", [(0x8100, 30, None, None)], "vlan"),
    "b31": ("b", [(0x9100, 31, 5, None)], "vlan"),
    "c-untagged": ("c", [], "untagged"),
    "b40": ("b", [(0x8100, 40, None, None)], "vlan"),
    "w-all": ("w", [], "whole"),
    "b50": ("b", [(0x88A8, 50, None, 1), (0x8100, 51, None, None)], "vlan"),
    "a60": ("a", [(0x9200, 60, None, None), (0x8100, 61, None, None)], "vlan"),
    "b62": ("b", [(0x8100, 62, None, None)], "vlan"),
    "a70": ("a", [(0x88A8, 70, None, None)], "vlan"),
    "b71": ("b", [(0x88A8, 71, None, None)], "vlan"),
}
PEER = {}
for x, y in [("a10", "b100"), ("a300", "b301"), ("a30", "b31"), ("c-untagged", "b40"),
             ("w-all", "b50"), ("a60", "b62"), ("a70", "b71")]:
    PEER[x], PEER[y] = y, x

PORTS = ["a", "b", "c", "w"]
T0_NS = 1_700_000_000_123_456_789
SRC, DST = "02:00:5e:00:53:01", "02:00:5e:00:53:02"


def tagged(tags, inner, src=SRC, dst=DST):
    """Ether + tags [(tpid, vid, pcp, dei)] + inner (an scapy payload or bytes starting at the ethertype)."""
    if isinstance(inner, bytes):
        ethertype, body = struct.unpack("!H", inner[:2])[0], inner[2:]
    else:
        ethertype, body = 0x0800, raw(inner)
    types = [t[0] for t in tags] + [ethertype]
    pkt = Ether(src=src, dst=dst, type=types[0])
    for i, (tpid, vid, pcp, dei) in enumerate(tags):
        pkt = pkt / Dot1Q(prio=pcp, id=dei, vlan=vid, type=types[i + 1])
    return raw(pkt / Raw(body)) if body else raw(pkt)


def tags_of(frame):
    """[(tpid, vid, pcp, dei)] of the leading tags."""
    tags, off = [], 12
    while struct.unpack("!H", frame[off:off + 2])[0] in (0x8100, 0x88A8, 0x9100, 0x9200):
        tpid, tci = struct.unpack("!HH", frame[off:off + 4])
        tags.append((tpid, tci & 0xFFF, tci >> 13, (tci >> 12) & 1))
        off += 4
    return tags


def payload(seq, size=64):
    """An IPv4/UDP datagram whose bytes say which frame it is."""
    fill = (b"cix-e2e-%06d-" % seq) * (size // 15 + 1)
    return IP(src="192.0.2.1", dst="198.51.100.1", id=seq & 0xFFFF) / UDP(sport=4000, dport=5000) / Raw(fill[:size])


def expected_out(frame, ingress):
    """What must leave the peer of `ingress` for `frame`, built independently of cix."""
    _, itags, kind = ATT[ingress]
    egress = PEER[ingress]
    _, etags, _ = ATT[egress]
    depth = 0 if kind in ("untagged", "whole") else len(itags)
    ftags = tags_of(frame)
    if kind == "untagged" and len(ftags) == 1 and ftags[0][:2] == (0x8100, 0):
        depth = 1  # IEEE 802.1Q: a priority-tagged frame is the untagged attachment's; its tag goes
    present = []
    off = 12
    while len(present) < 2 and struct.unpack("!H", frame[off:off + 2])[0] in (0x8100, 0x88A8, 0x9100, 0x9200):
        tci = struct.unpack("!H", frame[off + 2:off + 4])[0]
        present.append((tci >> 13, (tci >> 12) & 1))
        off += 4
    if depth:
        cust = present[depth - 1]
    else:
        cust = present[0] if present else (0, 0)
    rest = frame[12 + 4 * depth:]
    out_tags = [(tpid, vid, cust[0] if pcp is None else pcp, cust[1] if dei is None else dei)
                for tpid, vid, pcp, dei in etags]
    return tagged(out_tags, rest, src=frame[6:12].hex(":"), dst=frame[0:6].hex(":")) if out_tags else frame[:12] + rest


def build():
    """(port, frame bytes, wire length, expected (port, bytes) or drop reason) in send order."""
    sends = []
    seq = 0

    def good(att, tags, size=64, inner=None):
        nonlocal seq
        seq += 1
        frame = tagged(tags, inner if inner is not None else payload(seq, size))
        sends.append((ATT[att][0], frame, len(frame), (ATT[PEER[att]][0], expected_out(frame, att))))

    def bad(port, frame, reason, wire_len=None):
        sends.append((port, frame, wire_len or len(frame), reason))

    for rnd in range(3):
        p = rnd % 8
        good("a10", [(0x8100, 10, p, rnd & 1)])                        # push 1->2
        good("b100", [(0x88A8, 100, 1, 0), (0x8100, 10, p, 0)])        # pop 2->1
        good("a300", [(0x88A8, 300, 0, 0), (0x8100, 20, 6, 1)])        # translate 2-2
        good("b301", [(0x8100, 301, 2, 0), (0x8100, 21, p, 0)])
        good("a30", [(0x8100, 30, 7, 0)])                              # translate 1-1, pcp set
        good("b31", [(0x9100, 31, 4, 1)])
        good("c-untagged", [])                                         # push 0->1
        good("c-untagged", [(0x8100, 0, 6, 1)])                        # priority-tagged: swap 1->1, PCP kept
        good("b40", [(0x8100, 40, 3, 0)])                              # pop 1->0
        good("w-all", [])                                              # push 0->2
        good("w-all", [(0x8100, 7, 5, 0)])                             # customer tag rides along
        good("w-all", [(0x88A8, 8, 1, 0), (0x8100, 9, 2, 0), (0x8100, 10, 3, 0)])  # even three
        good("b50", [(0x88A8, 50, 6, 1), (0x8100, 51, 6, 0)])          # pop 2->0
        good("a60", [(0x9200, 60, 1, 0), (0x8100, 61, 4, 0)])          # translate 2-1
        good("b62", [(0x8100, 62, 2, 1)])                              # 1-2
        good("a70", [(0x88A8, 70, 3, 0), (0x8100, 1234, 0, 0)])        # outer only, C-tag payload
        good("a70", [(0x88A8, 70, 3, 0)])
        good("b71", [(0x88A8, 71, 5, 0), (0x8100, 4000, 1, 0)])
    good("a10", [(0x8100, 10, 0, 0)], size=1500 - 28)   # payload exactly the egress MTU
    good("a10", [(0x8100, 10, 0, 0)], size=8000)        # jumbo within port a's MTU... dropped at b
    sends[-1] = sends[-1][:3] + ("mtu_tx",)
    good("a10", [(0x8100, 10, 0, 0)], size=9000 - 28)   # exactly port a's MTU: in, then too big for b
    sends[-1] = sends[-1][:3] + ("mtu_tx",)

    ok = tagged([(0x8100, 10, 0, 0)], payload(999))
    bad("a", ok[:10], "truncated")                                          # runt
    bad("a", ok[:15], "truncated")                                          # ends inside the tag
    bad("a", ok[:60], "truncated", wire_len=len(ok))                        # snapped by the capture
    bad("a", tagged([(0x88A8, 300, 0, 0), (0x8100, 20, 0, 0), (0x8100, 5, 0, 0)], payload(1)), "too_many_tags")
    bad("a", tagged([(0x9100, 10, 0, 0)], payload(2)), "tpid_mismatch")     # VID 10 is 0x8100 here
    bad("a", tagged([(0x8100, 999, 0, 0)], payload(3)), "no_attachment")
    bad("a", tagged([], payload(4)), "no_attachment")                       # no untagged attachment on a
    bad("c", tagged([(0x8100, 40, 0, 0)], payload(5)), "no_attachment")     # c takes untagged only
    bad("a", tagged([(0x8100, 90, 0, 0)], payload(6)), "no_service")
    bad("a", tagged([(0x8100, 10, 0, 0)], payload(7, 9001 - 28)), "mtu_rx")  # one over port a's MTU
    bad("a", tagged([(0x8100, 10, 0, 0)], payload(8, 12000)), "mtu_rx")      # larger than any buffer
    return sends


def write_pcapng(path, records):
    """A minimal pcapng: section header, one Ethernet interface, enhanced packet blocks."""
    def block(btype, body):
        body += b"\0" * (-len(body) % 4)
        n = 12 + len(body)
        return struct.pack("<II", btype, n) + body + struct.pack("<I", n)
    out = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    out += block(0x00000001, struct.pack("<HHI", 1, 0, 0) + struct.pack("<HHB3x", 9, 1, 9) + struct.pack("<HH", 0, 0))  # if_tsresol=9: ns
    for ts, frame, wire_len in records:
        out += block(0x00000006, struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, len(frame), wire_len) + frame)
    with open(path, "wb") as f:
        f.write(out)


def write_pcap(path, records):
    """Classic pcap with nanosecond timestamps (magic a1b23c4d)."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 262144, 1))
        for ts, frame, wire_len in records:
            f.write(struct.pack("<IIII", ts // 10**9, ts % 10**9, len(frame), wire_len) + frame)


def make(d):
    sends = build()
    per_port = {p: [] for p in PORTS}
    outputs = {p: [] for p in PORTS}
    drops = {}
    for i, (port, frame, wire_len, fate) in enumerate(sends):
        # Ports take turns in time; the replay must merge them in this order.
        ts = T0_NS + i * 1_000_003
        per_port[port].append((ts, frame, wire_len))
        if isinstance(fate, str):
            drops[fate] = drops.get(fate, 0) + 1
        else:
            outputs[fate[0]].append({"ts": ts, "hex": fate[1].hex()})
    write_pcapng(os.path.join(d, "a.pcapng"), per_port["a"])
    for p in ("b", "c"):
        write_pcap(os.path.join(d, p + ".pcap"), per_port[p])
    # w through scapy's own writer (microsecond pcap): the driver reads both precisions.
    w_pkts = []
    for ts, f, _ in per_port["w"]:
        pkt = Ether(f)
        pkt.time = Decimal(ts) / Decimal(10**9)
        w_pkts.append(pkt)
    wrpcap(os.path.join(d, "w.pcap"), w_pkts)
    with open(os.path.join(d, "expected.json"), "w") as f:
        json.dump({"outputs": outputs, "drops": drops, "rx": {p: len(per_port[p]) for p in PORTS}}, f, indent=1)


def check(d, out):
    exp = json.load(open(os.path.join(d, "expected.json")))
    errors = []
    counts = {}
    for port, frames in exp["outputs"].items():
        got = []
        with PcapReader(os.path.join(out, port + ".pcap")) as r:
            for pkt in r:
                got.append((int(pkt.time * 10**9), raw(pkt)))
        counts[port] = len(got)
        if len(got) != len(frames):
            errors.append(f"{port}: {len(got)} frames out, expected {len(frames)}")
        for i, (want, (ts, data)) in enumerate(zip(frames, got)):
            if data.hex() != want["hex"]:
                errors.append(f"{port} frame {i + 1}: bytes differ\n  got  {data.hex()}\n  want {want['hex']}")
            # Frames from w were written with microsecond stamps; others keep nanoseconds.
            if abs(ts - want["ts"]) >= 1000:
                errors.append(f"{port} frame {i + 1}: time {ts}, expected {want['ts']}")
            # Decode with scapy: every tag is a Dot1Q layer with the TPID the frame says.
            # (scapy binds 0x8100 and 0x88a8 to its Dot1Q/Dot1AD layers; not 0x9100/0x9200.)
            e = Ether(data)
            if e.type in (0x8100, 0x88A8) and not (e.haslayer(Dot1Q) or e.haslayer(Dot1AD)):
                errors.append(f"{port} frame {i + 1}: scapy finds no VLAN tag")
            want_tags = tags_of(bytes.fromhex(want["hex"]))
            got_tags = []
            layer = e.payload
            while isinstance(layer, (Dot1Q, Dot1AD)) and len(got_tags) < len(want_tags):
                got_tags.append((layer.vlan, layer.prio, layer.id))
                layer = layer.payload
            scapy_view = [t[1:] for t in want_tags if t[0] in (0x8100, 0x88A8)]
            if want_tags and want_tags[0][0] in (0x8100, 0x88A8) and got_tags[:len(scapy_view)] != scapy_view[:len(got_tags)]:
                errors.append(f"{port} frame {i + 1}: scapy decodes tags {got_tags}, expected {scapy_view}")
    print(json.dumps({"ok": not errors, "errors": errors[:20], "counts": counts}))


if __name__ == "__main__":
    if sys.argv[1:2] == ["make"] and len(sys.argv) == 3:
        make(sys.argv[2])
    elif sys.argv[1:2] == ["check"] and len(sys.argv) == 4:
        check(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
