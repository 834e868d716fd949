/**
 * nextState() is the tracker's one transition function (src/track/tcp-state.ts). These tables read like
 * RFC 9293's state diagram (section 3.3.2), plus what a capture adds: endpoints first met mid-way, and
 * FINs that were inferred and then turn out to have been data. Every (state, event) pair not listed
 * must leave the state unchanged.
 */
import { describe, expect, it } from 'vitest';
import { nextState, TCP_STATE_NAMES, TcpEvent, TcpState } from '../../src/track/tcp-state.js';

type Transition = readonly [from: TcpState, event: TcpEvent, to: TcpState, why: string];

const EVENT_NAMES: Record<TcpEvent, string> = {
  [TcpEvent.SendSyn]: 'SendSyn',
  [TcpEvent.ReceiveSyn]: 'ReceiveSyn',
  [TcpEvent.SendSynAck]: 'SendSynAck',
  [TcpEvent.AckSynAck]: 'AckSynAck',
  [TcpEvent.SynAcked]: 'SynAcked',
  [TcpEvent.SendSegment]: 'SendSegment',
  [TcpEvent.SendFin]: 'SendFin',
  [TcpEvent.FinAcked]: 'FinAcked',
  [TcpEvent.AckPeerFin]: 'AckPeerFin',
  [TcpEvent.Reset]: 'Reset',
  [TcpEvent.FinRetracted]: 'FinRetracted',
  [TcpEvent.PeerFinRetracted]: 'PeerFinRetracted',
};
const EVENTS = Object.keys(EVENT_NAMES).map(Number) as TcpEvent[];
const STATES = TCP_STATE_NAMES.map((_, s) => s as TcpState);

/** The arrows of RFC 9293's diagram, as the tracker sees them from the wire. */
const RFC_9293: readonly Transition[] = [
  // Opening.
  [TcpState.Unknown, TcpEvent.SendSyn, TcpState.SynSent, 'active OPEN: send SYN'],
  [TcpState.Unknown, TcpEvent.ReceiveSyn, TcpState.Listen, 'a SYN finds a listener'],
  [TcpState.Listen, TcpEvent.SendSynAck, TcpState.SynReceived, 'LISTEN answers the SYN with SYN,ACK'],
  [TcpState.SynSent, TcpEvent.SendSynAck, TcpState.SynReceived, 'simultaneous open'],
  [TcpState.SynSent, TcpEvent.AckSynAck, TcpState.Established, 'SYN-SENT acknowledges the SYN,ACK'],
  [TcpState.SynReceived, TcpEvent.SynAcked, TcpState.Established, 'SYN-RECEIVED: its SYN acknowledged'],
  [TcpState.Closed, TcpEvent.SendSyn, TcpState.SynSent, 'a new incarnation opens'],
  // Active close.
  [TcpState.Established, TcpEvent.SendFin, TcpState.FinWait1, 'CLOSE: send FIN'],
  [TcpState.FinWait1, TcpEvent.FinAcked, TcpState.FinWait2, 'its FIN acknowledged'],
  [TcpState.FinWait2, TcpEvent.AckPeerFin, TcpState.TimeWait, 'the peer\'s FIN received'],
  // Passive close.
  [TcpState.Established, TcpEvent.AckPeerFin, TcpState.CloseWait, 'the peer\'s FIN received'],
  [TcpState.CloseWait, TcpEvent.SendFin, TcpState.LastAck, 'CLOSE: send FIN'],
  [TcpState.LastAck, TcpEvent.FinAcked, TcpState.Closed, 'its FIN acknowledged: TCB deleted'],
  // Simultaneous close.
  [TcpState.FinWait1, TcpEvent.AckPeerFin, TcpState.Closing, 'FINs crossed'],
  [TcpState.Closing, TcpEvent.FinAcked, TcpState.TimeWait, 'its FIN acknowledged'],
  // Closing before the handshake completes.
  [TcpState.SynReceived, TcpEvent.SendFin, TcpState.FinWait1, 'CLOSE in SYN-RECEIVED: send FIN'],
  [TcpState.SynReceived, TcpEvent.AckPeerFin, TcpState.CloseWait, 'a FIN in SYN-RECEIVED'],
  // Reset from anywhere (section 3.10.7): the sender of a RST, and an acceptable RST's receiver, drop the TCB.
  ...STATES.filter((s) => s !== TcpState.Closed).map((s): Transition => [s, TcpEvent.Reset, TcpState.Closed, 'RST']),
];

