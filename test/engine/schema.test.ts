import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/batch/analyze.js';

const root = join(import.meta.dirname, '..', '..');
const schema = JSON.parse(readFileSync(join(root, 'schema', 'report.schema.json'), 'utf8')) as object;
const validate = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema);

function errors(): string {
  return JSON.stringify(validate.errors?.slice(0, 5), null, 1);
}

describe('the JSON report matches schema/report.schema.json', () => {
  it('for every connection of the shipped captures (--all)', async () => {
    const report = JSON.parse(JSON.stringify(await analyze([join(root, 'captures')], { all: true })));
    expect(report.connections.length).toBeGreaterThan(100);
    expect(validate(report), errors()).toBe(true);
  });

  it('for a joined run (records carry their sources) and a sharded one', async () => {
    const captures = [join(root, 'captures', 'lo-ipv4.pcap'), join(root, 'captures', 'veth-ipv6-nsec.pcap')];
    const joined = JSON.parse(JSON.stringify(await analyze(captures, { join: true, all: true })));
    expect(joined.connections[0].sources.length).toBeGreaterThan(0);
    expect(validate(joined), errors()).toBe(true);
    const shard = JSON.parse(JSON.stringify(await analyze([join(root, 'captures')], { shard: { index: 1, count: 2 } })));
    expect(validate(shard), errors()).toBe(true);
  });

  it('for an unreadable input and an empty one', async () => {
    const report = JSON.parse(JSON.stringify(await analyze([join(root, 'no-such-file.pcap'), join(root, 'package.json')])));
    expect(report.captures.map((c: { error: string | null }) => c.error !== null)).toEqual([true, true]);
    expect(validate(report), errors()).toBe(true);
  });

  const corpus = join(root, '..', 'shared', 'corpus', 'files', 'zeek');
  it.skipIf(!existsSync(corpus))('for public captures with IPv6, VLANs, tunnels, ICMP and odd resets (shared corpus)', async () => {
    const files = [
      'testing__btest__Traces__tcp__rst-inject-rae.pcap',
      'testing__btest__Traces__http__http-desync-request-response-5.pcap',
      'testing__btest__Traces__ftp__ipv6.pcap',
      'testing__btest__Traces__tunnels__gre-aruba.pcap',
      'testing__btest__Traces__smtp.pcap',
      // Packets after the verdict: records with `late`.
      'testing__btest__Traces__llc.pcap',
      'testing__btest__Traces__tunnels__Teredo.pcap',
    ].map((f) => join(corpus, f));
    const report = JSON.parse(JSON.stringify(await analyze(files, { all: true })));
    expect(report.connections.filter((c: { late: unknown }) => c.late !== null).length).toBeGreaterThanOrEqual(3);
    expect(validate(report), errors()).toBe(true);
  });
});
