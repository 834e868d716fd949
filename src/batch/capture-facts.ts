import { emptyQuality } from '../engine/capture-facts.js';
import type { CaptureFacts } from '../report/model.js';

/** The row of an input that could not be read at all: its one-line error and nothing else. */
export function failedCapture(file: string, error: string): CaptureFacts {
  return {
    file,
    format: null,
    compressed: false,
    compression: null,
    linkTypes: [],
    frames: 0,
    tcpSegments: 0,
    connections: 0,
    findings: 0,
    start: null,
    end: null,
    notDecoded: {},
    error,
    warnings: [],
    quality: emptyQuality(),
  };
}

/**
 * The facts with `findings` set, placed right after `connections` so the JSON reads naturally. Built by
 * walking the keys, so fields added to CaptureFacts later are carried over unchanged.
 */
export function withFindings(facts: CaptureFacts, findings: number): CaptureFacts {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(facts)) {
    if (key === 'findings') continue;
    out[key] = value;
    if (key === 'connections') out.findings = findings;
  }
  if (!('findings' in out)) out.findings = findings;
  return out as unknown as CaptureFacts;
}