/** What a capture that starts late, or misses packets, adds: an endpoint first met past its opening. */
const CAPTURE_GAPS: readonly Transition[] = [
  [TcpState.Unknown, TcpEvent.SendSegment, TcpState.Established, 'the capture began mid-connection'],
  [TcpState.Listen, TcpEvent.SendSegment, TcpState.Established, 'its SYN,ACK was not captured'],
  [TcpState.Unknown, TcpEvent.SendSynAck, TcpState.SynReceived, 'the SYN was not captured'],
  [TcpState.Unknown, TcpEvent.SendFin, TcpState.FinWait1, 'first seen by its FIN'],
  [TcpState.Listen, TcpEvent.SendFin, TcpState.FinWait1, 'its SYN,ACK was not captured, then its FIN'],
  [TcpState.SynSent, TcpEvent.SendFin, TcpState.FinWait1, 'the SYN,ACK was not captured, then its FIN'],
  [TcpState.Unknown, TcpEvent.AckPeerFin, TcpState.CloseWait, 'first seen ACKing the peer\'s FIN'],
  [TcpState.Listen, TcpEvent.AckPeerFin, TcpState.CloseWait, 'its SYN,ACK was not captured, then it ACKs a FIN'],
];

/** An inferred FIN that was data after all: each retraction undoes the event the inference caused. */
const RETRACTIONS: readonly Transition[] = [
  [TcpState.FinWait1, TcpEvent.FinRetracted, TcpState.Established, 'undo SendFin from ESTABLISHED'],
  [TcpState.FinWait2, TcpEvent.FinRetracted, TcpState.Established, 'undo SendFin (and its ACK) from ESTABLISHED'],
  [TcpState.LastAck, TcpEvent.FinRetracted, TcpState.CloseWait, 'undo SendFin from CLOSE_WAIT'],
  [TcpState.Closing, TcpEvent.FinRetracted, TcpState.CloseWait, 'undo SendFin; the peer\'s FIN stays received'],
  [TcpState.TimeWait, TcpEvent.FinRetracted, TcpState.CloseWait, 'undo SendFin and its ACK; the peer\'s FIN stays received'],
  [TcpState.CloseWait, TcpEvent.PeerFinRetracted, TcpState.Established, 'undo AckPeerFin from ESTABLISHED'],
  [TcpState.LastAck, TcpEvent.PeerFinRetracted, TcpState.FinWait1, 'undo AckPeerFin; its own FIN stays sent, unacknowledged'],
  [TcpState.TimeWait, TcpEvent.PeerFinRetracted, TcpState.FinWait2, 'undo AckPeerFin; its own FIN stays sent and acknowledged'],
  [TcpState.Closing, TcpEvent.PeerFinRetracted, TcpState.FinWait1, 'undo AckPeerFin; its own FIN stays sent, unacknowledged'],
];

/** Pairs left out of the "unchanged" sweep (none now). */
const UNSETTLED = new Set<string>();

const ALL = [...RFC_9293, ...CAPTURE_GAPS, ...RETRACTIONS];
const name = (s: TcpState): string => TCP_STATE_NAMES[s];

function table(title: string, rows: readonly Transition[]): void {
  describe(title, () => {
    it.each(rows.map(([from, event, to, why]) => ({ from, event, to, why, label: `${name(from)} --${EVENT_NAMES[event]}--> ${name(to)}` })))(
      '$label ($why)',
      ({ from, event, to }) => {
        expect(name(nextState(from, event))).toBe(name(to));
      },
    );
  });
}

table('RFC 9293 transitions', RFC_9293);
table('transitions a capture with gaps adds', CAPTURE_GAPS);
table('retractions of an inferred FIN', RETRACTIONS);

