import { describeIcmp } from './icmp-errors.js';
import { humanDuration } from '../time/time-text.js';
import type { Judgement } from './judge.js';
import type { EndReason, Side } from './types.js';

export interface ExplainContext {
  judgement: Judgement;
  /** Role of each flow direction. */
  sideOf: (dir: number) => Side;
  /** `ip:port` of each flow direction. */
  addressOf: (dir: number) => string;
  /** Flow direction of the client. */
  clientDir: number;
  /** Short clock time (HH:MM:SS.mmm UTC) for a capture instant. */
  clock: (seconds: number, nanos: number) => string;
  /** Why the record closed: an open connection judged early (the table was full) did not last to the end. */
  endReason: EndReason;
}

/** One sentence a person can paste into a ticket: who, what happened, and what the frames show. */
export function explain(ctx: ExplainContext): string {
  const j = ctx.judgement;
  const who = (dir: number): string => `the ${ctx.sideOf(dir)} ${ctx.addressOf(dir)}`;
  const Who = (dir: number): string => capitalise(who(dir));
  const other = (dir: number): string => `the ${ctx.sideOf(dir ^ 1)}`;
  const frames = (list: number[]): string => list.filter((f) => f > 0).join(', ');
  const e = j.endpoint;
  const rst = j.reset;
  /** "FIN frame 12", or for a FIN the capture missed, what proves it. */
  const fin = (dir: number, frame: number | undefined): string => {
    const inferred = j.inferred.find((x) => x.from === dir);
    return inferred === undefined ? `frame ${frame}` : `not captured; frame ${inferred.proofFrame} proves it`;
  };
  const inferredNote = j.inferred.length === 0 ? '' : ' (A FIN the capture missed was inferred from the sequence numbers: see `inferred`.)';
  switch (j.verdict) {
    case 'close-wait':
      return (
        `${Who(e)} ACKed ${other(e)}'s FIN (${fin(e ^ 1, j.evidence[0])}) at ${j.since === null ? '?' : ctx.clock(j.since.seconds, j.since.nanos)} ` +
        `but never sent its own FIN or RST: it was in CLOSE_WAIT for ${humanDuration(j.stuckSeconds ?? 0)} until the capture ended, ` +
        (j.activity === 'sending'
          ? 'still sending data (a half-close in progress, not necessarily a leak).'
          : 'sending nothing: its application has not called close() (a socket leak).') +
        inferredNote
      );
    case 'late-fin-reset':
      return (
        `${Who(e)} sent its FIN (frame ${j.evidence[2]}) ${humanDuration(j.delaySeconds ?? 0)} after ${other(e)}'s FIN, ` +
        `and ${other(e)}, which had already dropped the connection, answered with a RST (frame ${rst?.frame}): ` +
        `it stayed in CLOSE_WAIT longer than its peer would wait.`
      );
    case 'slow-close':
      return (
        `${Who(e)} ACKed ${other(e)}'s FIN (frame ${j.evidence[1]}) but sent its own FIN (${fin(e, j.evidence[2])}) only ` +
        `${humanDuration(j.delaySeconds ?? 0)} after it went quiet: its application was slow to call close().` +
        inferredNote
      );
    case 'abortive-close': {
      const why =
        j.cause === 'linger-zero'
          ? `an abortive close (SO_LINGER {on, 0})${j.confidence === 'likely' ? ', most likely' : ''}`
          : 'an abortive close: SO_LINGER {on, 0}, or close() with received data left unread';
      const lost = j.bytesDiscarded !== null && j.bytesDiscarded > 0 ? `, discarding ${j.bytesDiscarded} unacknowledged bytes` : '';
      return `${Who(e)} reset the connection from ${j.fromState} without sending a FIN (frame ${rst?.frame}): ${why}${lost}; ${other(e)} sees ECONNRESET.`;
    }
    case 'reset-after-close':
      if (j.inferred.some((x) => x.kind === 'data')) {
        return (
          `${Who(e)} had closed (FIN ${fin(e, j.evidence[0])}) and then answered with a bare RST (frame ${rst?.frame}) something ${other(e)} ` +
          `sent after that FIN, which the capture missed: data written to a connection the ${ctx.sideOf(e)} had closed (the keep-alive race).`
        );
      }
      return (
        `${Who(e)} had closed (FIN ${fin(e, j.evidence[0])}) and then reset the data ${other(e)} kept sending (frame ${j.evidence[1]}, RST frame ${rst?.frame}): ` +
        `${other(e)} wrote to a connection the ${ctx.sideOf(e)} had closed, the keep-alive race behind ECONNRESET.`
      );
    case 'keepalive-timeout':
      return `${Who(e)} sent keepalive probes from frame ${j.evidence[0]} that ${other(e)} never answered, then reset the connection (frame ${rst?.frame}): the peer or the path had gone away.`;
    case 'refused':
      if (j.icmp !== null) {
        return `The SYN from ${other(e)} (frame ${j.evidence[0]}) to ${who(e)} was answered by ICMP ${describeIcmp(j.icmp)} from ${j.icmp.reporter} (frame ${j.icmp.frame}): the connection was refused (a firewall reject, or nothing listening).`;
      }
      return `${Who(e)} answered the SYN (frame ${j.evidence[0]}) with a RST (frame ${rst?.frame}): nothing was listening on that port, the connection was refused.`;
    case 'reset':
      if (j.cause === 'middlebox-suspected') {
        return `A RST in the name of ${who(e)} (frame ${rst?.frame}) does not look like that host's own packets (${middleboxReasons(j)}): a firewall, load balancer or other middlebox probably sent it.`;
      }
      if (j.cause === 'no-socket') {
        return `${Who(e)} answered with a bare RST (frame ${rst?.frame}, the shape a host sends when no socket matches): it no longer knew this connection.`;
      }
      if (rst?.afterOwnFin) {
        return `${Who(e)} sent a FIN and then an active RST (frame ${rst.frame}) with nothing from ${other(e)} in between: its application aborted after shutting down its side (e.g. SO_LINGER {on, 0} after shutdown()).`;
      }
      return `${Who(e)} reset the connection (frame ${rst?.frame}) in a way that matches none of the known close patterns.`;
    case 'fin-unacked':
      return `${Who(e)} sent a FIN (frames ${frames(j.evidence)}) that ${other(e)} never ACKed${j.confidence === 'possible' ? ' before the capture ended' : ''}: the peer or the path stopped responding.`;
    case 'unanswered': {
      const client = ctx.clientDir;
      if (j.icmp !== null) {
        return `The SYN from ${who(client)} (frame ${j.evidence[0]}) never reached ${who(client ^ 1)}: ${j.icmp.reporter} answered with ICMP ${describeIcmp(j.icmp)} (frame ${j.icmp.frame}).`;
      }
      return `The SYN from ${who(client)} (frame ${j.evidence[0]}) got no answer from ${who(client ^ 1)}: dropped by a firewall, lost, or the host is down.`;
    }
    case 'orderly':
      return (
        `${Who(e)} closed first (FIN ${fin(e, j.evidence[0])}) and holds TIME_WAIT; ${other(e)} closed in turn (FIN ${fin(e ^ 1, j.evidence[1])})` +
        (j.halfClose ? ', after sending more data in a half-close.' : '.') +
        inferredNote
      );
    case 'simultaneous-close':
      return `Both sides sent FINs that crossed in flight (frames ${frames(j.evidence)}): a simultaneous close, both go through CLOSING to TIME_WAIT.${inferredNote}`;
    case 'open':
      if (j.closing) {
        return (
          `${Who(e)} ACKed ${other(e)}'s FIN (${fin(e ^ 1, j.evidence[0])}) only ${humanDuration(j.stuckSeconds ?? 0)} before the capture ended ` +
          'and had not closed yet: closing at capture end (under the --slow-close threshold), not a leak.'
        );
      }
      if (ctx.endReason === 'evicted') {
        return (
          'No FIN or RST was seen before it was judged early: more connections were open at once than ' +
          '--max-connections allows, and it was among the idlest (later packets of it are listed as late).'
        );
      }
      return 'No FIN or RST was seen: the connection was still open when the capture ended.';
    case 'one-sided': {
      const seen = j.unseen ^ 1;
      return (
        `Only the packets of ${who(seen)} are in the capture (frames ${frames(j.evidence)}); ${who(j.unseen)} was never captured, ` +
        'so how that side behaved cannot be told (a capture of one direction only, e.g. a SPAN port mirroring one way).'
      );
    }
  }
}

function middleboxReasons(j: Judgement): string {
  const rst = j.reset;
  if (rst === null) return 'unexpected fields';
  const reasons: string[] = [];
  const m = j.middlebox;
  if (m?.ttl) reasons.push(`TTL ${rst.ttl} unlike its other packets`);
  if (m?.ipId) reasons.push(`IP ID ${rst.ipId} off its series`);
  if (m?.window) reasons.push(rst.outsideWindow ? 'sequence number outside the receive window' : 'it does not acknowledge the SYN, so the receiver must ignore it');
  return reasons.join(', ');
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
