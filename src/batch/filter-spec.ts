import type { ConnectionSummary } from '../verdict/judged-connection.js';
import { FINDINGS, VERDICTS, type Verdict } from '../verdict/types.js';
import { BatchOptionError } from './errors.js';
import { endpointInPrefix, parseAddress, parseHostPrefix, type HostPrefix } from './host-match.js';
import type { HostReport, TimeWaitPressureReport, TimeWaitReuseReport } from '../report/model.js';

/**
 * The --host/--port scope and the --verdict/--all/--min-stuck listing as plain data. Worker threads
 * cannot receive functions, so the parameters cross the thread boundary and each side builds the same
 * predicates from them with filterPredicates().
 */
export interface ConnectionFilterSpec {
  /**
   * Scope: only connections with an end in this IP address or CIDR prefix (`10.0.0.5`, `10.0.0.0/8`,
   * `2001:db8::/32`; any IPv6 spelling).
   */
  host?: string;
  /** Scope: only connections with this port on either end. */
  port?: number;
  /** List only these verdicts (overrides `all`). */
  verdicts?: Verdict[];
  /** List every connection, not only findings. */
  all?: boolean;
  /** Do not list close-waits stuck for less than this many seconds (a null stuck time counts as 0). */
  minStuckSeconds?: number;
}

export interface FilterPredicates {
  /** Which connections count at all (summary, services, connections). */
  scope: (connection: ConnectionSummary) => boolean;
  /** Which in-scope connections are listed in `connections`. */
  list: (connection: ConnectionSummary) => boolean;
  /** In-scope connections that only --min-stuck keeps out of the listing (counted, not listed). */
  hidden: (connection: ConnectionSummary) => boolean;
}

/** Rejects a spec that would silently match nothing useful (an unknown verdict, a port out of range). */
export function checkFilterSpec(spec: ConnectionFilterSpec): void {
  if (spec.host !== undefined && (typeof spec.host !== 'string' || parseHostPrefix(spec.host) === null)) {
    throw new BatchOptionError(`host ${JSON.stringify(spec.host)} is not an IP address or CIDR prefix (e.g. 10.0.0.5, 10.0.0.0/8, 2001:db8::/32)`);
  }
  for (const v of spec.verdicts ?? []) {
    if (!VERDICTS.includes(v)) throw new BatchOptionError(`unknown verdict "${v}" (expected ${VERDICTS.join(', ')})`);
  }
  if (spec.port !== undefined && (!Number.isInteger(spec.port) || spec.port < 0 || spec.port > 65535)) {
    throw new BatchOptionError(`port ${spec.port} is not a port number`);
  }
  if (spec.minStuckSeconds !== undefined && !(spec.minStuckSeconds >= 0)) {
    throw new BatchOptionError(`minimum stuck time ${spec.minStuckSeconds} is not a non-negative number of seconds`);
  }
}

/** The predicates the command line has always used, built from the spec (same on every thread). */
export function filterPredicates(spec: ConnectionFilterSpec): FilterPredicates {
  const byVerdict = verdictPredicate(spec);
  const minStuck = spec.minStuckSeconds ?? 0;
  const tooShort = (c: ConnectionSummary): boolean => c.verdict === 'close-wait' && (c.stuckSeconds ?? 0) < minStuck;
  return {
    scope: scopePredicate(spec.host, spec.port),
    list: (c) => byVerdict(c) && !tooShort(c),
    hidden: (c) => byVerdict(c) && tooShort(c),
  };
}

function verdictPredicate(spec: ConnectionFilterSpec): (c: ConnectionSummary) => boolean {
  const listed = spec.verdicts === undefined ? null : new Set<Verdict>(spec.verdicts);
  const all = spec.all === true;
  return (c) => (listed !== null ? listed.has(c.verdict) : all || FINDINGS.has(c.verdict));
}

