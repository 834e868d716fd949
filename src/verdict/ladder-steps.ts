import type { ConnectionSnapshot } from '../track/connection-view.js';
import type { EndpointSnapshot } from '../track/connection-view.js';
import type { LadderStep, Side } from './types.js';

/** tcpdump's flag letters: S F P R U W E and '.' for ACK. */
export function flagLetters(flags: number): string {
  let text = '';
  if (flags & 0x002) text += 'S';
  if (flags & 0x001) text += 'F';
  if (flags & 0x008) text += 'P';
  if (flags & 0x004) text += 'R';
  if (flags & 0x020) text += 'U';
  if (flags & 0x080) text += 'W';
  if (flags & 0x040) text += 'E';
  if (flags & 0x010) text += '.';
  return text === '' ? 'none' : text;
}

/** Relative sequence numbers as Wireshark shows them: from the ISN, or 1 for the first segment seen. */
function base(end: EndpointSnapshot): number {
  return end.synSeen ? end.isn : (end.firstSeq - 1) | 0;
}

export function ladderSteps(conn: ConnectionSnapshot, sideOf: (dir: number) => Side): LadderStep[] {
  const bases = [base(conn.ends[0]), base(conn.ends[1])];
  return conn.ladder.map((p) => ({
    frame: p.frame,
    from: sideOf(p.dir),
    offset: Math.max(0, Math.round((p.seconds - conn.firstSeconds + (p.nanos - conn.firstNanos) / 1e9) * 1e6) / 1e6),
    flags: flagLetters(p.flags),
    seq: (p.seq - bases[p.dir]) >>> 0,
    ack: (p.flags & 0x010) !== 0 ? (p.ack - bases[p.dir ^ 1]) >>> 0 : null,
    length: p.length,
  }));
}
