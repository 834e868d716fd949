import type { Frame } from '../capture/frame.js';
import { LINKTYPE_NOT_A_PACKET } from '../capture/pcapng.js';
import { decodeBsdLoopback } from './bsd-loopback.js';
import {
  ETHERTYPE_ETHERNET,
  ETHERTYPE_IP_BY_VERSION,
  ETHERTYPE_IPV4,
  ETHERTYPE_IPV6,
  ETHERTYPE_PPPOE_SESSION,
  MAX_DATAGRAM,
  newCursor,
  type DecodeCursor,
} from './cursor.js';
import { FragmentFate, FragmentTracker, PREFIX_BYTES, type Datagram } from './fragments.js';
import { decodeIcmpQuote } from './icmp-quote.js';
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
import { copySegment, SegmentKind, type TcpSegment } from './segment.js';
import { decodeTcp } from './tcp.js';
import { decodeUdpTunnel } from './udp-tunnels.js';

const ETHERTYPE_PPP = 0x880b;
const IPPROTO_ICMP = 1;
const IPPROTO_IPIP = 4;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const IPPROTO_IPV6 = 41;
const IPPROTO_GRE = 47;
const IPPROTO_ICMPV6 = 58;

/** Encapsulations a frame may nest (VLAN stacks count once); deeper is a crafted loop. */
const MAX_DEPTH = 8;

/**
 * Frames -> TCP segments. Fills one reused TcpSegment per frame and counts, by reason, the frames that
 * carry no decodable TCP header. Allocates nothing per packet.
 */
export class SegmentDecoder {
  private readonly cursor: DecodeCursor = newCursor();
  private readonly counts = new Float64Array(REASON_COUNT);
  private readonly fragments = new FragmentTracker();
  /** The fragmented datagram whose first fragment is being decoded, while its inner layers are read. */
  private datagram: Datagram | null = null;
  private datagramKey = '';
  private datagramComplete = false;
  private datagramPayloadStart = 0;
  private datagramDepth = 0;
  private datagramDirect = false;
  private datagramProtocol = 0;
  private readonly prefixCursor: DecodeCursor = newCursor();
  /** TCP segments decoded (quoted and header-only observations not included). */
  segments = 0;

  /**
   * Decodes `frame` into `seg`. True when there is something for the flow stage: a TCP segment, or a
   * Quoted/HeaderOnly observation that tshark would number (check `seg.kind`). False (with a counted
   * reason) otherwise.
   */
  decode(frame: Frame, seg: TcpSegment): boolean {
    const c = this.cursor;
    c.bytes = frame.bytes;
    c.offset = frame.offset;
    c.capturedEnd = frame.offset + frame.capturedLength;
    c.wireEnd = frame.offset + Math.max(frame.originalLength, frame.capturedLength);
    c.depth = 0;
    c.fragment = false;
    seg.kind = SegmentKind.Normal;
    seg.vlan = -1;
    seg.unreassembled = false;
    seg.headerCut = false;
    this.datagram = null;
    let r = frame.linkType === LINKTYPE_NOT_A_PACKET ? Reason.NotAPacket : decodeLink(frame.linkType, c);
    if (r === Reason.Decoded) r = this.decodeNetwork(c, seg);
    if (r === Reason.FragmentCompleted) r = Reason.Decoded;
    else if (this.datagram !== null) r = this.settleFragment(seg, r);
    const kind = seg.kind as SegmentKind;
    if (r !== Reason.Decoded) {
      this.counts[r]++;
      // Broken headers are still numbered by tshark: let the flow stage see them.
      if (r !== Reason.Malformed || kind !== SegmentKind.HeaderOnly) return false;
    } else if (kind === SegmentKind.Quoted) {
      this.counts[Reason.IcmpError]++;
    } else {
      this.segments++;
    }
    seg.frame = frame.number;
    seg.seconds = frame.seconds;
    seg.nanos = frame.nanos;
    return true;
  }

  /** Fragmented datagrams abandoned unfinished because of a reassembly limit. */
  get fragmentDatagramsGivenUp(): number {
    return this.fragments.givenUp;
  }

  /** Frames without a TCP segment, by reason (only non-zero counts). */
  notDecoded(): Partial<Record<NotDecodedReason, number>> {
    const out: Partial<Record<NotDecodedReason, number>> = {};
    for (let i = 1; i < REASON_COUNT; i++) {
      if (this.counts[i] > 0) out[REASON_NAMES[i] as NotDecodedReason] = this.counts[i];
    }
    return out;
  }

