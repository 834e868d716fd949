/**
 * Splits a classic pcap into a rotated set the way `editcap -i` does: equal time intervals from the first
 * packet, each interval's records (in file order) into its own file with the same global header. Written
 * here so the join tests do not need Wireshark installed.
 */
export interface SplitPart {
  bytes: Uint8Array;
  /** 1-based frame number, in the whole capture, of the part's first frame. */
  firstFrame: number;
  frames: number;
}

export function splitPcapByTime(pcap: Uint8Array, parts: number): SplitPart[] {
  const view = new DataView(pcap.buffer, pcap.byteOffset, pcap.byteLength);
  const magic = view.getUint32(0, true);
  if (magic !== 0xa1b2c3d4 && magic !== 0xa1b23c4d) throw new Error('splitPcapByTime handles little-endian classic pcap only');
  const scale = magic === 0xa1b23c4d ? 1e-9 : 1e-6;
  const records: { start: number; end: number; time: number }[] = [];
  for (let p = 24; p + 16 <= pcap.length; ) {
    const time = view.getUint32(p, true) + view.getUint32(p + 4, true) * scale;
    const end = p + 16 + view.getUint32(p + 8, true);
    records.push({ start: p, end, time });
    p = end;
  }
  const first = records[0].time;
  const span = Math.max(...records.map((r) => r.time)) - first;
  const header = pcap.subarray(0, 24);
  const out: { chunks: Uint8Array[]; firstFrame: number; frames: number }[] = Array.from({ length: parts }, () => ({ chunks: [header], firstFrame: 0, frames: 0 }));
  records.forEach((r, i) => {
    const k = Math.min(parts - 1, Math.floor(((r.time - first) / span) * parts));
    const part = out[k];
    if (part.frames === 0) part.firstFrame = i + 1;
    part.frames++;
    part.chunks.push(pcap.subarray(r.start, r.end));
  });
  return out.map((p) => ({ bytes: Buffer.concat(p.chunks), firstFrame: p.firstFrame, frames: p.frames }));
}

/** True when the capture's timestamps never go backwards (so merging its parts restores its order). */
export function inTimeOrder(pcap: Uint8Array): boolean {
  const view = new DataView(pcap.buffer, pcap.byteOffset, pcap.byteLength);
  let last = -Infinity;
  for (let p = 24; p + 16 <= pcap.length; p += 16 + view.getUint32(p + 8, true)) {
    const t = view.getUint32(p, true) * 1e9 + view.getUint32(p + 4, true);
    if (t < last) return false;
    last = t;
  }
  return true;
}
