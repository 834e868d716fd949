import type { EndpointSnapshot } from '../track/connection-view.js';
import type { RstEvent } from '../track/evidence.js';

export interface MiddleboxSignals {
  /** TTL/hop limit outside the narrow range of the endpoint's own packets. */
  ttl: boolean;
  /** An active-shaped RST whose IPv4 ID does not sit inside the socket's steady ID series. */
  ipId: boolean;
  /** Sequence number outside the receiver's window (or a SYN not acknowledged by a RST+ACK). */
  window: boolean;
}

/**
 * Does a RST look like it came from the endpoint whose address it carries? Judged with all of that
 * endpoint's other packets, before and after the RST: a firewall or load balancer forging a RST sits at
 * a different hop distance (TTL) and does not share the socket's IPv4 ID counter (Linux and BSD number a
 * connected socket's packets from one per-socket counter).
 */
export function middleboxSignals(rst: RstEvent, sender: EndpointSnapshot): MiddleboxSignals {
  return { ttl: ttlUnlike(rst, sender), ipId: ipIdUnlike(rst, sender), window: !rst.acceptable };
}

/** Forged-looking: its IP-level identity does not match the endpoint it claims to come from. */
export function looksForged(s: MiddleboxSignals): boolean {
  return s.ttl || s.ipId;
}

function ttlUnlike(rst: RstEvent, sender: EndpointSnapshot): boolean {
  if (sender.ttlSamples < 2 || sender.ttlMax - sender.ttlMin > 1) return false;
  return rst.ttl < sender.ttlMin || rst.ttl > sender.ttlMax;
}

/** Largest gap between the IDs around the RST for the series to count as continuous. */
const SERIES_GAP = 4096;

/**
 * Only judged when the sender kept a steady series (small steps, no jumps) and sent packets on both
 * sides of the RST close together in the series: its own active RST must then fall between them.
 * IDs from a host-wide counter (Windows) advance with other traffic, so one side alone proves nothing.
 */
function ipIdUnlike(rst: RstEvent, sender: EndpointSnapshot): boolean {
  if (rst.ipId < 0 || rst.shape !== 'active' || rst.ipIdBefore < 0 || rst.ipIdAfter < 0) return false;
  if (sender.ipIdSteps < 2 || sender.ipIdJumps > 0) return false;
  const span = (rst.ipIdAfter - rst.ipIdBefore) & 0xffff;
  if (span > SERIES_GAP) return false;
  const offset = (rst.ipId - rst.ipIdBefore) & 0xffff;
  return offset > span;
}
