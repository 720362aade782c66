#!/usr/bin/python3
"""Real traffic through a cix lab (network namespaces and veth pairs), built
and checked with scapy: an implementation we did not write says what the
frames on the wire must be, byte for byte.

  lab_traffic.py check  JSON   send frames of every flow once; report what arrived
  lab_traffic.py stream JSON   a paced numbered stream on one flow ("flow_id" tells streams
                               running side by side apart); report loss and gaps
  lab_traffic.py probe  JSON   ARP who-has and ICMP echo to an address from a namespace

JSON is one argument (or "-" for standard input). A flow:
  {"tx": {"netns": "/run/netns/A", "iface": "eth0"},
   "rx": {"netns": "/run/netns/B", "iface": "eth0"},
   "tags_in":  [[tpid, vid, pcp, dei], ...],    outer first; [] = untagged
   "tags_out": [[tpid, vid, pcp, dei], ...],    what must arrive
   "src": "02:..", "dst": "02:..", "count": N}
The report is one JSON object on standard output. A "stream" also prints
"started" on its own line once its sockets are open, so that the caller can
act (commit, kill) while it runs. Every loop is bounded in count and time.

Sockets are plain AF_PACKET sockets, each opened inside its namespace
(setns before socket(), so one process sends in one namespace and receives
in another). The kernel takes the outer VLAN tag off received frames into
PACKET_AUXDATA; it is put back here as libpcap does, so the frame compared
is the frame that was on the wire.
"""
import ctypes
import json
import os
import socket
import struct
import sys
import threading
import time

from scapy.all import ARP, ICMP, IP, UDP, Ether, Raw, raw
from scapy.layers.l2 import Dot1Q

CLONE_NEWNET = 0x40000000
ETH_P_ALL = 0x0003
SOL_PACKET = 263
PACKET_AUXDATA = 8
SO_RCVBUFFORCE = 33
TP_STATUS_VLAN_VALID = 0x10
TP_STATUS_VLAN_TPID_VALID = 0x40
AUX = struct.Struct("IIIHHHH")  # struct tpacket_auxdata

MARK = b"cix-lab!"
_libc = ctypes.CDLL("libc.so.6", use_errno=True)


def setns(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        if _libc.setns(fd, CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"setns {path}: {os.strerror(err)}")
    finally:
        os.close(fd)


def open_socket(end, home):
    """A raw socket on end["iface"] inside end["netns"]; the thread goes back to `home` after."""
    setns(end["netns"])
    try:
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        s.bind((end["iface"], 0))
        s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
        s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 32 << 20)
        return s
    finally:
        setns(home)


def recv_frame(s):
    """One received frame as it was on the wire (outer tag put back), or None for an outgoing one."""
    data, anc, _flags, addr = s.recvmsg(65535, socket.CMSG_SPACE(AUX.size))
    if addr[2] == socket.PACKET_OUTGOING:
        return None
    for level, kind, cdata in anc:
        if level != SOL_PACKET or kind != PACKET_AUXDATA or len(cdata) < AUX.size:
            continue
        status, _len, _snap, _mac, _net, tci, tpid = AUX.unpack(cdata[: AUX.size])
        if status & TP_STATUS_VLAN_VALID:
            if not status & TP_STATUS_VLAN_TPID_VALID:
                tpid = 0x8100
            data = data[:12] + struct.pack("!HH", tpid, tci) + data[12:]
    return data


def frame(tags, src, dst, payload):
    """Ether + tags [(tpid, vid, pcp, dei)] outer first + IPv4/UDP carrying payload, built by scapy."""
    types = [t[0] for t in tags] + [0x0800]
    pkt = Ether(src=src, dst=dst, type=types[0])
    for i, (tpid, vid, pcp, dei) in enumerate(tags):
        pkt = pkt / Dot1Q(prio=pcp, id=dei, vlan=vid, type=types[i + 1])
    return raw(pkt / IP(src="198.18.0.1", dst="198.18.0.2", ttl=64) / UDP(sport=40000, dport=40001) / Raw(payload))