  /** From an announced ethertype down to TCP, through any tunnels on the way. */
  private decodeNetwork(c: DecodeCursor, seg: TcpSegment): Reason {
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
      if (c.fragment) {
        r = this.enterFragment(c, seg);
        if (r !== Reason.Decoded) return r;
      }
      switch (c.ipProtocol) {
        case IPPROTO_TCP:
          if (this.datagram !== null) {
            // TCP carried by the fragmented datagram itself (not by a tunnel inside it) fills its rest.
            this.datagramDirect = c.depth === this.datagramDepth;
            this.datagram.tcpOffset = c.offset - this.datagramPayloadStart;
          }
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
        case IPPROTO_ICMP:
        case IPPROTO_ICMPV6:
          return this.datagram !== null ? Reason.NotTcp : decodeIcmpQuote(c, seg);
        default:
          return Reason.NotTcp;
      }
    }
  }

  /**
   * A fragment: records its range. Later fragments end decoding here (releasing a held TCP header when
   * they complete the datagram); a first fragment goes on to its transport header, which is held until
   * the datagram completes. As in Wireshark, a first IPv4 fragment whose data was cut by the snap length
   * is not reassembled but read as it is.
   */
  private enterFragment(c: DecodeCursor, seg: TcpSegment): Reason {
    if (this.datagram !== null) return Reason.Fragment;
    if (!c.fragmentCaptured) {
      if (seg.ipVersion === 4 && c.fragmentOffset === 0) {
        seg.unreassembled = true;
        return Reason.Decoded;
      }
      return Reason.Fragment;
    }
    const key = `${seg.ipVersion} ${seg.src0} ${seg.src1} ${seg.src2} ${seg.src3} ${seg.dst0} ${seg.dst1} ${seg.dst2} ${seg.dst3} ${c.fragmentId} ${c.fragmentProtocol}`;
    const fate = this.fragments.add(key, c.fragmentOffset, c.fragmentDataEnd - c.fragmentDataStart, c.moreFragments, c.bytes, c.fragmentDataStart);
    if (fate === FragmentFate.Dropped) return Reason.FragmentDropped;
    const datagram = this.fragments.datagram as Datagram;
    const complete = fate === FragmentFate.Completed;
    if (c.fragmentOffset !== 0) {
      if (!complete) return Reason.Fragment;
      this.fragments.forget(key);
      const held = datagram.pending;
      if (held === null) {
        // The first fragment had too little of the TCP header: read it from the assembled first bytes.
        return c.fragmentProtocol === IPPROTO_TCP && this.decodeFromPrefix(datagram, seg) === Reason.Decoded ? Reason.FragmentCompleted : Reason.Fragment;
      }
      copySegment(held, seg);
      if (datagram.direct) seg.payloadLength = FragmentTracker.directPayload(datagram, seg.headerLength);
      seg.capturedPayloadLength = 0;
      return Reason.FragmentCompleted;
    }
    this.datagram = datagram;
    this.datagramKey = key;
    this.datagramComplete = complete;
    this.datagramPayloadStart = c.fragmentDataStart;
    this.datagramDepth = c.depth;
    this.datagramDirect = false;
    this.datagramProtocol = c.fragmentProtocol;
    // Inner lengths are not bounded by this fragment's end: the datagram goes on in later fragments.
    c.wireEnd = c.fragmentDataStart + MAX_DATAGRAM;
    return Reason.Decoded;
  }

  /**
   * After a first fragment was decoded as far as it goes: a TCP header is released now if the datagram
   * is already complete, else held; a TCP header cut short by a tiny fragment waits for the rest.
   */
  private settleFragment(seg: TcpSegment, r: Reason): Reason {
    const datagram = this.datagram;
    this.datagram = null;
    if (datagram === null) return r;
    if (r !== Reason.Decoded || seg.kind !== SegmentKind.Normal) {
      if (r !== Reason.Truncated || this.datagramProtocol !== IPPROTO_TCP) {
        if (this.datagramComplete) this.fragments.forget(this.datagramKey);
        return r === Reason.Decoded ? Reason.Fragment : r;
      }
      if (!this.datagramComplete) return Reason.Fragment;
      this.fragments.forget(this.datagramKey);
      return this.decodeFromPrefix(datagram, seg);
    }
    if (this.datagramComplete) {
      this.fragments.forget(this.datagramKey);
      if (this.datagramDirect) seg.payloadLength = FragmentTracker.directPayload(datagram, seg.headerLength);
      return Reason.Decoded;
    }
    this.fragments.hold(datagram, seg, this.datagramDirect, datagram.tcpOffset);
    return Reason.Fragment;
  }

  /** A TCP header that starts the datagram's payload, read from the bytes assembled from its fragments. */
  private decodeFromPrefix(datagram: Datagram, seg: TcpSegment): Reason {
    const c = this.prefixCursor;
    c.bytes = datagram.prefix;
    c.offset = 0;
    c.capturedEnd = Math.min(PREFIX_BYTES, datagram.total);
    c.wireEnd = datagram.total;
    seg.kind = SegmentKind.Normal;
    const r = decodeTcp(c, seg);
    if (r !== Reason.Decoded) return r;
    seg.capturedPayloadLength = 0;
    return Reason.Decoded;
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
    case LT.LINKTYPE_PPP_ETHER:
      c.etherType = ETHERTYPE_PPPOE_SESSION;
      return Reason.Decoded;
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
