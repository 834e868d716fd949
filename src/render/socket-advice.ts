/**
 * What the host-level sections say in every text report about how a TIME_WAIT socket answered a SYN
 * that reused its 4-tuple. What time-wait-pressure means and what to do about it is in the catalogue
 * (src/verdict/catalogue.ts), with the verdicts' advice.
 */
import type { TimeWaitReuseReport } from '../report/model.js';


type Outcome = keyof TimeWaitReuseReport['counts'];

/** How the TIME_WAIT socket answered the reusing SYN, in the words of the reports (after the count). */
export const REUSE_OUTCOMES: Record<Outcome, string> = {
  accepted: 'accepted: the TIME_WAIT socket answered with a SYN/ACK (the SYN was newer than the old connection)',
  ack: 'answered with an ACK: the SYN looked old; the client resets the TIME_WAIT and retries',
  rst: 'answered with a RST',
  none: 'not answered',
};

export const REUSE_MEANING =
  'A SYN reused a 4-tuple (same addresses and ports) while one side still held it in TIME_WAIT. Linux accepts such a SYN from ' +
  'TIME_WAIT when its sequence number or timestamp is newer than the old connection\'s; otherwise it answers with an ACK, the client ' +
  'answers that with a RST (which ends the TIME_WAIT) and its retried SYN, moments later, reaches the listener. Many of them mean ' +
  'clients reuse ports faster than TIME_WAIT frees them.';