def payload(flow_id, seq, size=32):
    head = MARK + struct.pack("!HI", flow_id, seq)
    return head + bytes((seq + i) & 0xFF for i in range(max(0, size - len(head))))


def mark_of(data):
    """(flow id, seq) of one of our frames, wherever its tags put the payload; None for other traffic."""
    at = data.find(MARK)
    if at < 0 or len(data) < at + len(MARK) + 6:
        return None
    return struct.unpack("!HI", data[at + len(MARK): at + len(MARK) + 6])


class Receiver(threading.Thread):
    """Collects our frames from one socket until stopped; remembers when each arrived."""

    def __init__(self, sock):
        super().__init__(daemon=True)
        self.sock = sock
        self.sock.settimeout(0.05)
        self.frames = {}  # (flow, seq) -> (bytes, monotonic time), first copy
        self.dups = 0
        self.stop_at = None

    def run(self):
        while self.stop_at is None or time.monotonic() < self.stop_at:
            try:
                data = recv_frame(self.sock)
            except socket.timeout:
                continue
            if data is None:
                continue
            key = mark_of(data)
            if key is None:
                continue
            if key in self.frames:
                self.dups += 1
            else:
                self.frames[key] = (data, time.monotonic())

    def finish(self, linger):
        self.stop_at = time.monotonic() + linger
        self.join(linger + 5)


def describe(data):
    try:
        return Ether(data).summary()
    except Exception:  # a frame scapy cannot dissect is still reported
        return data.hex()


def check(spec, home):
    """Every flow's frames once; which arrived, which were byte-equal to what scapy expects."""
    flows = spec["flows"]
    rx_socks, receivers = {}, {}
    for f in flows:
        key = (f["rx"]["netns"], f["rx"]["iface"])
        if key not in rx_socks:
            rx_socks[key] = open_socket(f["rx"], home)
            receivers[key] = Receiver(rx_socks[key])
            receivers[key].start()
    tx_socks = {}
    expected = {}
    for fid, f in enumerate(flows):
        key = (f["tx"]["netns"], f["tx"]["iface"])
        if key not in tx_socks:
            tx_socks[key] = open_socket(f["tx"], home)
        for seq in range(f.get("count", 1)):
            p = payload(fid, seq, f.get("size", 32))
            tx_socks[key].send(frame(f["tags_in"], f["src"], f["dst"], p))
            expected[(fid, seq)] = frame(f["tags_out"], f["src"], f["dst"], p)
            time.sleep(0.002)
    for r in receivers.values():
        r.finish(spec.get("linger", 1.0))
    report = []
    for fid, f in enumerate(flows):
        got = receivers[(f["rx"]["netns"], f["rx"]["iface"])].frames
        seqs = range(f.get("count", 1))
        arrived = [s for s in seqs if (fid, s) in got]
        bad = [s for s in arrived if got[(fid, s)][0] != expected[(fid, s)]]
        report.append({
            "name": f.get("name", str(fid)),
            "sent": len(seqs),
            "received": len(arrived),
            "equal": len(arrived) - len(bad),
            "mismatches": [{"expected": describe(expected[(fid, s)]), "got": describe(got[(fid, s)][0]),
                            "expected_hex": expected[(fid, s)].hex(), "got_hex": got[(fid, s)][0].hex()}
                           for s in bad[:3]],
        })
    # Frames that crossed to a socket they were not meant for.
    strays = []
    for key, r in receivers.items():
        for (fid, seq) in r.frames:
            f = flows[fid] if fid < len(flows) else None
            if f is None or (f["rx"]["netns"], f["rx"]["iface"]) != key:
                strays.append({"flow": fid, "seq": seq, "at": list(key)})
    return {"flows": report, "strays": strays[:10]}


