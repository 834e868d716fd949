/**
 * Every entry of VERDICT_RULES (src/verdict/judge.ts), one describe each: a connection the rule
 * decides, with the verdict, endpoint and evidence it gives, and one it declines. Each connection is
 * real tracker state (test/track/replay.ts), and the Case is built by judge()'s own caseOf(). A
 * positive case also shows that every rule before it in the list declines, so the rule decides alone,
 * and that judge() gives the same answer. A rule added to the list without a case here fails the
 * first test.
 */
import { describe, expect, it } from 'vitest';
import type { Case, VerdictRule } from '../../src/verdict/case.js';
import { closeWait, closerFinUnacked, finUnacked, noClose, oneSided, orderly, simultaneousClose, slowClose, unansweredSyn } from '../../src/verdict/close-rules.js';
import { caseOf, DEFAULT_THRESHOLDS, judge, newJudgement, VERDICT_RULES, type Judgement } from '../../src/verdict/judge.js';
import {
  abortiveClose,
  forgedReset,
  ignoredResets,
  keepaliveTimeout,
  lateFinReset,
  noSocketReset,
  refusedByReset,
  resetAfterClose,
  resetOfUnackedData,
  resetOfUnseenData,
  unknownReset,
} from '../../src/verdict/reset-rules.js';
import { A, B, established, Replay } from '../track/replay.js';

/** A replayed connection and how it is judged: A is the client unless said otherwise. */
interface Scenario {
  w: Replay;
  /** Capture end, seconds after the replay's start (default: its latest segment). */
  end?: number;
  /** The capture as a whole looks one-directional. */
  oneWay?: boolean;
}

interface Example {
  story: string;
  scenario: () => Scenario;
}

interface Decided extends Example {
  /** What the rule writes into the judgement (fields not named are not checked). */
  gives: Partial<Judgement>;
}

interface RuleCases {
  fn: VerdictRule;
  decides: Decided[];
  /** Empty only for the last rule, which decides whatever reaches it. */
  declines: Example[];
}

const CLIENT = A;

/** The Case judge() builds for a connection, for calling one rule on its own. */
function caseFor(s: Scenario): Case {
  return caseOf(s.w.conn, CLIENT, s.w.instant(s.end ?? s.w.time), DEFAULT_THRESHOLDS, s.oneWay ?? false);
}

function judged(s: Scenario): Judgement {
  return judge(s.w.conn, CLIENT, s.w.instant(s.end ?? s.w.time), DEFAULT_THRESHOLDS, newJudgement(), { oneWay: s.oneWay ?? false });
}

// Connections the rules below share.

/** Handshake, then B closes first: its FIN is frame 4, A's ACK of it frame 5. */
function serverClosedFirst(): Replay {
  const w = established();
  w.send(B, 'FA', { seq: 501, ack: 101 }); // 4
  w.send(A, 'A', { seq: 101, ack: 502 }); // 5
  return w;
}

/** Handshake, then A's FIN (frame 4) ACKed by B (frame 5). */
function clientFinAcked(): Replay {
  const w = established();
  w.send(A, 'FA', { seq: 101, ack: 501 }); // 4
  w.send(B, 'A', { seq: 501, ack: 102 }); // 5
  return w;
}

/** A SYN (frame 1) retried 1 s later (frame 2), nothing else. */
function synRetried(): Replay {
  const w = new Replay();
  w.send(A, 'S', { seq: 100 });
  w.send(A, 'S', { seq: 100, at: 1 });
  return w;
}

/** Handshake and one exchange in which B's packets have TTL 52, then a RST from B with `rstTtl`. */
function serverResetWithTtl(rstTtl: number): Scenario {
  const w = new Replay();
  w.send(A, 'S', { seq: 100 }); // 1
  w.send(B, 'SA', { seq: 500, ack: 101, ttl: 52 }); // 2
  w.send(A, 'A', { seq: 101, ack: 501 }); // 3
  w.send(B, 'PA', { seq: 501, ack: 101, len: 100, ttl: 52 }); // 4
  w.send(A, 'A', { seq: 101, ack: 601 }); // 5
  w.send(B, 'RA', { seq: 601, ack: 101, ttl: rstTtl }); // 6
  return { w };
}

