import { u16le } from '../capture/byte-order.js';
import type { DecodeCursor } from './cursor.js';
import { decodeLlc } from './ethernet.js';
import { Reason } from './reasons.js';

const TYPE_DATA = 2;
const FLAG_TO_DS = 0x01;
const FLAG_FROM_DS = 0x02;
const FLAG_PROTECTED = 0x40;
const FLAG_ORDER = 0x80;

/**
 * IEEE 802.11 data frames (as seen on monitor-mode captures and inside Aruba's GRE tunnels): the MAC
 * header is 24 bytes, +6 for a 4-address frame, +2 QoS control, +4 HT control; the body is 802.2 LLC.
 * Management and control frames carry no IP; protected frames are encrypted.
 */
export function decodeIeee80211(c: DecodeCursor): Reason {
  const b = c.bytes;
  const p = c.offset;
  if (c.capturedEnd - p < 24) return Reason.Truncated;
  const control = b[p];
  const flags = b[p + 1];
  if (((control >> 2) & 0x03) !== TYPE_DATA) return Reason.NotIp;
  const subtype = control >> 4;
  // Null-function subtypes (bit 2 of the subtype) have no body.
  if ((subtype & 0x04) !== 0) return Reason.NotIp;
  if ((flags & FLAG_PROTECTED) !== 0) return Reason.NotIp;
  let length = 24;
  if ((flags & FLAG_TO_DS) !== 0 && (flags & FLAG_FROM_DS) !== 0) length += 6;
  const qos = (subtype & 0x08) !== 0;
  if (qos) {
    length += 2;
    if ((flags & FLAG_ORDER) !== 0) length += 4;
  }
  if (c.capturedEnd - p < length) return Reason.Truncated;
  c.offset = p + length;
  return decodeLlc(c);
}

/** Radiotap (LINKTYPE_IEEE802_11_RADIOTAP): a little-endian length at byte 2, then an 802.11 frame. */
export function decodeRadiotap(c: DecodeCursor): Reason {
  const p = c.offset;
  if (c.capturedEnd - p < 4) return Reason.Truncated;
  const length = u16le(c.bytes, p + 2);
  if (length < 8) return Reason.Malformed;
  if (c.capturedEnd - p < length) return Reason.Truncated;
  c.offset = p + length;
  return decodeIeee80211(c);
}
