#!/usr/bin/python3
"""Writes the sample captures the demo replays through examples/qinq-xconnect.yaml.

  /usr/bin/python3 examples/captures/make_captures.py

Deterministic (fixed times and addresses), so the committed files can be
made again byte for byte. Traffic as the three customers would send it, both
ways, plus the kinds of frames a real network throws at an edge box: an
unknown VLAN, a third tag, a tag with the wrong TPID, a runt, a jumbo the
customer port cannot take.
"""
import os
from decimal import Decimal

from scapy.all import ARP, ICMP, IP, TCP, UDP, Dot1AD, Dot1Q, Ether, Raw, wrpcap

HERE = os.path.dirname(os.path.abspath(__file__))
T0 = Decimal("1763971200.000000")  # 2025-11-24 08:00:00 UTC

CUST_A, CLOUD_A = "02:00:00:0a:00:01", "02:00:00:0a:00:02"
CUST_B, CLOUD_B = "02:00:00:0b:00:01", "02:00:00:0b:00:02"
CUST_C, CLOUD_C = "02:00:00:0c:00:01", "02:00:00:0c:00:02"


def a_cust(body, prio=0):
    return Ether(src=CUST_A, dst=CLOUD_A) / Dot1Q(vlan=200, prio=prio) / body


def a_cloud(body, prio=0):
    return Ether(src=CLOUD_A, dst=CUST_A) / Dot1AD(vlan=100, prio=prio) / Dot1Q(vlan=200, prio=prio) / body


def b_cust(body, prio=0):
    return Ether(src=CUST_B, dst=CLOUD_B) / Dot1AD(vlan=300) / Dot1Q(vlan=10, prio=prio) / body


def b_cloud(body, prio=0):
    return Ether(src=CLOUD_B, dst=CUST_B, type=0x8100) / Dot1Q(vlan=400, type=0x8100) / Dot1Q(vlan=20, prio=prio) / body


def c_cust(body):
    return Ether(src=CUST_C, dst=CLOUD_C) / body


def c_cloud(body):
    return Ether(src=CLOUD_C, dst=CUST_C) / Dot1Q(vlan=500) / body


def main():
    out = {"cust0": [], "cust1": [], "cloud0": []}
    t = [T0]

    def send(port, pkt, gap="0.000250"):
        t[0] += Decimal(gap)
        pkt.time = t[0]
        out[port].append(pkt)

    # Customer A: ARP, then a ping, then a TCP exchange in the voice class (PCP 5).
    send("cust0", a_cust(ARP(op=1, hwsrc=CUST_A, psrc="10.1.0.1", pdst="10.1.0.2")))
    send("cloud0", a_cloud(ARP(op=2, hwsrc=CLOUD_A, psrc="10.1.0.2", hwdst=CUST_A, pdst="10.1.0.1")))
    for i in range(3):
        send("cust0", a_cust(IP(src="10.1.0.1", dst="10.1.0.2") / ICMP(id=1, seq=i) / Raw(b"ping" * 8)))
        send("cloud0", a_cloud(IP(src="10.1.0.2", dst="10.1.0.1") / ICMP(type=0, id=1, seq=i) / Raw(b"ping" * 8)))
    for i in range(4):
        send("cust0", a_cust(IP(src="10.1.0.1", dst="10.1.0.2") / TCP(sport=5060, dport=5060, seq=i * 100, flags="PA") / Raw(b"INVITE" * 10), prio=5))
        send("cloud0", a_cloud(IP(src="10.1.0.2", dst="10.1.0.1") / TCP(sport=5060, dport=5060, ack=i * 100 + 60, flags="A"), prio=5))

    # Customer B: Q-in-Q both sides, UDP bulk with 1400-byte payloads.
    for i in range(5):
        send("cust0", b_cust(IP(src="172.16.0.1", dst="172.16.0.2") / UDP(sport=40000 + i, dport=9000) / Raw(bytes([i]) * 1400), prio=1))
        send("cloud0", b_cloud(IP(src="172.16.0.2", dst="172.16.0.1") / UDP(sport=9000, dport=40000 + i) / Raw(b"ok"), prio=1))

    # Customer C: untagged port.
    for i in range(3):
        send("cust1", c_cust(IP(src="192.168.50.10", dst="192.168.50.1") / UDP(sport=123, dport=123) / Raw(b"\x23" + b"\0" * 47)))
        send("cloud0", c_cloud(IP(src="192.168.50.1", dst="192.168.50.10") / UDP(sport=123, dport=123) / Raw(b"\x24" + b"\0" * 47)))

    # What a real network also sends.
    send("cust0", Ether(src=CUST_A, dst=CLOUD_A) / Dot1Q(vlan=999) / IP() / UDP())              # no_attachment
    send("cust0", Ether(src=CUST_B, dst=CLOUD_B) / Dot1AD(vlan=300) / Dot1Q(vlan=10) / Dot1Q(vlan=7) / IP() / UDP())  # too_many_tags
    send("cust0", Ether(src=CUST_A, dst=CLOUD_A, type=0x9100) / Dot1Q(vlan=200) / IP() / UDP())  # tpid_mismatch
    send("cust0", Ether(bytes(a_cust(IP() / UDP()))[:16]))                                       # truncated
    send("cust1", c_cust(IP() / UDP()) / Dot1Q(vlan=5))                                          # fine: trailing bytes are payload
    send("cust1", Ether(src=CUST_C, dst=CLOUD_C) / Dot1Q(vlan=9) / IP() / UDP())                 # no_attachment: cust1 is untagged only
    send("cloud0", a_cloud(IP(src="10.1.0.2", dst="10.1.0.1") / UDP() / Raw(b"J" * 8000)))       # mtu_tx: cust0 takes 1500

    for port, pkts in out.items():
        wrpcap(os.path.join(HERE, port + ".pcap"), pkts)


if __name__ == "__main__":
    main()
