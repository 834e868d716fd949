/**
 * The parts of captures/manifest.json the variants and their expected verdicts are made from (see
 * captures/README.md, "manifest.json").
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export type Side = 'client' | 'server';

export interface TruthFin {
  frame: number;
  dir: string;
  acked: boolean;
  acked_by_frame: number | null;
  acked_by_rst: boolean;
}

export interface TruthStream {
  a: string;
  b: string;
  packets: number;
  packets_a_to_b: number;
  packets_b_to_a: number;
  syn: { frame: number; dir: string }[];
  synack: { frame: number; dir: string }[];
  fins: TruthFin[];
  rsts: { frame: number; dir: string }[];
}

/** One connection as the clean capture's manifest entry describes it. */
export interface ManifestConnection {
  stream: number;
  client: string;
  server: string;
  verdict: string;
  endpoint: Side | null;
  scenario: string;
  [field: string]: unknown;
}

export interface ManifestCapture {
  file: string;
  run: string;
  format: 'pcap' | 'pcapng';
  compressed: boolean;
  linkTypes: number[];
  timestampPrecision: string;
  frames: number;
  connections: ManifestConnection[];
  tshark: { streams: Record<string, TruthStream> };
}

export interface Manifest {
  captures: ManifestCapture[];
}

export function loadManifest(capturesDir: string): Manifest {
  return JSON.parse(readFileSync(join(capturesDir, 'manifest.json'), 'utf8')) as Manifest;
}

/**
 * The captures variants are made of: gzip copies are left out, they hold the same frames as the file
 * they were made from (manifest `compressed`), so their variants would be the same files again.
 */
export function sourceCaptures(manifest: Manifest): ManifestCapture[] {
  return manifest.captures.filter((c) => !c.compressed);
}

/** The scenario id at the start of a connection's `scenario` text ("orderly-client-first (scripts/...)"). */
export function scenarioId(c: ManifestConnection): string {
  return c.scenario.split(' ')[0];
}

/** tshark's stream facts for a connection, with the direction strings of its client and server. */
export function streamOf(capture: ManifestCapture, c: ManifestConnection): { stream: TruthStream; clientDir: string; serverDir: string; packets: Record<Side, number> } {
  const stream = capture.tshark.streams[String(c.stream)];
  if (stream === undefined) throw new Error(`${capture.file}: no tshark stream ${c.stream} for ${c.client} -> ${c.server}`);
  const clientIsA = stream.a === c.client;
  if (!clientIsA && stream.b !== c.client) throw new Error(`${capture.file}: tshark stream ${c.stream} is not ${c.client} <-> ${c.server}`);
  return {
    stream,
    clientDir: clientIsA ? 'a->b' : 'b->a',
    serverDir: clientIsA ? 'b->a' : 'a->b',
    packets: clientIsA ? { client: stream.packets_a_to_b, server: stream.packets_b_to_a } : { client: stream.packets_b_to_a, server: stream.packets_a_to_b },
  };
}
