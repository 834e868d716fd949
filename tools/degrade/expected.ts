/**
 * The verdict every connection of a variant should get: a pure function of the clean capture's manifest
 * entry (the connection's designed verdict and tshark's facts about its stream) and the variant. Written
 * down from what each degradation removes and what a TCP expert could still prove from the frames left,
 * never from closetrace's output.
 */
import { scenarioId, streamOf, type ManifestCapture, type ManifestConnection, type Side } from './manifest.js';
import { linkHeaderLength } from './tcp-view.js';
import type { VariantName } from './variants.js';

/** A connection that must be in the report, with this verdict. */
export interface PresentExpectation {
  present: true;
  /** A closetrace verdict, or 'one-sided' (the capture saw one direction only). */
  verdict: string;
  endpoint: Side | null;
  /**
   * no-closer-fin: the side whose FIN was dropped although the peer ACKed it; the record must carry an
   * inferred FIN from that side (`record.inferred`). Null when nothing has to be inferred.
   */
  inferredFin: Side | null;
  /** Which rule gave this expectation (for failure messages and the expected-verdict manifest). */
  rule: string;
}

/** A connection that must not appear in the report at all. */
export interface AbsentExpectation {
  present: false;
  rule: string;
}

export type Expectation = PresentExpectation | AbsentExpectation;

/** TCP bytes a segment needs for its flags to be known: ports, seq, ack, data offset and flags. */
export const TCP_BYTES_NEEDED = 14;

const clean = (c: ManifestConnection, rule: string): PresentExpectation => ({ present: true, verdict: c.verdict, endpoint: c.endpoint, inferredFin: null, rule });
const absent = (rule: string): AbsentExpectation => ({ present: false, rule });

/**
 * Link-layer bytes in front of the IP header of the capture's frames. A capture with interfaces of
 * different link types would need the connection's interface, which the manifest does not record.
 */
function linkBytes(capture: ManifestCapture): number {
  const lengths = new Set(capture.linkTypes.map(linkHeaderLength));
  if (lengths.size !== 1) throw new Error(`${capture.file}: link types ${capture.linkTypes.join(',')} have different header lengths`);
  return [...lengths][0];
}

export function expectedFor(capture: ManifestCapture, c: ManifestConnection, variant: VariantName): Expectation {
  const { stream, clientDir, packets } = streamOf(capture, c);
  switch (variant) {
    case 'no-closer-fin': {
      const fin = stream.fins[0];
      if (fin === undefined) return clean(c, 'no FIN in the clean capture: nothing dropped, clean verdict');
      const closer: Side = fin.dir === clientDir ? 'client' : 'server';
      // Proved by the peer's ACK (or an RST+ACK whose ack covers the FIN). Every first FIN in captures/
      // was ACKed by a non-RST frame. Scenario simultaneous-close stays provable: the other side's FIN
      // (and its next segment) does not acknowledge the missing FIN, while the missing FIN's sender's
      // next segment already has seq = FIN + 1.
      if (!fin.acked) return clean(c, `the ${closer}'s FIN (frame ${fin.frame}) is dropped; it was never ACKed, so nothing proves it: clean verdict`);
      return { ...clean(c, `the ${closer}'s FIN (frame ${fin.frame}) is dropped; frame ${fin.acked_by_frame} ACKs it: clean verdict with an inferred FIN`), inferredFin: closer };
    }
    case 'one-way-client':
    case 'one-way-server': {
      const side: Side = variant === 'one-way-client' ? 'client' : 'server';
      if (packets[side] === 0) return absent(`the ${side} sent no frame`);
      // Every connection of these captures is seen one way, and the others prove it (their ACKs show a
      // peer that spoke, yet no connection was seen both ways): the capture is one-directional, so a
      // lone SYN says nothing about whether it was answered (refused lost its RST this way). closetrace
      // judges it from the capture as a whole: one-sided, not unanswered.
      return { present: true, verdict: 'one-sided', endpoint: null, inferredFin: null, rule: `only the ${side}'s ${packets[side]} frames are left` };
    }
    case 'late-start':
      if (!stream.synack.some((s) => s.dir !== clientDir)) return absent('never got a SYN/ACK: its whole life is before the capture starts');
      return clean(c, 'handshake not captured: clean verdict (roles from the ports)');
    case 'snap64':
    case 'snap68': {
      const snaplen = variant === 'snap64' ? 64 : 68;
      const ip = c.client.startsWith('[') ? 40 : 20;
      const needed = linkBytes(capture) + ip + TCP_BYTES_NEEDED;
      if (needed > snaplen) return absent(`link + IPv${ip === 40 ? 6 : 4} + ${TCP_BYTES_NEEDED} TCP bytes = ${needed} > ${snaplen}: TCP flags not captured`);
      return clean(c, `link + IP + ${TCP_BYTES_NEEDED} TCP bytes = ${needed} <= ${snaplen}: clean verdict`);
    }
    case 'no-data':
    case 'duplicated':
    case 'shuffled':
      return clean(c, 'clean verdict');
  }
}

/** The expectation of every connection of a capture in a variant, with the connection's names. */
export function expectationsFor(capture: ManifestCapture, variant: VariantName): Array<{ connection: ManifestConnection; scenario: string; expected: Expectation }> {
  return capture.connections.map((connection) => ({ connection, scenario: scenarioId(connection), expected: expectedFor(capture, connection, variant) }));
}
