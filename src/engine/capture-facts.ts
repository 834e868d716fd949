import type { NotDecodedReason } from '../decode/reasons.js';
import type { CaptureSockets } from '../sockets/socket-table.js';

/** What was read from one capture file: an element of the JSON report's `captures`. */
export interface CaptureFacts {
  /** The input as given (`-` for standard input). */
  file: string;
  format: 'pcap' | 'pcapng' | null;
  compressed: boolean;
  compression: 'gzip' | 'zstd' | null;
  /** Link types by name ("ethernet", "linux-sll2", or "linktype-N"). */
  linkTypes: string[];
  frames: number;
  tcpSegments: number;
  connections: number;
  /**
   * Connections of this capture whose verdict is a finding, counted like `connections` (every
   * connection, before --host/--port scoping). Always set by analyze(); optional only so that facts made
   * before it was added still type-check.
   */
  findings?: number;
  /** First and last packet times, ISO 8601 UTC with the capture's precision; null without packets. */
  start: string | null;
  end: string | null;
  /** Frames that yielded no TCP segment, by reason. */
  notDecoded: Partial<Record<NotDecodedReason, number>>;
  /** Why reading stopped early (one line naming the file and byte offset), or null. */
  error: string | null;
  /** Things the user should know that are not errors (evictions, an interrupted read). */
  warnings: string[];
  /** What the capture missed or mangled, counted (see CaptureQuality). */
  quality: CaptureQuality;
  /**
   * The capture's socket table (what `ss -tan` would have shown at its end), carried to the report's
   * `hosts`, `timeWaitPressure` and `timeWaitReuse`; not printed in `captures[]`.
   */
  sockets?: CaptureSockets;
}

/** What a capture missed or mangled: the reasons a verdict may rest on less than the whole story. */
export interface CaptureQuality {
  /** Segments the peer ACKed that the capture never showed (tshark: "ACKed unseen segment"). */
  ackedUnseen: number;
  /** Segments that started beyond everything seen from their sender (tshark: "previous segment not captured"). */
  previousSegmentsLost: number;
  /** Connections whose packets were captured in one direction only. */
  oneDirection: number;
  /** Frames captured twice in a row (a SPAN port, two capture points): ignored. */
  duplicateFrames: number;
  /** Connections already open when the capture began (no SYN seen). */
  startedBeforeCapture: number;
  /** TCP headers cut by the snap length before their options (their window too, below 16 bytes). */
  cutHeaders: number;
  /** The capturing host's own counters (pcapng Interface Statistics isb_ifdrop, isb_osdrop), null when not recorded. */
  droppedByInterface: number | null;
  droppedByOs: number | null;
}

export function emptyQuality(): CaptureQuality {
  return { ackedUnseen: 0, previousSegmentsLost: 0, oneDirection: 0, duplicateFrames: 0, startedBeforeCapture: 0, cutHeaders: 0, droppedByInterface: null, droppedByOs: null };
}

/** The one-line warning every report shows for a capture that lost or mangled packets, or null. */
export function qualityWarning(q: CaptureQuality): string | null {
  const parts: string[] = [];
  const n = (count: number): string => count.toLocaleString('en-US');
  if (q.droppedByOs !== null && q.droppedByOs > 0) parts.push(`${n(q.droppedByOs)} packets dropped by the capturing kernel`);
  if (q.droppedByInterface !== null && q.droppedByInterface > 0) parts.push(`${n(q.droppedByInterface)} dropped by the interface`);
  if (q.ackedUnseen + q.previousSegmentsLost > 0) parts.push(`${n(q.ackedUnseen + q.previousSegmentsLost)} segments missing (ACKed but not captured, or gaps before captured ones)`);
  if (q.oneDirection > 0) parts.push(`${n(q.oneDirection)} connections seen in one direction only`);
  if (q.duplicateFrames > 0) parts.push(`${n(q.duplicateFrames)} frames captured twice`);
  if (q.cutHeaders > 0) parts.push(`${n(q.cutHeaders)} TCP headers cut by the snap length`);
  if (parts.length === 0) return null;
  const before = q.startedBeforeCapture > 0 ? `; ${n(q.startedBeforeCapture)} connections began before the capture` : '';
  return `capture quality: ${parts.join(', ')}${before}. Verdicts resting on what is missing say so (confidence, inferred events); a side never captured is never blamed.`;
}
