import type { ConnectionSnapshot, EndpointSnapshot } from '../track/connection-view.js';
import type { RstEvent } from '../track/evidence.js';
import type { Judgement, Thresholds } from './judgement.js';

/**
 * What every verdict rule sees of one connection: the tracker's view of it, the roles, how long it was
 * observed, the thresholds, and the RSTs of its latest incarnation. Made once per judged connection
 * (and reused: a rule reads it during the call only).
 */
export interface Case {
  conn: ConnectionSnapshot;
  client: EndpointSnapshot;
  server: EndpointSnapshot;
  clientDir: number;
  serverDir: number;
  /** Time (relative to the connection's first second) up to which it was observed: the capture's end. */
  horizon: number;
  thresholds: Thresholds;
  /** The capture looks one-directional (nothing seen both ways, some connection with ACKs). */
  oneWayCapture: boolean;
  /** RSTs since the connection last (re)opened, in capture order. */
  resets: RstEvent[];
  /** The RST that ended it (see decisiveReset), or null. */
  decisive: RstEvent | null;
}

/** A verdict rule: decides the connection (filling the judgement) and answers true, or answers false. */
export type VerdictRule = (c: Case, out: Judgement) => boolean;
