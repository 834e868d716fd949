/**
 * The reading stage's output: one record per capture record (packet), reused for every packet.
 *
 * The packet bytes are not copied: they live in `bytes[offset, offset + capturedLength)`, a view into the
 * reader's buffer that is only valid until the callback that received the frame returns.
 */
export interface Frame {
  /** 1-based, every packet record counted, as Wireshark's `frame.number`. */
  number: number;
  /** Whole seconds since the epoch. */
  seconds: number;
  /** Nanoseconds within the second, 0..999 999 999 (full precision of the capture up to 1 ns). */
  nanos: number;
  /**
   * False for records without a time of their own and nothing to borrow it from (a pcapng custom block,
   * or a simple packet block before any timestamped packet): they do not move the capture's start/end.
   */
  timeKnown: boolean;
  capturedLength: number;
  originalLength: number;
  /** pcapng interface index within the section (0 for classic pcap). */
  interfaceId: number;
  /** Sub-second digits of this packet's timestamp resolution (6 for microseconds, 9 for nanoseconds). */
  precision: number;
  /** LINKTYPE_* value of the interface the packet was captured on. */
  linkType: number;
  /** Snap length of that interface (0 when the capture declares none), for writing the frame out again. */
  snapLength: number;
  /** Buffer holding the packet bytes; valid only during the callback. */
  bytes: Uint8Array;
  /** Offset of the first packet byte in `bytes`. */
  offset: number;
  /** Byte offset of the record in the (decompressed) capture stream. */
  fileOffset: number;
}

export function newFrame(): Frame {
  return {
    number: 0,
    seconds: 0,
    nanos: 0,
    timeKnown: true,
    capturedLength: 0,
    originalLength: 0,
    interfaceId: 0,
    precision: 6,
    linkType: 0,
    snapLength: 0,
    bytes: new Uint8Array(0),
    offset: 0,
    fileOffset: 0,
  };
}
