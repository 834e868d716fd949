import { u16be } from '../capture/byte-order.js';
import type { DecodeCursor } from './cursor.js';
import { decodeLlc } from './ethernet.js';
import { Reason } from './reasons.js';

const ARPHRD_NETLINK = 824;
const ETH_P_802_2 = 0x0004;

/** Linux "cooked" capture v1 (LINKTYPE_LINUX_SLL, 16 bytes), what `tcpdump -i any` wrote before 4.99. */
export function decodeSll(c: DecodeCursor): Reason {
  const b = c.bytes;
  const p = c.offset;
  if (c.capturedEnd - p < 16) return Reason.Truncated;
  return cookedPayload(c, u16be(b, p + 2), u16be(b, p + 14), p + 16);
}

/** Linux cooked capture v2 (LINKTYPE_LINUX_SLL2, 20 bytes): protocol first, interface index added. */
export function decodeSll2(c: DecodeCursor): Reason {
  const b = c.bytes;
  const p = c.offset;
  if (c.capturedEnd - p < 20) return Reason.Truncated;
  return cookedPayload(c, u16be(b, p + 8), u16be(b, p), p + 20);
}

function cookedPayload(c: DecodeCursor, hardwareType: number, protocol: number, payload: number): Reason {
  // Netlink captures (nlmon) reuse the protocol field for the netlink family: never IP.
  if (hardwareType === ARPHRD_NETLINK) return Reason.NotIp;
  c.offset = payload;
  if (protocol === ETH_P_802_2) return decodeLlc(c);
  c.etherType = protocol;
  return Reason.Decoded;
}