function scopePredicate(host: string | undefined, port: number | undefined): (c: ConnectionSummary) => boolean {
  const prefix = host === undefined ? null : parseHostPrefix(host);
  if (host !== undefined && prefix === null) throw new BatchOptionError(`host ${JSON.stringify(host)} is not an IP address or CIDR prefix`);
  if (prefix === null && port === undefined) return () => true;
  return (c) => {
    if (prefix !== null && !endpointInPrefix(c.client, prefix) && !endpointInPrefix(c.server, prefix)) return false;
    if (port !== undefined && portOf(c.client) !== port && portOf(c.server) !== port) return false;
    return true;
  };
}

function portOf(endpoint: string): number {
  return Number(endpoint.slice(endpoint.lastIndexOf(':') + 1));
}

/**
 * Whether a finished report holds a connection that --fail-on should fail for: an in-scope connection
 * with one of `verdicts` (a close-wait only when stuck at least `minStuckSeconds`). Worker threads do not
 * call onJudged, so the command line decides from the report instead; the summary counts every in-scope
 * connection and each service's close-wait maximum tells whether one was stuck long enough. A close-wait
 * without a stuck time counts as stuck 0 s, as in the listing filter.
 */
export function failOnMatched(
  report: { summary: { verdicts: Record<Verdict, number> }; services: { verdicts: Partial<Record<Verdict, number>>; closeWait: { count: number; maxStuckSeconds: number } | null }[] },
  verdicts: Iterable<Verdict>,
  minStuckSeconds = 0,
): boolean {
  for (const v of verdicts) {
    if (report.summary.verdicts[v] === 0) continue;
    if (v !== 'close-wait' || minStuckSeconds <= 0) return true;
    // Close-waits without a stuck time are in the verdict counts but not in closeWait.count: they count as 0 s.
    if (report.services.some((s) => s.closeWait !== null && s.closeWait.maxStuckSeconds >= minStuckSeconds)) return true;
  }
  return false;
}

/** The host-level sections of a report (see Report). */
export interface HostSections {
  hosts: HostReport[];
  timeWaitPressure: TimeWaitPressureReport[];
  timeWaitReuse: TimeWaitReuseReport;
}

/**
 * --host narrows the host-level sections as it narrows connections: the hosts whose address lies in the
 * prefix, and the time-wait-pressure findings and TIME_WAIT reuses with an end in it. (A host's socket
 * counts stay whole: they are what `ss -tan` on that host shows, whatever the peer.) The reuse counts
 * are recounted from the examples when the examples are all of them; a capture with more reuses than it
 * lists examples of keeps its counts whole, since which of them had an end in the prefix is not known.
 */
export function narrowHostSections(sections: HostSections, host: string | undefined): HostSections {
  if (host === undefined) return sections;
  const prefix = parseHostPrefix(host);
  if (prefix === null) throw new BatchOptionError(`host ${JSON.stringify(host)} is not an IP address or CIDR prefix`);
  const examples = sections.timeWaitReuse.examples.filter((e) => endpointInPrefix(e.holder, prefix) || endpointInPrefix(e.peer, prefix));
  const all = Object.values(sections.timeWaitReuse.counts).reduce((sum, n) => sum + n, 0) === sections.timeWaitReuse.examples.length;
  const counts = { ...sections.timeWaitReuse.counts };
  if (all) {
    for (const outcome of Object.keys(counts) as (keyof typeof counts)[]) counts[outcome] = 0;
    for (const e of examples) counts[e.outcome]++;
  }
  return {
    hosts: sections.hosts.filter((h) => addressInPrefix(h.address, prefix)),
    timeWaitPressure: sections.timeWaitPressure.filter((p) => addressInPrefix(p.host, prefix) || endpointInPrefix(p.peer, prefix)),
    timeWaitReuse: { counts, examples },
  };
}

function addressInPrefix(address: string, prefix: HostPrefix): boolean {
  const bytes = parseAddress(address);
  if (bytes === null || bytes.length !== prefix.bytes.length) return false;
  return endpointInPrefix(address.includes(':') ? `[${address}]:0` : `${address}:0`, prefix);
}
