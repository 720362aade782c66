/**
 * The three paths a frame takes in the live benchmark, all veth with one
 * queue, each built from nothing and removed whole afterwards:
 *
 *   ceiling   cxb-gen [cxb-gen0] ─────────────────────────── [cxb-sink0] cxb-sink
 *   kernel    cxb-gen [cxb-gen0] ── [cxb-dut0] bridge [cxb-dut1] ── [cxb-sink0] cxb-sink
 *   cix       cxb-gen [cxb-gen0] ── [cxb-dut0]  cix   [cxb-dut1] ── [cxb-sink0] cxb-sink
 *
 * "ceiling" is the generator straight into the sink: the most this
 * generator and sink can do, the reference for the others. The veth the
 * generator sends into has GRO on in every topology (it then receives
 * through NAPI, which XDP frames from the generator need). "kernel" is
 * Linux forwarding the same frames: a bridge in the device namespace (no
 * VLAN filtering, STP off, a static FDB entry for the frames' destination).
 * "cix" is the same two device-side veths handed to `cix run` (cix.ts).
 */
import { BENCH_FRAME } from './frame';
import type { Endpoint, Net } from './netns';
import { PREFIX } from './netns';

export type TopologyId = 'ceiling' | 'kernel' | 'cix';
export const TOPOLOGIES: readonly TopologyId[] = ['ceiling', 'kernel', 'cix'];

/** How a topology is named in the report: cix with the case it runs (cases.ts). */
export function topologyLabel(id: TopologyId, caseId: string): string {
  switch (id) {
    case 'ceiling':
      return 'ceiling (generator -> sink)';
    case 'kernel':
      return 'kernel (Linux bridge)';
    case 'cix':
      return `cix (afxdp, ${caseId})`;
  }
}

export const NS_GEN = `${PREFIX}-gen`;
export const NS_DUT = `${PREFIX}-dut`;
export const NS_SINK = `${PREFIX}-sink`;
const BRIDGE = `${PREFIX}-br`;

export interface Wires {
  id: TopologyId;
  /** Where the generator sends. */
  gen: Endpoint;
  /** Where frames are counted. */
  sink: Endpoint;
  /** The device's two ports (kernel, cix): towards the generator, towards the sink. */
  dut?: { ingress: Endpoint; egress: Endpoint };
  /** What teardown deletes. */
  namespaces: string[];
}

const GEN: Endpoint = { ns: NS_GEN, ifname: `${PREFIX}-gen0` };
const SINK: Endpoint = { ns: NS_SINK, ifname: `${PREFIX}-sink0` };
const DUT_IN: Endpoint = { ns: NS_DUT, ifname: `${PREFIX}-dut0` };
const DUT_OUT: Endpoint = { ns: NS_DUT, ifname: `${PREFIX}-dut1` };

/**
 * Builds a topology, every veth at `linkMtu` when given. On failure, what was made so far is removed before the
 * error goes on; on success the caller owns the wires (teardown()).
 */
export async function build(net: Net, id: TopologyId, linkMtu?: number): Promise<Wires> {
  const w: Wires =
    id === 'ceiling'
      ? { id, gen: GEN, sink: SINK, namespaces: [NS_GEN, NS_SINK] }
      : { id, gen: GEN, sink: SINK, dut: { ingress: DUT_IN, egress: DUT_OUT }, namespaces: [NS_GEN, NS_DUT, NS_SINK] };
  const made: string[] = [];
  try {
    for (const ns of w.namespaces) {
      await net.addNetns(ns);
      made.push(ns);
    }
    if (!w.dut) {
      await net.addVeth(GEN, SINK);
    } else {
      await net.addVeth(GEN, DUT_IN);
      await net.addVeth(DUT_OUT, SINK);
    }
    // Before the bridge exists: it takes the smallest MTU of its ports.
    if (linkMtu !== undefined) for (const e of w.dut ? [GEN, DUT_IN, DUT_OUT, SINK] : [GEN, SINK]) await net.setMtu(e, linkMtu);
    await net.up(GEN);
    await net.up(SINK);
    if (id === 'kernel') {
      await net.addBridge(NS_DUT, BRIDGE, [DUT_IN.ifname, DUT_OUT.ifname], BENCH_FRAME.dstMac, DUT_OUT.ifname);
    } else if (id === 'cix') {
      // cix brings its ports up itself; up here too, so a slow start does not read as link down.
      await net.up(DUT_IN);
      await net.up(DUT_OUT);
    }
    // The generator's peer (sink or device port) takes XDP frames: NAPI on, in
    // every topology alike. Once the links are up: on this kernel, GRO turned
    // on while the veth was down left the bridge port without carrier.
    await net.setGro(w.dut ? DUT_IN : SINK);
    return w;
  } catch (e) {
    await teardown(net, { ...w, namespaces: made });
    throw e;
  }
}

/** Deletes the topology's namespaces (and with them its veths and XDP programs). Returns problems, never throws. */
export async function teardown(net: Net, w: Wires): Promise<string[]> {
  const problems: string[] = [];
  for (const ns of w.namespaces) await net.delNetns(ns).catch((e: Error) => problems.push(e.message));
  return problems;
}
