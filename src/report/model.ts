import type { CaptureFacts } from '../engine/capture-facts.js';
import type { ConnectionRecord, Verdict } from '../verdict/types.js';

export type { CaptureFacts };
export type { HostReport, TimeWaitPressureReport, TimeWaitReuseReport } from './host-report.js';
import type { HostReport, TimeWaitPressureReport, TimeWaitReuseReport } from './host-report.js';

export interface Summary {
  captures: number;
  /**
   * Files inside input directories that are not captures (by their magic bytes) and were skipped. Always
   * set by analyze() (0 when nothing was skipped); optional only for reports made before it was added.
   */
  skippedFiles?: number;
  connections: number;
  /** Connections whose verdict is a finding. */
  findings: number;
  verdicts: Record<Verdict, number>;
  /**
   * Close-waits counted here but not listed in `connections` because they were stuck for less than
   * --min-stuck (minStuckSeconds). Always set by analyze() (0 without it); optional only for reports
   * made before it was added.
   */
  hiddenByMinStuck?: number;
}

/** A Wireshark display filter that selects one capture's listed connections. */
export interface DisplayFilter {
  /** The capture, as in `captures` (with --join, the joined name: the filter is for the merged capture). */
  file: string;
  /** Listed connections of that capture. */
  connections: number;
  /** `tcp.stream in {3, 7..9}` (Wireshark 3.6 or later), or `tcp.stream eq 3`. */
  filter: string;
}

export interface CloseWaitStats {
  count: number;
  medianStuckSeconds: number;
  maxStuckSeconds: number;
  /**
   * New close-waits per minute over the time the service was seen (null when seen for less than a
   * second): how fast it leaks descriptors ("at that rate 1,024 last N min").
   */
  perMinute: number | null;
}

/** Per server endpoint: "which service leaks". */
export interface ServiceSummary {
  /** `ip:port` of the server side. */
  server: string;
  connections: number;
  verdicts: Partial<Record<Verdict, number>>;
  closeWait: CloseWaitStats | null;
  /**
   * Connections whose close left a TIME_WAIT socket, by the side holding it (the side that closed
   * first): a server that closes first collects them (HTTP/1.0, `Connection: close`); null if none.
   */
  timeWait: { client: number; server: number } | null;
  /** Earliest connection start and latest connection end (ISO 8601). */
  firstSeen: string;
  lastSeen: string;
}

/** The JSON report (schema 1): see schema/report.schema.json. */
export interface Report {
  schema: 1;
  generator: { name: 'closetrace'; version: string };
  /**
   * True when reading was interrupted (Ctrl-C, SIGTERM, an aborted signal): the report covers only what
   * was read. Always set by analyze(); optional only for reports made before it was added.
   */
  partial?: boolean;
  captures: CaptureFacts[];
  summary: Summary;
  services: ServiceSummary[];
  /** Per IP address: the socket table at the end of the capture (what `ss -tan` would have shown), peaks and counts over time. */
  hosts: HostReport[];
  /** Hosts whose TIME_WAIT sockets to one ip:port held a large share of the ephemeral port range. */
  timeWaitPressure: TimeWaitPressureReport[];
  /** SYNs that reused a 4-tuple one side still held in TIME_WAIT, by how they were answered. */
  timeWaitReuse: TimeWaitReuseReport;
  /** Per capture with listed connections, in `captures` order: the filter that shows them all in Wireshark. Always set by analyze(). */
  displayFilters?: DisplayFilter[];
  connections: ConnectionRecord[];
}
