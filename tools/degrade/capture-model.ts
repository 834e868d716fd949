/**
 * A capture held in memory as its frames plus what is needed to write it back in the same shape: the
 * file format, the timestamp precision and, for pcapng, the interfaces (link type, resolution). The
 * captures this works on are small (tens of KB), so every frame's bytes are copied out of the reader.
 */
import { Readable } from 'node:stream';
import { readCapture } from '../../src/capture/reader.js';

export interface CapturedFrame {
  /** 1-based number in the source capture (Wireshark's frame.number). */
  number: number;
  seconds: number;
  nanos: number;
  interfaceId: number;
  linkType: number;
  /** The captured bytes (possibly fewer than originalLength). */
  data: Uint8Array;
  originalLength: number;
}

export interface CaptureInterface {
  linkType: number;
  /** Sub-second digits of the interface's timestamps (6 = microseconds, 9 = nanoseconds). */
  precision: number;
}

export interface CaptureModel {
  format: 'pcap' | 'pcapng';
  /** Sub-second digits of the capture's timestamps. */
  precision: number;
  /** pcapng: one per interface id; pcap: the single link type. */
  interfaces: CaptureInterface[];
  frames: CapturedFrame[];
}

/** Reads a whole capture file (pcap or pcapng, gzip'd or not) with the project's reader. Throws on read errors. */
export function readCaptureModel(path: string): Promise<CaptureModel> {
  return readModel(path, path);
}

/** The same for a capture held in memory (e.g. a variant, to check what was written). */
export function readCaptureModelFromBytes(bytes: Uint8Array, name = 'capture'): Promise<CaptureModel> {
  return readModel(name, '-', Readable.from([Buffer.from(bytes)]));
}

async function readModel(name: string, path: string, stdin?: Readable): Promise<CaptureModel> {
  const frames: CapturedFrame[] = [];
  const interfaces: CaptureInterface[] = [];
  const read = await readCapture(
    path,
    (f) => {
      if (!f.timeKnown) throw new Error(`${name}: frame ${f.number} has no timestamp; not supported`);
      frames.push({
        number: f.number,
        seconds: f.seconds,
        nanos: f.nanos,
        interfaceId: f.interfaceId,
        linkType: f.linkType,
        data: f.bytes.slice(f.offset, f.offset + f.capturedLength),
        originalLength: f.originalLength,
      });
      interfaces[f.interfaceId] ??= { linkType: f.linkType, precision: f.precision };
    },
    { stdin },
  );
  if (read.error !== null) throw new Error(read.error);
  if (read.format === null) throw new Error(`${name}: not a capture`);
  // An interface without packets is not seen by the reader; it still needs an IDB so that later ids keep
  // their numbers. Its link type does not matter (no packet refers to it).
  const known = interfaces.find((x) => x !== undefined);
  for (let i = 0; i < interfaces.length; i++) interfaces[i] ??= { linkType: known!.linkType, precision: read.precision };
  return { format: read.format, precision: read.precision, interfaces, frames };
}