/** A bare RST (no ACK, window 0, no options): what a host sends for a segment that finds no socket. */
const BARE = { window: 0, options: 0 } as const;

const CASES: Record<string, RuleCases> = {
  'one-sided': {
    fn: oneSided,
    decides: [
      {
        story: 'only the client\'s packets were captured, and they ACK the server',
        scenario: () => {
          const w = new Replay();
          w.send(A, 'A', { seq: 101, ack: 501 });
          w.send(A, 'PA', { seq: 101, ack: 501, len: 10 });
          return { w };
        },
        gives: { verdict: 'one-sided', unseen: B, endpoint: -1, evidence: [2] },
      },
      {
        story: 'a SYN and its retry, in a capture that looks one-directional (a SPAN port mirroring one way)',
        scenario: () => ({ w: synRetried(), oneWay: true }),
        gives: { verdict: 'one-sided', unseen: B, evidence: [1, 2] },
      },
    ],
    declines: [
      {
        story: 'the same SYNs in a capture that saw other connections both ways: nobody answered them',
        scenario: () => ({ w: synRetried() }),
      },
      { story: 'both sides were captured', scenario: () => ({ w: established() }) },
    ],
  },

  'refused (RST)': {
    fn: refusedByReset,
    decides: [
      {
        story: 'the server answers the SYN with RST,ACK',
        scenario: () => {
          const w = new Replay();
          w.send(A, 'S', { seq: 100 });
          w.send(B, 'RA', { seq: 0, ack: 101, ...BARE });
          return { w };
        },
        gives: { verdict: 'refused', endpoint: B, evidence: [1, 2] },
      },
    ],
    declines: [
      {
        story: 'the server had answered with a SYN,ACK before its RST: something was listening',
        scenario: () => {
          const w = new Replay();
          w.send(A, 'S', { seq: 100 });
          w.send(B, 'SA', { seq: 500, ack: 101 });
          w.send(B, 'RA', { seq: 501, ack: 101, ...BARE });
          return { w };
        },
      },
    ],
  },

  'reset: middlebox-suspected (forged RST)': {
    fn: forgedReset,
    decides: [
      {
        story: 'the RST\'s TTL (250) is unlike every other packet of the server (52)',
        scenario: () => serverResetWithTtl(250),
        gives: { verdict: 'reset', cause: 'middlebox-suspected', endpoint: B, evidence: [6], middlebox: { ttl: true, ipId: false, window: false } },
      },
    ],
    declines: [{ story: 'the RST has the server\'s own TTL', scenario: () => serverResetWithTtl(52) }],
  },

  'keepalive-timeout': {
    fn: keepaliveTimeout,
    decides: [
      {
        story: 'three unanswered keepalive probes, then the prober\'s active RST',
        scenario: () => {
          const w = established();
          w.send(A, 'PA', { seq: 101, ack: 501, len: 10 }); // 4
          w.send(B, 'A', { seq: 501, ack: 111 }); // 5
          for (const at of [7200, 7275, 7350]) w.send(A, 'A', { seq: 110, ack: 501, at }); // 6-8
          w.send(A, 'RA', { seq: 111, ack: 501, at: 7425 }); // 9
          return { w };
        },
        gives: { verdict: 'keepalive-timeout', endpoint: A, evidence: [6, 9] },
      },
    ],
    declines: [
      {
        story: 'the probe was answered before the RST',
        scenario: () => {
          const w = established();
          w.send(A, 'A', { seq: 100, ack: 501, at: 7200 });
          w.send(B, 'A', { seq: 501, ack: 101 });
          w.send(A, 'RA', { seq: 101, ack: 501 });
          return { w };
        },
      },
    ],
  },

  'reset-after-close (data it never ACKed)': {
    fn: resetOfUnackedData,
    decides: [
      {
        story: 'the server closed, the client wrote anyway, and the server reset that data unACKed',
        scenario: () => {
          const w = serverClosedFirst();
          w.send(A, 'PA', { seq: 101, ack: 502, len: 200 }); // 6
          w.send(B, 'R', { seq: 502, ...BARE }); // 7
          return { w };
        },
        gives: { verdict: 'reset-after-close', endpoint: B, evidence: [4, 6, 7] },
      },
      {
        story: 'the server sent data the client never ACKed, then its bare FIN 75 s late: the data decides, not the late FIN',
        scenario: () => {
          const w = clientFinAcked();
          w.send(B, 'PA', { seq: 501, ack: 102, len: 100 }); // 6
          w.send(B, 'FA', { seq: 601, ack: 102, at: 75 }); // 7
          w.send(A, 'R', { seq: 102, ...BARE }); // 8
          return { w };
        },
        gives: { verdict: 'reset-after-close', endpoint: A, evidence: [4, 7, 8] },
      },
    ],
    declines: [
      {
        story: 'the server had ACKed the data before its RST',
        scenario: () => {
          const w = serverClosedFirst();
          w.send(A, 'PA', { seq: 101, ack: 502, len: 200 });
          w.send(B, 'A', { seq: 502, ack: 301 });
          w.send(B, 'R', { seq: 502, ...BARE });
          return { w };
        },
      },
    ],
  },

  'late-fin-reset': {
    fn: lateFinReset,
    decides: [
      {
        story: 'the server\'s FIN comes 75 s after the client\'s was ACKed, and the client answers it with a passive RST',
        scenario: () => {
          const w = clientFinAcked(); // A's FIN at 0.04 s
          w.send(B, 'FA', { seq: 501, ack: 102, at: 75 }); // 6
          w.send(A, 'R', { seq: 102, ...BARE }); // 7
          return { w };
        },
        gives: { verdict: 'late-fin-reset', endpoint: B, delaySeconds: expect.closeTo(74.96, 6) as number, evidence: [4, 5, 6, 7] },
      },
      {
        story: 'the same after a half-close in which the server sent data the client ACKed: the late FIN decides',
        scenario: () => {
          const w = clientFinAcked();
          w.send(B, 'PA', { seq: 501, ack: 102, len: 100 }); // 6
          w.send(A, 'A', { seq: 102, ack: 601 }); // 7
          w.send(B, 'FA', { seq: 601, ack: 102, at: 75 }); // 8
          w.send(A, 'R', { seq: 102, ...BARE }); // 9
          return { w };
        },
        gives: { verdict: 'late-fin-reset', endpoint: B, evidence: [4, 5, 8, 9] },
      },
    ],
    declines: [
      {
        story: 'the late FIN carried data: data after a full close, not a late FIN',
        scenario: () => {
          const w = clientFinAcked();
          w.send(B, 'FA', { seq: 501, ack: 102, len: 20, at: 75 });
          w.send(A, 'R', { seq: 102, ...BARE });
          return { w };
        },
      },
    ],
  },

  'reset-after-close': {
    fn: resetAfterClose,
    decides: [
      {
        story: 'the client sent data after the server\'s FIN; the server ACKed it, then reset',
        scenario: () => {
          const w = serverClosedFirst();
          w.send(A, 'PA', { seq: 101, ack: 502, len: 200 }); // 6
          w.send(B, 'A', { seq: 502, ack: 301 }); // 7
          w.send(B, 'RA', { seq: 502, ack: 301 }); // 8
          return { w };
        },
        gives: { verdict: 'reset-after-close', endpoint: B, evidence: [4, 6, 8] },
      },
    ],
    declines: [
      {
        story: 'nothing came from the client after the server\'s FIN but its ACK',
        scenario: () => {
          const w = serverClosedFirst();
          w.send(B, 'RA', { seq: 502, ack: 101 });
          return { w };
        },
      },
    ],
  },

  'reset-after-close (its trigger not captured)': {
    fn: resetOfUnseenData,
    decides: [
      {
        story: 'the server closed, and later sent a passive RST though nothing from the client was captured',
        scenario: () => {
          const w = serverClosedFirst();
          w.send(B, 'R', { seq: 502, ...BARE }); // 6
          return { w };
        },
        gives: { verdict: 'reset-after-close', endpoint: B, confidence: 'likely', evidence: [4, 5, 6], inferred: [{ kind: 'data', from: A, proofFrame: 6 }] },
      },
    ],
    declines: [
      {
        story: 'the client had closed as well',
        scenario: () => {
          const w = serverClosedFirst();
          w.send(A, 'FA', { seq: 101, ack: 502 });
          w.send(B, 'R', { seq: 502, ...BARE });
          return { w };
        },
      },
    ],
  },

  'abortive-close': {
    fn: abortiveClose,
    decides: [
      {
        story: 'an active RST from the client, which had received nothing: SO_LINGER 0',
        scenario: () => {
          const w = established();
          w.send(A, 'RA', { seq: 101, ack: 501 }); // 4
          return { w };
        },
        gives: { verdict: 'abortive-close', endpoint: A, cause: 'linger-zero', confidence: 'certain', fromState: 'ESTABLISHED', bytesDiscarded: 0, evidence: [4] },
      },
    ],
    declines: [
      {
        story: 'a passive RST (bare, no window, no options)',
        scenario: () => {
          const w = established();
          w.send(B, 'R', { seq: 501, ...BARE });
          return { w };
        },
      },
    ],
  },

  'reset: no-socket': {
    fn: noSocketReset,
    decides: [
      {
        story: 'a bare RST from the server in the middle of the connection',
        scenario: () => {
          const w = established();
          w.send(B, 'R', { seq: 501, ...BARE }); // 4
          return { w };
        },
        gives: { verdict: 'reset', cause: 'no-socket', endpoint: B, evidence: [4] },
      },
    ],
    declines: [
      {
        story: 'an active RST',
        scenario: () => {
          const w = established();
          w.send(B, 'RA', { seq: 501, ack: 101 });
          return { w };
        },
      },
    ],
  },

  'reset: unknown': {
    fn: unknownReset,
    decides: [
      {
        story: 'an active RST after the client\'s own FIN was ACKed, with no data either way (an abort after shutdown())',
        scenario: () => {
          const w = clientFinAcked();
          w.send(A, 'RA', { seq: 102, ack: 501 }); // 6
          return { w };
        },
        gives: { verdict: 'reset', cause: 'unknown', endpoint: A, evidence: [6] },
      },
    ],
    declines: [
      {
        story: 'the only RST is far outside the receiver\'s window and not at its sender\'s next sequence number',
        scenario: () => {
          const w = established();
          w.send(B, 'RA', { seq: 501 + 5_000_000, ack: 101 });
          return { w };
        },
      },
    ],
  },

  'reset: middlebox-suspected (ignored RSTs only)': {
    fn: ignoredResets,
    decides: [
      {
        story: 'a RST the client had to ignore (out of its window), and no close at all',
        scenario: () => {
          const w = established();
          w.send(B, 'RA', { seq: 501 + 5_000_000, ack: 101 }); // 4
          return { w };
        },
        gives: { verdict: 'reset', cause: 'middlebox-suspected', endpoint: B, evidence: [4], middlebox: { ttl: false, ipId: false, window: true } },
      },
    ],
    declines: [
      {
        story: 'the same ignored RST, then an orderly close',
        scenario: () => {
          const w = established();
          w.send(B, 'RA', { seq: 501 + 5_000_000, ack: 101 });
          w.send(A, 'FA', { seq: 101, ack: 501 });
          w.send(B, 'FA', { seq: 501, ack: 102 });
          w.send(A, 'A', { seq: 102, ack: 502 });
          return { w };
        },
      },
    ],
  },

  'refused (ICMP) or unanswered': {
    fn: unansweredSyn,
    decides: [
      {
        story: 'a SYN sent three times, never answered',
        scenario: () => {
          const w = new Replay();
          for (const at of [0, 1, 3]) w.send(A, 'S', { seq: 100, at });
          return { w };
        },
        gives: { verdict: 'unanswered', endpoint: -1, evidence: [1] },
      },
      {
        story: 'a SYN answered by ICMP port unreachable',
        scenario: () => {
          const w = new Replay();
          w.send(A, 'S', { seq: 100 }); // 1
          w.icmp(A, 'S', 3, { seq: 100 }); // 2
          return { w };
        },
        gives: { verdict: 'refused', endpoint: B, evidence: [1, 2] },
      },
    ],
    declines: [
      {
        story: 'the server answered with a SYN,ACK',
        scenario: () => {
          const w = new Replay();
          w.send(A, 'S', { seq: 100 });
          w.send(B, 'SA', { seq: 500, ack: 101 });
          return { w };
        },
      },
    ],
  },

  open: {
    fn: noClose,
    decides: [
      {
        story: 'data both ways, no FIN, no RST',
        scenario: () => {
          const w = established();
          w.send(A, 'PA', { seq: 101, ack: 501, len: 10 });
          w.send(B, 'PA', { seq: 501, ack: 111, len: 20 });
          return { w };
        },
        gives: { verdict: 'open', endpoint: -1, evidence: [] },
      },
    ],
    declines: [{ story: 'a FIN was sent', scenario: () => ({ w: clientFinAcked() }) }],
  },

  'close-wait (or open, closing)': {
    fn: closeWait,
    decides: [
      {
        story: 'the server ACKed the client\'s FIN (frame 5, at 0.05 s) and had not closed 10 s later',
        scenario: () => ({ w: clientFinAcked(), end: 10 }),
        gives: { verdict: 'close-wait', endpoint: B, stuckSeconds: expect.closeTo(9.95, 6) as number, activity: 'idle', evidence: [4, 5] },
      },
      {
        story: 'the same, but the capture ended 0.45 s later: a close in progress',
        scenario: () => ({ w: clientFinAcked(), end: 0.5 }),
        gives: { verdict: 'open', closing: true, endpoint: B, evidence: [4, 5] },
      },
    ],
    declines: [
      {
        story: 'the server closed too (LAST_ACK, not CLOSE_WAIT)',
        scenario: () => {
          const w = clientFinAcked();
          w.send(B, 'FA', { seq: 501, ack: 102 });
          return { w, end: 10 };
        },
      },
    ],
  },

  'fin-unacked (first closer)': {
    fn: closerFinUnacked,
    decides: [
      {
        story: 'the client\'s FIN, never ACKed, 5 s before the capture ended',
        scenario: () => {
          const w = established();
          w.send(A, 'FA', { seq: 101, ack: 501 }); // 4
          return { w, end: 5 };
        },
        gives: { verdict: 'fin-unacked', endpoint: A, confidence: 'likely', evidence: [4] },
      },
    ],
    declines: [{ story: 'the server ACKed it', scenario: () => ({ w: clientFinAcked(), end: 5 }) }],
  },

  'simultaneous-close': {
    fn: simultaneousClose,
    decides: [
      {
        story: 'the server\'s FIN does not ACK the client\'s: they crossed',
        scenario: () => {
          const w = established();
          w.send(A, 'FA', { seq: 101, ack: 501 }); // 4
          w.send(B, 'FA', { seq: 501, ack: 101 }); // 5
          w.send(A, 'A', { seq: 102, ack: 502 });
          w.send(B, 'A', { seq: 502, ack: 102 });
          return { w };
        },
        gives: { verdict: 'simultaneous-close', endpoint: -1, evidence: [4, 5] },
      },
    ],
    declines: [
      {
        story: 'the server\'s FIN ACKs the client\'s',
        scenario: () => {
          const w = established();
          w.send(A, 'FA', { seq: 101, ack: 501 });
          w.send(B, 'FA', { seq: 501, ack: 102 });
          w.send(A, 'A', { seq: 102, ack: 502 });
          return { w };
        },
      },
    ],
  },

  'fin-unacked': {
    fn: finUnacked,
    decides: [
      {
        story: 'the second closer\'s FIN, retransmitted and never ACKed',
        scenario: () => {
          const w = clientFinAcked();
          w.send(B, 'FA', { seq: 501, ack: 102 }); // 6
          w.again(0.2); // 7
          return { w };
        },
        gives: { verdict: 'fin-unacked', endpoint: B, confidence: 'certain', evidence: [6, 7] },
      },
    ],
    declines: [
      {
        story: 'the client ACKed it',
        scenario: () => {
          const w = clientFinAcked();
          w.send(B, 'FA', { seq: 501, ack: 102 });
          w.send(A, 'A', { seq: 102, ack: 502 });
          return { w };
        },
      },
      {
        story: 'sent once, just before the capture ended: its ACK may only have been cut off',
        scenario: () => {
          const w = clientFinAcked();
          w.send(B, 'FA', { seq: 501, ack: 102 });
          return { w };
        },
      },
    ],
  },

  'slow-close': {
    fn: slowClose,
    decides: [
      {
        story: 'the server ACKed the client\'s FIN at 0.05 s and sent its own at 2.55 s',
        scenario: () => {
          const w = clientFinAcked();
          w.send(B, 'FA', { seq: 501, ack: 102, at: 2.55 }); // 6
          w.send(A, 'A', { seq: 102, ack: 502 });
          return { w };
        },
        gives: { verdict: 'slow-close', endpoint: B, delaySeconds: expect.closeTo(2.5, 6) as number, evidence: [4, 5, 6] },
      },
    ],
    declines: [
      {
        story: 'the server\'s FIN came 0.1 s after its ACK',
        scenario: () => {
          const w = clientFinAcked();
          w.send(B, 'FA', { seq: 501, ack: 102, at: 0.15 });
          w.send(A, 'A', { seq: 102, ack: 502 });
          return { w };
        },
      },
    ],
  },

  orderly: {
    fn: orderly,
    decides: [
      {
        story: 'both FINs sent and ACKed, the client first',
        scenario: () => {
          const w = established();
          w.send(A, 'FA', { seq: 101, ack: 501 }); // 4
          w.send(B, 'FA', { seq: 501, ack: 102 }); // 5
          w.send(A, 'A', { seq: 102, ack: 502 });
          return { w };
        },
        gives: { verdict: 'orderly', endpoint: A, halfClose: false, evidence: [4, 5] },
      },
    ],
    declines: [],
  },
};

