/**
 * The tables plan: what the control side hands the fast path for one epoch.
 * Built from a validated configuration (src/dataplane/plan.ts); ids are dense
 * indices the fast path uses for tables and counters.
 */

/** How an attachment finds its frames (mirrors enum cix_match_kind in native/src/core/tables.h). */
export enum MatchKind {
  Untagged = 0,
  Outer = 1,
  OuterInner = 2,
  WholePort = 3,
}

/** -1 in pcp/dei: copy the bits from the customer tag. */
export const KEEP = -1;

export interface TagPlan {
  tpid: number;
  vid: number;
  pcp: number;
  dei: number;
}

export interface PortPlan {
  id: number;
  name: string;
  mtu: number;
}

export interface AttachmentPlan {
  id: number;
  name: string;
  port: number;
  kind: MatchKind;
  /** Outer first; length 0 (untagged, whole port), 1 (outer) or 2 (outer+inner). */
  tags: TagPlan[];
  /** Egress attachment id of its service, or -1 when it is in none. */
  peer: number;
}

export interface TablesPlan {
  ports: PortPlan[];
  attachments: AttachmentPlan[];
}