describe('paths through the diagram', () => {
  const after = (from: TcpState, events: TcpEvent[]): TcpState => events.reduce((s, e) => nextState(s, e), from);
  const walk = (from: TcpState, events: TcpEvent[]): string[] => {
    const path = [name(from)];
    let s = from;
    for (const e of events) path.push(name((s = nextState(s, e))));
    return path;
  };

  it('active close: ESTABLISHED -> FIN_WAIT_1 -> FIN_WAIT_2 -> TIME_WAIT', () => {
    expect(walk(TcpState.Established, [TcpEvent.SendFin, TcpEvent.FinAcked, TcpEvent.AckPeerFin])).toEqual(['ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'TIME_WAIT']);
  });

  it('passive close: ESTABLISHED -> CLOSE_WAIT -> LAST_ACK -> CLOSED', () => {
    expect(walk(TcpState.Established, [TcpEvent.AckPeerFin, TcpEvent.SendFin, TcpEvent.FinAcked])).toEqual(['ESTABLISHED', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSED']);
  });

  it('simultaneous close: FIN_WAIT_1 -> CLOSING -> TIME_WAIT', () => {
    expect(walk(TcpState.Established, [TcpEvent.SendFin, TcpEvent.AckPeerFin, TcpEvent.FinAcked])).toEqual(['ESTABLISHED', 'FIN_WAIT_1', 'CLOSING', 'TIME_WAIT']);
  });

  it('client handshake: SYN_SENT -> ESTABLISHED; server handshake: LISTEN -> SYN_RECEIVED -> ESTABLISHED', () => {
    expect(walk(TcpState.Unknown, [TcpEvent.SendSyn, TcpEvent.AckSynAck])).toEqual(['UNKNOWN', 'SYN_SENT', 'ESTABLISHED']);
    expect(walk(TcpState.Unknown, [TcpEvent.ReceiveSyn, TcpEvent.SendSynAck, TcpEvent.SynAcked])).toEqual(['UNKNOWN', 'LISTEN', 'SYN_RECEIVED', 'ESTABLISHED']);
  });

  it('after a close, the handshake events change nothing until a new SYN', () => {
    expect(walk(TcpState.TimeWait, [TcpEvent.SendSynAck, TcpEvent.AckSynAck, TcpEvent.SynAcked, TcpEvent.SendSegment])).toEqual(Array(5).fill('TIME_WAIT'));
  });

  it('an inferred FIN and its ACK, retracted, leave the endpoint where it was before them', () => {
    // Each path is the events of one side; retracting its own FIN undoes SendFin (and FinAcked with it).
    const withoutOwnFin: [TcpEvent[], TcpEvent[]][] = [
      [[TcpEvent.SendFin], []],
      [[TcpEvent.SendFin, TcpEvent.FinAcked], []],
      [[TcpEvent.SendFin, TcpEvent.AckPeerFin], [TcpEvent.AckPeerFin]],
      [[TcpEvent.SendFin, TcpEvent.AckPeerFin, TcpEvent.FinAcked], [TcpEvent.AckPeerFin]],
      [[TcpEvent.SendFin, TcpEvent.FinAcked, TcpEvent.AckPeerFin], [TcpEvent.AckPeerFin]],
      [[TcpEvent.AckPeerFin, TcpEvent.SendFin], [TcpEvent.AckPeerFin]],
    ];
    for (const [events, kept] of withoutOwnFin) {
      const retracted = nextState(after(TcpState.Established, events), TcpEvent.FinRetracted);
      expect(name(retracted), events.map((e) => EVENT_NAMES[e]).join(', ')).toBe(name(after(TcpState.Established, kept)));
    }
  });
});

describe('events that do not apply', () => {
  const listed = new Map(ALL.map(([from, event, to]) => [`${from}/${event}`, to]));

  it('every transition is listed once', () => {
    expect(listed.size).toBe(ALL.length);
  });

  it('leave the state unchanged, in every state', () => {
    let unchanged = 0;
    for (const state of STATES) {
      for (const event of EVENTS) {
        const key = `${state}/${event}`;
        if (listed.has(key) || UNSETTLED.has(key)) continue;
        expect(name(nextState(state, event)), `${name(state)} + ${EVENT_NAMES[event]}`).toBe(name(state));
        unchanged++;
      }
    }
    expect(unchanged).toBe(STATES.length * EVENTS.length - ALL.length - UNSETTLED.size);
  });
});
