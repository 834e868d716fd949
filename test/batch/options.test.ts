/**
 * The library's entry point as a package user gets it (the built dist/src/index.js): analyze() checks
 * its options at run time and names the one that is wrong, and internals are not exported.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const capture = join(root, 'captures', 'lo-ipv4.pcap');
type Api = typeof import('../../src/index.js');
const api = (await import(join(root, 'dist', 'src', 'index.js'))) as Api;

async function rejection(options: unknown): Promise<InstanceType<Api['AnalyzeOptionError']>> {
  try {
    await api.analyze(capture, options as Parameters<Api['analyze']>[1]);
  } catch (error) {
    expect(error).toBeInstanceOf(api.AnalyzeOptionError);
    expect(error).toBeInstanceOf(api.BatchOptionError);
    return error as InstanceType<Api['AnalyzeOptionError']>;
  }
  throw new Error(`analyze() accepted ${JSON.stringify(options)}`);
}

describe('analyze() options', () => {
  it('rejects values of the wrong kind, naming the option', async () => {
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ slowCloseSeconds: 'abc' }, 'slowCloseSeconds', /must be a finite number of seconds, 0 or more, not "abc"/],
      [{ slowCloseSeconds: Number.NaN }, 'slowCloseSeconds', /not NaN/],
      [{ finAckTimeoutSeconds: -1 }, 'finAckTimeoutSeconds', /not -1/],
      [{ closeGraceSeconds: Infinity }, 'closeGraceSeconds', /not Infinity/],
      [{ maxConnections: 0 }, 'maxConnections', /whole number of at least 1/],
      [{ maxConnections: 2.5 }, 'maxConnections', /whole number/],
      [{ jobs: '4' }, 'jobs', /not "4"/],
      [{ all: 'yes' }, 'all', /true or false/],
      [{ zeekHistory: 1 }, 'zeekHistory', /true or false/],
      [{ onConnection: 'print' }, 'onConnection', /must be a function/],
      [{ signal: {} }, 'signal', /AbortSignal/],
      [{ filter: { port: 70000 } }, 'filter.port', /port number/],
      [{ filter: { minStuckSeconds: '30s' } }, 'filter.minStuckSeconds', /seconds/],
    ];
    for (const [options, option, message] of cases) {
      const error = await rejection(options);
      expect(error.option, JSON.stringify(options)).toBe(option);
      expect(error.message).toMatch(new RegExp(`^option ${option.replace('.', '\\.')}: `));
      expect(error.message).toMatch(message);
    }
  });

  it('rejects misspelled options with a suggestion', async () => {
    expect((await rejection({ slowClose: 2 })).message).toBe('option slowClose: unknown option (did you mean slowCloseSeconds?)');
    expect((await rejection({ slowclosesecond: 2 })).message).toContain('did you mean slowCloseSeconds?');
    expect((await rejection({ onconnection: () => undefined })).message).toContain('did you mean onConnection?');
    expect((await rejection({ filter: { hots: '10.0.0.1' } })).option).toBe('filter.hots');
    expect((await rejection({ zzz: 1 })).message).toBe('option zzz: unknown option');
  });

  it('rejects a --host that is no address or prefix', async () => {
    await expect(api.analyze(capture, { filter: { host: 'example.com' } })).rejects.toThrow(/host "example.com" is not an IP address or CIDR prefix/);
    const report = await api.analyze(capture, { filter: { host: '127.0.0.0/8', all: true } });
    expect(report.summary.connections).toBe(27);
  });

  it('takes good options, undefined meaning the default', async () => {
    const report = await api.analyze(capture, { slowCloseSeconds: 1, all: undefined, jobs: 1, filter: { minStuckSeconds: 0 } });
    expect(report.summary.connections).toBe(27);
    expect(report.partial).toBe(false);
  });

  it('zeekHistory: false changes nothing but history and connState, which are null', async () => {
    const inputs = [join(root, 'captures')];
    const full = await api.analyze(inputs, { all: true });
    const lean = await api.analyze(inputs, { all: true, zeekHistory: false });
    expect(full.connections.length).toBeGreaterThan(150);
    expect(full.connections.every((c) => typeof c.history === 'string' && c.history.length > 0 && typeof c.connState === 'string')).toBe(true);
    expect(lean.connections.every((c) => c.history === null && c.connState === null)).toBe(true);
    const withoutZeek = (report: typeof full): unknown => ({ ...report, connections: report.connections.map((c) => ({ ...c, history: null, connState: null })) });
    expect(withoutZeek(lean)).toEqual(withoutZeek(full));
  });

  it('an aborted signal gives a partial report', async () => {
    const controller = new AbortController();
    controller.abort();
    expect((await api.analyze(capture, { signal: controller.signal })).partial).toBe(true);
  });
});

describe('the package entry', () => {
  it('exports the API, not internals', () => {
    const names = Object.keys(api).sort();
    expect(names).toEqual(['AnalyzeOptionError', 'BatchOptionError', 'FINDINGS', 'VERDICTS', 'VERSION', 'analyze', 'analyzeCapture', 'defaultJobs', 'failOnMatched', 'inShard', 'mergeReports', 'readReportFile']);
    for (const internal of ['fnv1a32', 'comparePaths', 'checkShard', 'parseShard', 'filterPredicates', 'analysisSettings']) expect(names).not.toContain(internal);
  });
});
