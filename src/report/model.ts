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
  captures: CaptureFacts[];
  summary: Summary;
  services: ServiceSummary[];
  connections: ConnectionRecord[];
}
