import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPcap, LINKTYPE, type CapturedPacket } from '../../tools/craft/index.js';
import { analyzeCapture, type CaptureAnalysisOptions } from '../../src/engine/analyze-capture.js';
import type { CaptureFacts } from '../../src/report/model.js';
import type { ConnectionRecord } from '../../src/verdict/types.js';

export interface PacketRun {
  facts: CaptureFacts;
  records: ConnectionRecord[];
  /** The record of a stream (throws if absent, so a test fails loudly). */
  stream(n: number): ConnectionRecord;
}

/** Writes IP packets as a raw-IP pcap (nanosecond timestamps) and runs the whole pipeline on it. */
export async function analyzePackets(packets: CapturedPacket[], options: CaptureAnalysisOptions = {}): Promise<PacketRun> {
  const dir = mkdtempSync(join(tmpdir(), 'closetrace-engine-'));
  const file = join(dir, 'crafted.pcap');
  try {
    writeFileSync(file, buildPcap(packets, { linkType: LINKTYPE.RAW, precision: 'nano' }));
    const records: ConnectionRecord[] = [];
    const facts = await analyzeCapture(file, (r) => records.push(r), options);
    records.sort((a, b) => a.stream - b.stream);
    return {
      facts,
      records,
      stream(n: number): ConnectionRecord {
        const r = records.find((x) => x.stream === n);
        if (r === undefined) throw new Error(`no stream ${n}; streams: ${records.map((x) => x.stream).join(',')}`);
        return r;
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
