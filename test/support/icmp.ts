/** ICMP / ICMPv6 error messages quoting (part of) an offending packet; tools/craft has no ICMP builder. */
import { internetChecksum, IPPROTO, ipv4, ipv6, onesSum, foldChecksum, parseIp } from '../../tools/craft/index.js';

/** ICMPv4 message: type, code, checksum, 4 unused bytes, then `quoted` (the original IP header + data). */
export function icmpv4(from: string, to: string, type: number, code: number, quoted: Uint8Array): Uint8Array {
  const body = new Uint8Array(8 + quoted.length);
  body[0] = type;
  body[1] = code;
  body.set(quoted, 8);
  const sum = internetChecksum(body);
  body[2] = sum >> 8;
  body[3] = sum & 0xff;
  return ipv4({ src: from, dst: to, protocol: IPPROTO.ICMP, payload: body, ttl: 250, id: 0x4444 });
}

/** ICMPv6 message with the checksum over the IPv6 pseudo-header. */
export function icmpv6(from: string, to: string, type: number, code: number, quoted: Uint8Array): Uint8Array {
  const body = new Uint8Array(8 + quoted.length);
  body[0] = type;
  body[1] = code;
  body.set(quoted, 8);
  const src = parseIp(from).bytes;
  const dst = parseIp(to).bytes;
  const pseudo = onesSum(src) + onesSum(dst) + Math.floor(body.length / 0x10000) + (body.length % 0x10000) + IPPROTO.ICMPV6;
  const sum = foldChecksum(pseudo + onesSum(body));
  body[2] = sum >> 8;
  body[3] = sum & 0xff;
  return ipv6({ src: from, dst: to, nextHeader: IPPROTO.ICMPV6, payload: body, hopLimit: 250 });
}

/** The first `tcpBytes` bytes of the TCP header of an IP packet, with the IP header in front (a quote). */
export function quote(ipPacket: Uint8Array, tcpBytes: number): Uint8Array {
  const ipHeader = ipPacket[0] >> 4 === 4 ? (ipPacket[0] & 0x0f) * 4 : 40;
  return ipPacket.slice(0, ipHeader + tcpBytes);
}