def stream(spec, home):
    """A numbered stream at a fixed rate; loss, byte equality and the longest silence at the receiver."""
    f = spec["flow"]
    fid = int(spec.get("flow_id", 0))  # streams running side by side need their own ids
    count, rate = int(spec["count"]), float(spec["rate"])
    rx = open_socket(f["rx"], home)
    tx = open_socket(f["tx"], home)
    receiver = Receiver(rx)
    receiver.start()
    print("started", flush=True)
    start = time.monotonic()
    deadline = start + count / rate + 30  # bounded even if sends stall
    sent_at = {}
    for seq in range(count):
        due = start + seq / rate
        now = time.monotonic()
        if now > deadline:
            break
        if due > now:
            time.sleep(due - now)
        tx.send(frame(f["tags_in"], f["src"], f["dst"], payload(fid, seq, f.get("size", 32))))
        sent_at[seq] = time.monotonic()
    receiver.finish(spec.get("linger", 1.0))
    got = receiver.frames
    arrived = sorted(s for (f_id, s) in got if f_id == fid)
    bad = [s for s in arrived if got[(fid, s)][0] != frame(f["tags_out"], f["src"], f["dst"], payload(fid, s, f.get("size", 32)))]
    times = [got[(fid, s)][1] for s in arrived]
    gaps = [b - a for a, b in zip(times, times[1:])]
    lost = [s for s in range(len(sent_at)) if (fid, s) not in got]
    return {
        "sent": len(sent_at),
        "received": len(arrived),
        "equal": len(arrived) - len(bad),
        "duplicates": receiver.dups,
        "lost_first": lost[:20],
        "lost": len(lost),
        "max_gap_s": max(gaps) if gaps else None,
        "send_s": (max(sent_at.values()) - start) if sent_at else 0,
        "mismatch": describe(got[(fid, bad[0])][0]) if bad else None,
    }


def probe(spec, home):
    """ARP who-has and ICMP echo from spec["from"] to spec["target"]: does the kernel behind cix answer?"""
    end = spec["from"]
    s = open_socket(end, home)
    s.settimeout(0.2)
    mac = ":".join(f"{b:02x}" for b in s.getsockname()[4][:6])
    result = {"arp": None, "ping": 0}
    req = raw(Ether(src=mac, dst="ff:ff:ff:ff:ff:ff") / ARP(op=1, hwsrc=mac, psrc=spec["src_ip"], pdst=spec["target"]))
    deadline = time.monotonic() + spec.get("timeout", 3.0)
    for _ in range(3):
        s.send(req)
        until = min(deadline, time.monotonic() + 1.0)
        while result["arp"] is None and time.monotonic() < until:
            try:
                data = recv_frame(s)
            except socket.timeout:
                continue
            if data is None:
                continue
            p = Ether(data)
            if ARP in p and p[ARP].op == 2 and p[ARP].psrc == spec["target"] and p[ARP].pdst == spec["src_ip"]:
                result["arp"] = p[ARP].hwsrc
        if result["arp"] is not None:
            break
    if result["arp"] is None:
        return result
    for seq in range(spec.get("pings", 3)):
        echo = raw(Ether(src=mac, dst=result["arp"]) / IP(src=spec["src_ip"], dst=spec["target"]) /
                   ICMP(type=8, id=0x4358, seq=seq) / Raw(MARK))
        s.send(echo)
        until = time.monotonic() + 1.0
        while time.monotonic() < until:
            try:
                data = recv_frame(s)
            except socket.timeout:
                continue
            if data is None:
                continue
            p = Ether(data)
            if ICMP in p and p[ICMP].type == 0 and p[ICMP].id == 0x4358 and p[ICMP].seq == seq and p[IP].src == spec["target"]:
                result["ping"] += 1
                break
    return result


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("check", "stream", "probe"):
        sys.stderr.write(__doc__)
        return 2
    text = sys.stdin.read() if sys.argv[2] == "-" else sys.argv[2]
    spec = json.loads(text)
    home_fd = os.open("/proc/self/ns/net", os.O_RDONLY)
    home = f"/proc/self/fd/{home_fd}"
    result = {"check": check, "stream": stream, "probe": probe}[sys.argv[1]](spec, home)
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
