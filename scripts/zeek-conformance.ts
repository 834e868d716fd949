/**
 * Compares closetrace's Zeek-style `history` and `conn_state` with real Zeek conn.log baselines
 * (../shared/corpus/zeek-baselines). Joined on the endpoint pair; 4-tuples that Zeek logs more than once
 * (Zeek splits on timers and on any SYN after a close, tshark and closetrace do not) are skipped.
 *
 *   npm run build && node dist/scripts/zeek-conformance.js ../shared/corpus
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeCapture } from '../src/engine/analyze-capture.js';
import type { ConnectionRecord } from '../src/verdict/types.js';

interface ZeekRow {
  orig: string;
  resp: string;
  history: string;
  state: string;
}

function endpoint(host: string, port: string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function readConnLog(path: string): ZeekRow[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const fieldsLine = lines.find((l) => l.startsWith('#fields'));
  if (fieldsLine === undefined) return [];
  const fields = fieldsLine.split('\t').slice(1);
  const col = (name: string): number => fields.indexOf(name);
  const rows: ZeekRow[] = [];
  for (const line of lines) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const cells = line.split('\t');
    if (cells[col('proto')] !== 'tcp') continue;
    rows.push({
      orig: endpoint(cells[col('id.orig_h')], cells[col('id.orig_p')]),
      resp: endpoint(cells[col('id.resp_h')], cells[col('id.resp_p')]),
      history: cells[col('history')],
      state: cells[col('conn_state')],
    });
  }
  return rows;
}

const pairKey = (a: string, b: string): string => (a < b ? `${a} ${b}` : `${b} ${a}`);

async function main(): Promise<void> {
  const root = process.argv[2] ?? '../shared/corpus';
  const index = readFileSync(join(root, 'zeek-baselines', 'index.tsv'), 'utf8').trim().split('\n').slice(1);
  let compared = 0;
  let historyAgree = 0;
  let stateAgree = 0;
  let skipped = 0;
  for (const line of index) {
    const [trace, , , , baseline] = line.split('\t');
    const zeek = readConnLog(join(root, baseline));
    const ours: ConnectionRecord[] = [];
    await analyzeCapture(join(root, trace), (r) => ours.push(r));
    const zeekByPair = new Map<string, ZeekRow[]>();
    for (const z of zeek) zeekByPair.set(pairKey(z.orig, z.resp), [...(zeekByPair.get(pairKey(z.orig, z.resp)) ?? []), z]);
    const oursByPair = new Map<string, ConnectionRecord[]>();
    for (const r of ours) oursByPair.set(pairKey(r.client, r.server), [...(oursByPair.get(pairKey(r.client, r.server)) ?? []), r]);
    for (const [pair, rows] of zeekByPair) {
      const mine = oursByPair.get(pair) ?? [];
      if (rows.length !== 1 || mine.length !== 1) {
        skipped++;
        continue;
      }
      compared++;
      const z = rows[0];
      const r = mine[0];
      if (z.history === r.history) historyAgree++;
      if (z.state === r.connState) stateAgree++;
      if (z.history !== r.history || z.state !== r.connState) {
        console.log(`${trace.split('/').pop()} ${pair}: zeek ${z.history} ${z.state}, closetrace ${r.history} ${r.connState}`);
      }
    }
  }
  console.log(`compared ${compared} connections (${skipped} 4-tuples skipped: split differently by Zeek or absent)`);
  console.log(`history agrees on ${historyAgree}, conn_state on ${stateAgree}`);
}

await main();
