/** readCapture with every frame copied out of the reader's reused record and buffer (for assertions). */
import type { Frame } from '../../src/capture/frame.js';
import { readCapture, type CaptureReadResult, type ReadOptions } from '../../src/capture/reader.js';

export interface FrameCopy {
  number: number;
  seconds: number;
  nanos: number;
  capturedLength: number;
  originalLength: number;
  interfaceId: number;
  precision: number;
  linkType: number;
  fileOffset: number;
  /** The packet bytes, copied from bytes[offset, offset + capturedLength). */
  data: Uint8Array;
}

export function copyFrame(f: Frame): FrameCopy {
  return {
    number: f.number,
    seconds: f.seconds,
    nanos: f.nanos,
    capturedLength: f.capturedLength,
    originalLength: f.originalLength,
    interfaceId: f.interfaceId,
    precision: f.precision,
    linkType: f.linkType,
    fileOffset: f.fileOffset,
    data: f.bytes.slice(f.offset, f.offset + f.capturedLength),
  };
}

export async function readFrames(file: string, options: ReadOptions = {}): Promise<{ result: CaptureReadResult; frames: FrameCopy[] }> {
  const frames: FrameCopy[] = [];
  const result = await readCapture(file, (f) => frames.push(copyFrame(f)), options);
  return { result, frames };
}
