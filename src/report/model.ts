import type { CaptureFacts } from '../engine/capture-facts.js';
import type { ConnectionRecord, Verdict } from '../verdict/types.js';

export type { CaptureFacts };

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
}

/** Per server endpoint: "which service leaks". */
export interface ServiceSummary {
  /** `ip:port` of the server side. */
  server: string;
  connections: number;
  verdicts: Partial<Record<Verdict, number>>;
  closeWait: CloseWaitStats | null;
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
  /** Per capture with listed connections, in `captures` order: the filter that shows them all in Wireshark. Always set by analyze(). */
  displayFilters?: DisplayFilter[];
  connections: ConnectionRecord[];
}