it('every rule in VERDICT_RULES has cases here, and every case a rule', () => {
  expect(Object.keys(CASES).sort()).toEqual(VERDICT_RULES.map((r) => r.name).sort());
});

VERDICT_RULES.forEach(({ name, rule }, index) => {
  describe(name, () => {
    const cases = CASES[name] as RuleCases | undefined;
    if (cases === undefined) return;

    it(`is ${cases.fn.name}()`, () => {
      expect(rule).toBe(cases.fn);
    });

    for (const example of cases.decides) {
      it(`decides: ${example.story}`, () => {
        const s = example.scenario();
        const c = caseFor(s);
        const alone = newJudgement();
        expect(rule(c, alone)).toBe(true);
        expect(alone).toMatchObject(example.gives);
        // Every rule before it declines, so in the list this one decides ...
        const earlier = VERDICT_RULES.slice(0, index).filter((r) => r.rule(caseFor(s), newJudgement()));
        expect(earlier.map((r) => r.name)).toEqual([]);
        // ... and judge(), the whole path, says the same.
        const full = judged(s);
        expect(full).toMatchObject(example.gives);
        expect([full.verdict, full.endpoint, full.cause, full.evidence]).toEqual([alone.verdict, alone.endpoint, alone.cause, alone.evidence]);
      });
    }

    for (const example of cases.declines) {
      it(`declines: ${example.story}`, () => {
        expect(rule(caseFor(example.scenario()), newJudgement())).toBe(false);
      });
    }

    if (cases.declines.length === 0) {
      it('never declines: the last rule, so every connection gets a verdict', () => {
        expect(index).toBe(VERDICT_RULES.length - 1);
        const open = established();
        expect(rule(caseFor({ w: open }), newJudgement())).toBe(true);
      });
    }
  });
});
