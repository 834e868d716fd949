import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCapture } from '../../src/engine/analyze-capture.js';
import type { ConnectionRecord } from '../../src/verdict/types.js';

/**
 * captures/ holds captures of real Linux sockets (scripts/captures/make.sh) with the verdict each
 * connection was designed to get and tshark's view of every stream. Every connection is asserted.
 */
interface ExpectedConnection {
  stream: number;
  client: string;
  server: string;
  verdict: string;
  endpoint: string | null;
  scenario: string;
  [field: string]: unknown;
}

interface TruthStream {
  a: string;
  b: string;
  first_frame: number;
  last_frame: number;
  packets: number;
  fins: { frame: number; acked_by_frame: number | null }[];
  rsts: { frame: number }[];
}

interface ManifestCapture {
  file: string;
  format: string;
  compressed: boolean;
  frames: number;
  tcpSegments: number;
  connections: ExpectedConnection[];
  tshark: { streams: Record<string, TruthStream> };
}

const root = join(import.meta.dirname, '..', '..', 'captures');
const manifest = JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8')) as { captures: ManifestCapture[] };
const OPTIONAL = ['cause', 'confidence', 'activity', 'fromState', 'halfClose'];

describe.each(manifest.captures.map((c) => [c.file, c] as const))('%s', (_file, capture) => {
  const run = (async () => {
    const records = new Map<number, ConnectionRecord>();
    const facts = await analyzeCapture(join(root, capture.file), (r) => records.set(r.stream, r));
    return { facts, records };
  })();

  it('reads every frame and TCP segment tshark sees, in the right format', async () => {
    const { facts } = await run;
    expect(facts.error).toBeNull();
    expect(facts.format).toBe(capture.format);
    expect(facts.compressed).toBe(capture.compressed);
    expect(facts.frames).toBe(capture.frames);
    expect(facts.tcpSegments).toBe(capture.tcpSegments);
  });

  it.each(capture.connections.map((c) => [c.stream, c.verdict, c] as const))('stream %i: %s', async (_stream, _verdict, expected) => {
    const { records } = await run;
    const r = records.get(expected.stream);
    expect(r, expected.scenario).toBeDefined();
    if (r === undefined) return;
    expect({ client: r.client, server: r.server, verdict: r.verdict, endpoint: r.endpoint }).toEqual({
      client: expected.client,
      server: expected.server,
      verdict: expected.verdict,
      endpoint: expected.endpoint,
    });
    for (const field of OPTIONAL) {
      if (field in expected) expect((r as unknown as Record<string, unknown>)[field], field).toBe(expected[field]);
    }
  });

  it("agrees with tshark's view of every stream (endpoints, frames, FINs and the frames that ACKed them, RSTs)", async () => {
    const { records } = await run;
    const ours = [...records.values()].map((r) => ({
      stream: r.stream,
      endpoints: [r.client, r.server].sort(),
      frames: [r.firstFrame, r.lastFrame, r.packets],
      fins: r.fins.map((f) => [f.frame, f.ackFrame]),
      rsts: r.resets.map((f) => f.frame),
    }));
    const theirs = Object.entries(capture.tshark.streams).map(([stream, t]) => ({
      stream: Number(stream),
      endpoints: [t.a, t.b].sort(),
      frames: [t.first_frame, t.last_frame, t.packets],
      fins: t.fins.map((f) => [f.frame, f.acked_by_frame]),
      rsts: t.rsts.map((f) => f.frame),
    }));
    expect(ours.sort((x, y) => x.stream - y.stream)).toEqual(theirs.sort((x, y) => x.stream - y.stream));
  });
});
