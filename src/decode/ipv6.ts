import { i32be, u16be, u32be } from '../capture/byte-order.js';
import type { DecodeCursor } from './cursor.js';
import { Reason } from './reasons.js';
import type { TcpSegment } from './segment.js';

const HOP_BY_HOP = 0;
const ROUTING = 43;
const FRAGMENT = 44;
const AUTHENTICATION = 51;
const DESTINATION_OPTIONS = 60;
const MOBILITY = 135;
const HIP = 139;
const SHIM6 = 140;
const MAX_EXTENSION_HEADERS = 32;

/**
 * IPv6 (RFC 8200) and its extension-header chain: hop-by-hop, routing, fragment, destination options,
 * AH, mobility, HIP and shim6 are walked; the cursor ends at the upper-layer header.
 */
export function decodeIpv6(c: DecodeCursor, seg: TcpSegment): Reason {
  const b = c.bytes;
  const p = c.offset;
  if (c.capturedEnd - p < 40) return Reason.Truncated;
  if (b[p] >> 4 !== 6) return Reason.Malformed;
  const payloadLength = u16be(b, p + 4);
  seg.ipVersion = 6;
  seg.ipId = -1;
  seg.ttl = b[p + 7];
  seg.src0 = i32be(b, p + 8);
  seg.src1 = i32be(b, p + 12);
  seg.src2 = i32be(b, p + 16);
  seg.src3 = i32be(b, p + 20);
  seg.dst0 = i32be(b, p + 24);
  seg.dst1 = i32be(b, p + 28);
  seg.dst2 = i32be(b, p + 32);
  seg.dst3 = i32be(b, p + 36);
  // Payload length 0 means a jumbogram or a TSO super-packet: the frame's own length bounds it then.
  if (payloadLength !== 0 && p + 40 + payloadLength < c.wireEnd) c.wireEnd = p + 40 + payloadLength;
  if (c.capturedEnd > c.wireEnd) c.capturedEnd = c.wireEnd;
  let next = b[p + 6];
  let q = p + 40;
  c.fragment = false;
  for (let i = 0; i < MAX_EXTENSION_HEADERS; i++) {
    switch (next) {
      case HOP_BY_HOP:
      case ROUTING:
      case DESTINATION_OPTIONS:
      case MOBILITY:
      case HIP:
      case SHIM6: {
        if (c.capturedEnd - q < 2) return Reason.Truncated;
        next = b[q];
        q += (b[q + 1] + 1) * 8;
        break;
      }
      case AUTHENTICATION: {
        if (c.capturedEnd - q < 2) return Reason.Truncated;
        next = b[q];
        q += (b[q + 1] + 2) * 4;
        break;
      }
      case FRAGMENT: {
        if (c.capturedEnd - q < 8) return Reason.Truncated;
        next = b[q];
        const field = u16be(b, q + 2);
        c.fragment = true;
        c.fragmentProtocol = next;
        c.fragmentOffset = (field >> 3) * 8;
        c.moreFragments = (field & 1) !== 0;
        c.fragmentId = u32be(b, q + 4);
        q += 8;
        // The fragmentable part (further extension headers included) starts after the fragment header.
        c.fragmentDataStart = q;
        c.fragmentDataEnd = c.wireEnd;
        c.fragmentCaptured = c.capturedEnd >= c.wireEnd;
        // An atomic fragment (offset 0, no more fragments) is a whole datagram (RFC 8200 4.5).
        if (c.fragmentOffset === 0 && !c.moreFragments) c.fragment = false;
        // A later fragment holds data, not headers: walking on would read payload bytes as headers.
        if (c.fragmentOffset !== 0) {
          c.ipProtocol = next;
          c.offset = q;
          return Reason.Decoded;
        }
        break;
      }
      default:
        c.ipProtocol = next;
        c.offset = q;
        return q > c.wireEnd ? Reason.Malformed : Reason.Decoded;
    }
  }
  return Reason.TooDeep;
}
