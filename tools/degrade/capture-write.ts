/**
 * Writes frames back in the shape of the capture they came from: same format, link type(s), interfaces
 * and timestamp precision. Uses the tools/craft writers (no editcap).
 */
import { MemorySink } from '../craft/byte-sink.js';
import { PcapWriter } from '../craft/pcap-writer.js';
import { PcapngWriter } from '../craft/pcapng-writer.js';
import type { CapturedFrame, CaptureModel } from './capture-model.js';

export interface WriteOptions {
  /**
   * Written as the file's (pcap) or every interface's (pcapng) snap length; frames are expected to be cut
   * to it already. Default: 262144 for pcap (what tcpdump writes), 0 = no limit for pcapng.
   */
  snaplen?: number;
}

export function writeCapture(model: CaptureModel, frames: readonly CapturedFrame[], options: WriteOptions = {}): Uint8Array {
  const sink = new MemorySink();
  if (model.format === 'pcap') {
    const linkType = model.interfaces[0]?.linkType ?? frames[0]?.linkType ?? 1;
    const writer = new PcapWriter(sink, { linkType, precision: model.precision === 9 ? 'nano' : 'micro', snaplen: options.snaplen ?? 262144 });
    for (const f of frames) writer.writePacket({ seconds: f.seconds, nanos: f.nanos }, f.data, { originalLength: f.originalLength });
  } else {
    const writer = new PcapngWriter(sink);
    for (const i of model.interfaces) writer.addInterface({ linkType: i.linkType, tsresol: i.precision, snaplen: options.snaplen ?? 0 });
    for (const f of frames) writer.enhancedPacket({ interfaceId: f.interfaceId, ts: { seconds: f.seconds, nanos: f.nanos }, data: f.data, originalLength: f.originalLength });
  }
  return sink.bytes();
}
