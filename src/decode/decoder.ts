import type { Frame } from '../capture/frame.js';
import { decodeBsdLoopback } from './bsd-loopback.js';
import {
  ETHERTYPE_ETHERNET,
  ETHERTYPE_IP_BY_VERSION,
  ETHERTYPE_IPV4,
  ETHERTYPE_IPV6,
  newCursor,
  type DecodeCursor,
} from './cursor.js';
import { decodeEthernet, decodeEtherShims } from './ethernet.js';
import { decodeGre } from './gre.js';
import { decodeIeee80211, decodeRadiotap } from './ieee80211.js';
import { decodeIpv4 } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';
import * as LT from './link-types.js';
import { decodeSll, decodeSll2 } from './linux-cooked.js';
import { decodeArcnetLinux, decodeFddi, decodeIpoib, decodeNflog } from './other-links.js';
import { decodeCiscoHdlc, decodePpp } from './ppp.js';
import { Reason, REASON_COUNT, REASON_NAMES, type NotDecodedReason } from './reasons.js';
import type { TcpSegment } from './segment.js';
import { decodeTcp } from './tcp.js';
import { decodeUdpTunnel } from './udp-tunnels.js';

const ETHERTYPE_PPP = 0x880b;
const IPPROTO_IPIP = 4;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const IPPROTO_IPV6 = 41;
const IPPROTO_GRE = 47;
/** Encapsulations a frame may nest (VLAN stacks count once); deeper is a crafted loop. */
const MAX_DEPTH = 8;

/**
 * Frames -> TCP segments. Fills one reused TcpSegment per frame and counts, by reason, the frames that
 * carry no decodable TCP header. Allocates nothing per packet.
 */
export class SegmentDecoder {
  private readonly cursor: DecodeCursor = newCursor();
  private readonly counts = new Float64Array(REASON_COUNT);
  segments = 0;

  /** Decodes `frame` into `seg`; false (and a counted reason) when the frame holds no TCP segment. */
  decode(frame: Frame, seg: TcpSegment): boolean {
    const c = this.cursor;
    c.bytes = frame.bytes;
    c.offset = frame.offset;
    c.capturedEnd = frame.offset + frame.capturedLength;
    c.wireEnd = frame.offset + Math.max(frame.originalLength, frame.capturedLength);
    c.depth = 0;
    c.laterFragment = false;
    seg.vlan = -1;
    let r = decodeLink(frame.linkType, c);
    if (r === Reason.Decoded) r = decodeNetwork(c, seg);
    if (r !== Reason.Decoded) {
      this.counts[r]++;
      return false;
    }
    seg.frame = frame.number;
    seg.seconds = frame.seconds;
    seg.nanos = frame.nanos;
    this.segments++;
    return true;
  }

  /** Frames without a TCP segment, by reason (only non-zero counts). */
  notDecoded(): Partial<Record<NotDecodedReason, number>> {
    const out: Partial<Record<NotDecodedReason, number>> = {};
    for (let i = 1; i < REASON_COUNT; i++) {
      if (this.counts[i] > 0) out[REASON_NAMES[i] as NotDecodedReason] = this.counts[i];
    }
    return out;
  }
}

function decodeLink(linkType: number, c: DecodeCursor): Reason {
  switch (linkType) {
    case LT.LINKTYPE_ETHERNET:
      return decodeEthernet(c);
    case LT.LINKTYPE_LINUX_SLL:
      return decodeSll(c);
    case LT.LINKTYPE_LINUX_SLL2:
      return decodeSll2(c);
    case LT.LINKTYPE_RAW:
    case LT.LINKTYPE_RAW_12:
    case LT.LINKTYPE_RAW_14:
      c.etherType = ETHERTYPE_IP_BY_VERSION;
      return Reason.Decoded;
    case LT.LINKTYPE_IPV4:
      c.etherType = ETHERTYPE_IPV4;
      return Reason.Decoded;
    case LT.LINKTYPE_IPV6:
      c.etherType = ETHERTYPE_IPV6;
      return Reason.Decoded;
    case LT.LINKTYPE_NULL:
      return decodeBsdLoopback(c, false);
    case LT.LINKTYPE_LOOP:
      return decodeBsdLoopback(c, true);
    case LT.LINKTYPE_PPP:
    case LT.LINKTYPE_PPP_HDLC:
      return decodePpp(c);
    case LT.LINKTYPE_C_HDLC:
      return decodeCiscoHdlc(c);
    case LT.LINKTYPE_FDDI:
      return decodeFddi(c);
    case LT.LINKTYPE_ARCNET_LINUX:
      return decodeArcnetLinux(c);
    case LT.LINKTYPE_IPOIB:
      return decodeIpoib(c);
    case LT.LINKTYPE_NFLOG:
      return decodeNflog(c);
    case LT.LINKTYPE_IEEE802_11:
      return decodeIeee80211(c);
    case LT.LINKTYPE_IEEE802_11_RADIOTAP:
      return decodeRadiotap(c);
    default:
      return Reason.UnsupportedLinkType;
  }
}

/** From an announced ethertype down to TCP, through any tunnels on the way. */
function decodeNetwork(c: DecodeCursor, seg: TcpSegment): Reason {
  for (;;) {
    if (++c.depth > MAX_DEPTH) return Reason.TooDeep;
    let r = decodeEtherShims(c, seg);
    if (r !== Reason.Decoded) return r;
    let etherType = c.etherType;
    if (etherType === ETHERTYPE_IP_BY_VERSION) {
      if (c.capturedEnd - c.offset < 1) return Reason.Truncated;
      const version = c.bytes[c.offset] >> 4;
      etherType = version === 4 ? ETHERTYPE_IPV4 : version === 6 ? ETHERTYPE_IPV6 : 0;
    }
    switch (etherType) {
      case ETHERTYPE_IPV4:
        r = decodeIpv4(c, seg);
        break;
      case ETHERTYPE_IPV6:
        r = decodeIpv6(c, seg);
        break;
      case ETHERTYPE_ETHERNET:
        r = decodeEthernet(c);
        if (r !== Reason.Decoded) return r;
        continue;
      case ETHERTYPE_PPP:
        r = decodePpp(c);
        if (r !== Reason.Decoded) return r;
        continue;
      default:
        // Aruba's GRE protocol types 0x82xx carry 802.11 frames from the access points.
        if ((etherType & 0xff00) !== 0x8200) return Reason.NotIp;
        r = decodeIeee80211(c);
        if (r !== Reason.Decoded) return r;
        continue;
    }
    if (r !== Reason.Decoded) return r;
    if (c.laterFragment) return Reason.Fragment;
    switch (c.ipProtocol) {
      case IPPROTO_TCP:
        return decodeTcp(c, seg);
      case IPPROTO_IPIP:
        c.etherType = ETHERTYPE_IPV4;
        continue;
      case IPPROTO_IPV6:
        c.etherType = ETHERTYPE_IPV6;
        continue;
      case IPPROTO_GRE:
        r = decodeGre(c);
        if (r !== Reason.Decoded) return r;
        continue;
      case IPPROTO_UDP:
        r = decodeUdpTunnel(c);
        if (r !== Reason.Decoded) return r;
        continue;
      default:
        return Reason.NotTcp;
    }
  }
}
