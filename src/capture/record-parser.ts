import type { Frame } from './frame.js';

export type FrameHandler = (frame: Frame) => void;

/**
 * A capture format's record parser, fed from one contiguous buffer that the reader refills.
 * Parsers are push-style so the same code serves files, pipes and gzip streams.
 */
export interface RecordParser {
  readonly format: 'pcap' | 'pcapng';
  /** Link types seen, in order of first appearance. */
  readonly linkTypes: number[];
  /** Sub-second digits of the finest timestamp resolution seen (6 or 9 usually). */
  readonly precision: number;
  /** Packet records emitted so far. */
  readonly frames: number;
  /**
   * Parses every complete record in bytes[start, end). `base` is the stream offset of bytes[0], for
   * frame offsets and error messages. Calls `onFrame` per packet (the frame is reused: copy what you keep).
   * Returns the position after the last complete record. When that is short of `end` or more data is
   * needed, `needed` holds the byte count (counted from the returned position) the next record needs.
   * Throws CaptureError on corrupt data.
   */
  parse(bytes: Uint8Array, start: number, end: number, base: number, onFrame: FrameHandler): number;
  /** Bytes needed from the returned position to parse the next record. */
  readonly needed: number;
  /** Ask the parser to return after the current record, e.g. when the user interrupts. */
  stop(): void;
  /** What the capturing host counted itself (pcapng Interface Statistics Blocks), or null. */
  readonly statistics: CaptureStatistics | null;
}

/**
 * A capturing host's own counters, summed over its interfaces (each interface's latest Interface
 * Statistics Block): packets the interface dropped (`isb_ifdrop`) and the OS dropped for lack of
 * buffer (`isb_osdrop`, tcpdump's "dropped by kernel"), null where not given; and the end of capture
 * (`isb_endtime`), the latest of them.
 */
export interface CaptureStatistics {
  interfaceDrops: number | null;
  osDrops: number | null;
  endTime: { seconds: number; nanos: number } | null;
}

/**
 * Upper bound for one packet's captured length. Wireshark's standard maximum is 256 KiB; link types
 * that legitimately carry bigger packets (D-Bus, USBPcap, EBHSCR) get 16 MiB, as in Wireshark.
 * Anything beyond is corruption, rejected before any buffer grows for it.
 */
export function maxCapturedLength(linkType: number): number {
  return linkType === 231 || linkType === 249 || linkType === 279 ? 16 * 1024 * 1024 : 262144;
}

/** Upper bound for a pcapng block (Wireshark's MAX_BLOCK_SIZE is 16 MiB plus headers). */
export const MAX_BLOCK_LENGTH = 16 * 1024 * 1024 + 4096;
