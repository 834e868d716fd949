import { formatAddress } from './address-text.js';
import type { DecodeCursor } from './cursor.js';
import { decodeIpv4 } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';
import { Reason } from './reasons.js';
import { SegmentKind, type TcpSegment } from './segment.js';
import { readTcpFields, TCP_MINIMUM_CAPTURED } from './tcp.js';

const IPPROTO_TCP = 6;

/** ICMP error types that quote the offending datagram (tshark's in_error_pkt). */
function quotesDatagram(version: number, type: number): boolean {
  if (version === 4) return type === 3 || type === 4 || type === 5 || type === 11 || type === 12;
  return type >= 1 && type <= 4;
}

/**
 * An ICMP or ICMPv6 error that quotes a TCP header. tshark looks the quoted 4-tuple up (creating a
 * conversation and a stream number if none exists, splitting a stream on a quoted SYN with a new ISN)
 * when at least 16 bytes of the TCP header are quoted; so does closetrace. The segment then carries the
 * quoted header, the ICMP type and code, and who sent the error (a router or the destination host).
 */
export function decodeIcmpQuote(c: DecodeCursor, seg: TcpSegment): Reason {
  const b = c.bytes;
  const p = c.offset;
  if (c.capturedEnd - p < 8) return Reason.NotTcp;
  const version = seg.ipVersion;
  const type = b[p];
  if (!quotesDatagram(version, type)) return Reason.NotTcp;
  const from = formatAddress(version, seg.src0, seg.src1, seg.src2, seg.src3);
  const code = b[p + 1];
  c.offset = p + 8;
  c.wireEnd = c.capturedEnd;
  if (c.capturedEnd - c.offset < 1) return Reason.NotTcp;
  const quotedVersion = b[c.offset] >> 4;
  const r = quotedVersion === 4 ? decodeIpv4(c, seg) : quotedVersion === 6 ? decodeIpv6(c, seg) : Reason.NotIp;
  if (r !== Reason.Decoded || c.ipProtocol !== IPPROTO_TCP) return Reason.NotTcp;
  // A quoted later fragment has no TCP header.
  if (c.fragment && c.fragmentOffset !== 0) return Reason.NotTcp;
  if (c.capturedEnd - c.offset < TCP_MINIMUM_CAPTURED) return Reason.NotTcp;
  readTcpFields(b, c.offset, seg);
  seg.kind = SegmentKind.Quoted;
  seg.headerLength = (b[c.offset + 12] >> 4) * 4;
  seg.payloadLength = 0;
  seg.capturedPayloadLength = 0;
  seg.optionsLength = 0;
  seg.hasTimestamp = false;
  seg.windowScale = -1;
  seg.icmpType = type;
  seg.icmpCode = code;
  seg.icmpFrom = from;
  return Reason.Decoded;
}
