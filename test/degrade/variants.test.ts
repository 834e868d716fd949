import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  buildVariant,
  expectedFor,
  frameFacts,
  loadManifest,
  readCaptureModel,
  readCaptureModelFromBytes,
  scenarioId,
  SHUFFLE_WINDOW_NS,
  sourceCaptures,
  streamOf,
  TCP_FLAG,
  variantBytes,
  VARIANTS,
  writeCapture,
  type CapturedFrame,
  type ManifestCapture,
} from '../../tools/degrade/index.js';

/**
 * The variant builders of tools/degrade checked against tshark's facts in captures/manifest.json (the
 * clean captures' frame numbers are tshark's): which frames each variant drops, duplicates, cuts or moves,
 * and that the written files keep the clean capture's format, link types and timestamp precision.
 */
const root = join(import.meta.dirname, '..', '..', 'captures');
const captures = sourceCaptures(loadManifest(root));
const ns = (f: CapturedFrame): bigint => BigInt(f.seconds) * 1_000_000_000n + BigInt(f.nanos);
const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

describe.each(captures.map((c) => [c.file, c] as const))('%s', (_file, capture: ManifestCapture) => {
  const clean = readCaptureModel(join(root, capture.file));
  const streams = capture.connections.map((c) => ({ c, ...streamOf(capture, c) }));

  it('is read whole and written back unchanged in format, link types, precision, timestamps and bytes', async () => {
    const m = await clean;
    expect(m.frames.length).toBe(capture.frames);
    expect(m.format).toBe(capture.format);
    expect(m.interfaces.map((i) => i.linkType)).toEqual(capture.linkTypes);
    const back = await readCaptureModelFromBytes(writeCapture(m, m.frames));
    expect({ format: back.format, precision: back.precision, interfaces: back.interfaces }).toEqual({ format: m.format, precision: m.precision, interfaces: m.interfaces });
    expect(back.frames).toEqual(m.frames);
  });

  it('ties every frame to its manifest connection by endpoints', async () => {
    const facts = frameFacts((await clean).frames, capture.connections);
    expect(facts.filter((f) => f.connection < 0)).toEqual([]);
    for (const s of streams) {
      const mine = facts.filter((f) => capture.connections[f.connection] === s.c);
      expect(mine.length).toBe(s.stream.packets);
      expect(mine.filter((f) => f.from === 'client').length).toBe(s.packets.client);
    }
  });

  it("no-closer-fin drops exactly each connection's first FIN frame (tshark's fins[0])", async () => {
    const v = buildVariant(await clean, capture.connections, 'no-closer-fin');
    const firstFins = streams.filter((s) => s.stream.fins.length > 0).map((s) => s.stream.fins[0].frame);
    expect(v.dropped.sort((a, b) => a - b)).toEqual(firstFins.sort((a, b) => a - b));
    expect(v.frames.length).toBe(capture.frames - firstFins.length);
  });

  it('no-data drops one payload frame without SYN/FIN/RST per connection that sent payload (all but refused and unanswered)', async () => {
    const m = await clean;
    const v = buildVariant(m, capture.connections, 'no-data');
    const facts = frameFacts(m.frames, capture.connections);
    const dropped = facts.filter((f) => v.dropped.includes(f.frame.number));
    const withPayload = capture.connections.filter((c) => !['refused', 'unanswered'].includes(scenarioId(c)));
    expect(dropped.map((f) => capture.connections[f.connection]).sort((a, b) => a.stream - b.stream)).toEqual(withPayload.sort((a, b) => a.stream - b.stream));
    for (const f of dropped) {
      expect(f.tcp!.payloadLength).toBeGreaterThan(0);
      expect(f.tcp!.flags & (TCP_FLAG.SYN | TCP_FLAG.FIN | TCP_FLAG.RST)).toBe(0);
      // the first such frame of its connection
      expect(facts.find((g) => g.connection === f.connection && g.tcp!.payloadLength > 0 && (g.tcp!.flags & 7) === 0)).toBe(f);
    }
  });

  it('one-way-client / one-way-server keep exactly the frames each side sent', async () => {
    const m = await clean;
    for (const side of ['client', 'server'] as const) {
      const v = buildVariant(m, capture.connections, side === 'client' ? 'one-way-client' : 'one-way-server');
      expect(v.frames.length).toBe(sum(streams.map((s) => s.packets[side])));
      expect(frameFacts(v.frames, capture.connections).every((f) => f.from === side)).toBe(true);
    }
  });

  it('duplicated writes every frame twice in a row with the same timestamp', async () => {
    const m = await clean;
    const v = buildVariant(m, capture.connections, 'duplicated');
    expect(v.frames.length).toBe(2 * capture.frames);
    const back = await readCaptureModelFromBytes(variantBytes(m, v));
    back.frames.forEach((f, i) => {
      const original = m.frames[i >> 1];
      expect({ ...f, number: 0 }).toEqual({ ...original, number: 0 });
    });
  });

  it("late-start drops SYNs, SYN/ACKs and the client's handshake ACK, and every frame of connections never answered", async () => {
    const v = buildVariant(await clean, capture.connections, 'late-start');
    const dropped = sum(streams.map((s) => (s.stream.synack.length === 0 ? s.stream.packets : s.stream.syn.length + s.stream.synack.length + 1)));
    expect(v.dropped.length).toBe(dropped);
    const synFrames = streams.flatMap((s) => [...s.stream.syn, ...s.stream.synack].map((x) => x.frame));
    expect(v.frames.filter((f) => synFrames.includes(f.number))).toEqual([]);
  });

  it.each([64, 68])('snap%i cuts every frame to that many captured bytes and keeps the original length', async (snaplen) => {
    const m = await clean;
    const v = buildVariant(m, capture.connections, snaplen === 64 ? 'snap64' : 'snap68');
    const bytes = variantBytes(m, v);
    const back = await readCaptureModelFromBytes(bytes);
    expect(back.frames.map((f) => f.originalLength)).toEqual(m.frames.map((f) => f.originalLength));
    back.frames.forEach((f, i) => {
      expect(f.data).toEqual(m.frames[i].data.subarray(0, snaplen));
    });
    if (capture.format === 'pcap') expect(new DataView(bytes.buffer, bytes.byteOffset).getUint32(16, true)).toBe(snaplen);
  });

  it('shuffled only moves frames within runs of 1 ms, keeps their timestamps, and is the same for the same seed', async () => {
    const m = await clean;
    const v = buildVariant(m, capture.connections, 'shuffled');
    expect(buildVariant(m, capture.connections, 'shuffled').frames).toEqual(v.frames);
    expect(buildVariant(m, capture.connections, 'shuffled', { seed: 7 }).frames).not.toEqual(v.frames);
    expect([...v.frames].sort((a, b) => a.number - b.number)).toEqual(m.frames);
    expect(v.frames.filter((f, i) => f.number !== i + 1).length).toBeGreaterThan(capture.frames / 4);
    // a frame moved from clean position p to q only past frames within the window of its own run
    v.frames.forEach((f, i) => {
      const lo = Math.min(i, f.number - 1);
      const hi = Math.max(i, f.number - 1);
      for (let k = lo; k <= hi; k++) {
        const d = ns(m.frames[k]) - ns(f);
        expect(d <= 2n * SHUFFLE_WINDOW_NS && d >= -2n * SHUFFLE_WINDOW_NS).toBe(true);
      }
    });
    const back = await readCaptureModelFromBytes(variantBytes(m, v));
    expect(back.frames.map((f) => ns(f))).toEqual(v.frames.map((f) => ns(f)));
  });

  it.each(VARIANTS.filter((v) => v !== 'snap64' && v !== 'snap68').map((v) => [v] as const))(
    '%s: a connection is expected absent exactly when the variant left it no frame',
    async (variant) => {
      const v = buildVariant(await clean, capture.connections, variant);
      const left = new Set(frameFacts(v.frames, capture.connections).map((f) => f.connection));
      for (const [i, c] of capture.connections.entries()) {
        expect(expectedFor(capture, c, variant).present, `${scenarioId(c)} ${c.client} -> ${c.server}`).toBe(left.has(i));
      }
    },
  );
});
