#!/usr/bin/python3
"""Writes the seed corpus of fuzz_pipeline.c into native/fuzz/corpus/.

Each seed is a sequence of records: port(1) flags(1) length(2, big endian)
frame. Flags: bit 0 snapped (wire_len > len), bit 1 pre-marked mtu_rx by the
driver, bit 2 little headroom (frame starts (flags >> 3 & 15) bytes into its
buffer). The configuration the frames aim at is the one in fuzz_pipeline.c.

    /usr/bin/python3 native/fuzz/make_seeds.py
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus")

DST = bytes.fromhex("02005e100001")
SRC = bytes.fromhex("525400123456")
BCAST = b"\xff" * 6

SNAPPED, PREMARKED = 1, 2


def low_headroom(n):
    return 4 | (n & 15) << 3


def tag(tpid, vid, pcp=0, dei=0):
    return struct.pack(">HH", tpid, pcp << 13 | dei << 12 | vid)


def eth(tags=(), ethertype=0x0800, payload=b"", dst=DST, src=SRC):
    return dst + src + b"".join(tags) + struct.pack(">H", ethertype) + payload


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(">%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4_udp(n):
    data = bytes((i * 7 + 3) & 0xFF for i in range(n))
    udp = struct.pack(">HHHH", 49152, 4789, 8 + n, 0) + data
    hdr = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 28 + n, 0x1C46, 0x4000, 64, 17, 0,
                      bytes([192, 0, 2, 1]), bytes([198, 51, 100, 7]))
    hdr = hdr[:10] + struct.pack(">H", csum(hdr)) + hdr[12:]
    return hdr + udp


ARP = bytes.fromhex("0001080006040001" "525400123456c0000201" "000000000000c0000202")
LLDP = bytes.fromhex("020704525400123456" "04050565746830" "06020078" "0000")
IPV6 = bytes.fromhex("6000000000103a40" "20010db8000000000000000000000001"
                     "20010db8000000000000000000000002") + bytes.fromhex("8000000012340001") + bytes(8)
MACSEC = bytes.fromhex("2c0000000001" "5254001234560001") + bytes(range(48))


def rec(port, frame, flags=0, length=None):
    if length is None:
        length = len(frame)
    return struct.pack(">BBH", port, flags, length) + frame


SEEDS = {
    # port 0 untagged -> port 1 (whole port, MTU 100), and back with its tags as payload
    "untagged_whole_port": rec(0, eth(payload=ipv4_udp(18)))
    + rec(1, eth(payload=ipv4_udp(18)))
    + rec(1, eth([tag(0x8100, 5, 3)], payload=ipv4_udp(18)))
    + rec(6, eth([tag(0x88A8, 5, 6, 1), tag(0x8100, 6)], payload=ipv4_udp(18)))
    + rec(0, eth([tag(0x9100, 500, 2, 0), tag(0x8100, 6)], payload=ipv4_udp(18))),
    # push 1-2 (port 0 8100/100 -> port 2 8100/100+8100/200) and pop 2-1 back
    "push_pop_cloud_qinq": rec(0, eth([tag(0x8100, 100, 5, 1)], payload=ipv4_udp(40)))
    + rec(2, eth([tag(0x8100, 100, 2), tag(0x8100, 200, 6)], payload=ipv4_udp(40)))
    + rec(2, eth([tag(0x8100, 100, 1)], 0x0806, ARP + bytes(14))),
    # 802.1ad pair popped to untagged and pushed back; longest match on port 0
    "qinq_pop_push": rec(0, eth([tag(0x88A8, 300), tag(0x8100, 10, 4)], payload=ipv4_udp(30)))
    + rec(2, eth(payload=ipv4_udp(30)))
    + rec(0, eth([tag(0x88A8, 200, 1), tag(0x8100, 20, 7, 1)], payload=ipv4_udp(30)))
    + rec(0, eth([tag(0x88A8, 200, 1), tag(0x8100, 21, 7, 1)], payload=ipv4_udp(30))),
    # three tags: refused on port 0, payload on the whole port
    "three_tags": rec(0, eth([tag(0x88A8, 300), tag(0x8100, 10), tag(0x8100, 1)], payload=ipv4_udp(20)))
    + rec(1, eth([tag(0x88A8, 300), tag(0x8100, 10), tag(0x9100, 1)], payload=ipv4_udp(20))),
    # TPID mismatch, no attachment, no service, port down, unconfigured port
    "misses": rec(0, eth([tag(0x8100, 200)], payload=ipv4_udp(20)))
    + rec(0, eth([tag(0x8100, 300), tag(0x8100, 10)], payload=ipv4_udp(20)))
    + rec(0, eth([tag(0x8100, 4000)], payload=ipv4_udp(20)))
    + rec(0, eth([tag(0x9200, 400)], payload=ipv4_udp(20)))
    + rec(0, eth([tag(0x9100, 300), tag(0x8100, 10)], payload=ipv4_udp(20)))
    + rec(5, eth(payload=ipv4_udp(20)))
    + rec(7, eth([tag(0x8100, 100)], payload=ipv4_udp(20))),
    # runts, tags cut short, a snapped capture, a driver's giant
    "truncated": rec(0, eth()[:10])
    + rec(0, eth()[:13])
    + rec(0, eth([tag(0x8100, 100)])[:16])
    + rec(0, eth([tag(0x8100, 100)])[:17])
    + rec(0, eth([tag(0x88A8, 300), tag(0x8100, 10)])[:20])
    + rec(0, eth([tag(0x88A8, 300), tag(0x8100, 10)])[:21])
    + rec(0, eth(payload=ipv4_udp(40)), SNAPPED | 0x30)
    + rec(0, eth(payload=ipv4_udp(40)), PREMARKED)
    + rec(0, eth()),
    # pushing into a buffer without headroom
    "no_headroom": rec(2, eth(payload=ipv4_udp(20)), low_headroom(2))
    + rec(2, eth(payload=ipv4_udp(20)), low_headroom(8))
    + rec(0, eth([tag(0x8100, 100)], payload=ipv4_udp(20)), low_headroom(3))
    + rec(2, eth([tag(0x8100, 100), tag(0x8100, 200)], payload=ipv4_udp(20)), low_headroom(0)),
    # MTU edges: port 1 (100), port 4 (68), port 0 (1500)
    "mtu_edges": rec(0, eth(payload=bytes(100)))
    + rec(0, eth(payload=bytes(101)))
    + rec(1, eth(payload=bytes(100)))
    + rec(1, eth(payload=bytes(101)))
    + rec(4, eth([tag(0x88A8, 7)], payload=bytes(68)))
    + rec(4, eth([tag(0x88A8, 7)], payload=bytes(69)))
    + rec(0, eth([tag(0x8100, 100)], payload=ipv4_udp(1472)))
    + rec(0, eth([tag(0x8100, 100)], payload=ipv4_udp(1473))),
    # more frames for port 2 than its ring holds
    "tx_full": b"".join(rec(0, eth([tag(0x8100, 100, i % 8)], payload=ipv4_udp(10 + i))) for i in range(12)),
    # hairpin on port 4 and the one-way peer to port 0; PCP/DEI set by the config
    "hairpin_pcp": rec(4, eth([tag(0x88A8, 7, 6, 1)], payload=ipv4_udp(10)))
    + rec(4, eth(payload=ipv4_udp(10)))
    + rec(4, eth([tag(0x9200, 1, 2, 1), tag(0x9100, 2, 4, 1)], payload=ipv4_udp(10)))
    + rec(2, eth([tag(0x88A8, 7, 0, 0)], payload=ipv4_udp(10))),
    # what else a real network sends: ARP, IPv6, LLDP, MACsec, priority tags
    "real_world": rec(0, eth(ethertype=0x0806, payload=ARP + bytes(18), dst=BCAST))
    + rec(0, eth(ethertype=0x86DD, payload=IPV6))
    + rec(0, eth(ethertype=0x88CC, payload=LLDP, dst=bytes.fromhex("0180c200000e")))
    + rec(0, eth(ethertype=0x88E5, payload=MACSEC))
    + rec(0, eth([tag(0x8100, 0, 6)], payload=ipv4_udp(20)))
    + rec(2, eth([tag(0x8100, 100), tag(0x8100, 200)], 0x88E5, MACSEC)),
}


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, data in sorted(SEEDS.items()):
        with open(os.path.join(OUT, "seed-" + name), "wb") as f:
            f.write(data)
    print("wrote %d seeds to %s" % (len(SEEDS), os.path.relpath(OUT)))


if __name__ == "__main__":
    main()
