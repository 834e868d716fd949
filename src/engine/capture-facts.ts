import type { NotDecodedReason } from '../decode/reasons.js';

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
}
