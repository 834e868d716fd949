/**
 * Runs closetrace on a variant and compares its records with the expected verdicts: one outcome per clean
 * connection (matched by its endpoints, whatever the roles or stream number the engine gave it) plus the
 * records that match no clean connection.
 */
import { Readable } from 'node:stream';
import { analyzeCapture, type ConnectionRecord } from '../../src/index.js';
import type { Expectation } from './expected.js';
import type { ManifestConnection, Side } from './manifest.js';

/** What the engine marks as inferred (a FIN or data not captured but proved by the peer's ACK). */
interface InferredMark {
  kind: 'fin' | 'data';
  from: Side;
  provedBy: number;
  note: string;
}

export interface ConnectionOutcome {
  connection: ManifestConnection;
  scenario: string;
  expected: string;
  got: string;
  pass: boolean;
}

/** Every record closetrace makes of a capture held in memory (fed as standard input). */
export async function analyzeBytes(bytes: Uint8Array): Promise<{ records: ConnectionRecord[]; error: string | null }> {
  const records: ConnectionRecord[] = [];
  const facts = await analyzeCapture('-', (r) => records.push(r), { stdin: Readable.from([Buffer.from(bytes)]) });
  return { records, error: facts.error };
}

const pairKey = (a: string, b: string): string => [a, b].sort().join(' ');

function inferredMarks(r: ConnectionRecord): InferredMark[] {
  // `inferred` is new in ConnectionRecord (the engine is gaining it); read it without depending on it.
  const marks = (r as unknown as { inferred?: unknown }).inferred;
  return Array.isArray(marks) ? (marks as InferredMark[]) : [];
}

export function expectedText(e: Expectation): string {
  if (!e.present) return 'absent';
  return `${e.verdict} endpoint=${e.endpoint}${e.inferredFin === null ? '' : `, inferred FIN from ${e.inferredFin}`}`;
}

function gotText(e: Expectation, c: ManifestConnection, found: ConnectionRecord[]): string {
  if (found.length === 0) return 'absent';
  const r = found[0];
  let text = `${r.verdict} endpoint=${r.endpoint}`;
  if (e.present && e.inferredFin !== null) {
    const side = e.inferredFin;
    text += inferredMarks(r).some((i) => i.kind === 'fin' && i.from === side) ? `, inferred FIN from ${side}` : ', no inferred FIN mark';
  }
  if (r.client !== c.client || r.server !== c.server) text += `, roles swapped (client ${r.client})`;
  if (found.length > 1) text += `, ${found.length} records (streams ${found.map((x) => x.stream).join(',')})`;
  return text;
}

export function judgeRecords(
  expectations: ReadonlyArray<{ connection: ManifestConnection; scenario: string; expected: Expectation }>,
  records: readonly ConnectionRecord[],
): { outcomes: ConnectionOutcome[]; extra: ConnectionRecord[] } {
  const byPair = new Map<string, ConnectionRecord[]>();
  for (const r of records) {
    const key = pairKey(r.client, r.server);
    byPair.set(key, [...(byPair.get(key) ?? []), r]);
  }
  const outcomes = expectations.map(({ connection, scenario, expected }) => {
    const key = pairKey(connection.client, connection.server);
    const found = byPair.get(key) ?? [];
    byPair.delete(key);
    const want = expectedText(expected);
    const got = gotText(expected, connection, found);
    return { connection, scenario, expected: want, got, pass: want === got };
  });
  return { outcomes, extra: [...byPair.values()].flat() };
}
