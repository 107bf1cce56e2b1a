/**
 * An SmsProvider for dispatch tests that sends nothing: it records every message, how many sends
 * were in flight at once, and fails when told to.
 */
import { SmsError } from '../../core/errors';
import type { OutboundSms, SendResult, SmsProvider } from '../../core/types';

export interface FakeBehaviour {
  /** How long each send takes; real time, so concurrent sends overlap. */
  latencyMs?: () => number;
  /** What to throw for the `call`-th send (1-based); undefined to accept it. */
  fail?: (msg: OutboundSms, call: number) => unknown;
}

export function fakeProvider(behave: FakeBehaviour = {}) {
  const calls: OutboundSms[] = [];
  const state = { inFlight: 0, peak: 0 };
  const provider: SmsProvider = {
    id: 'sandbox',
    displayName: 'fake',
    defaultBaseUrl: '',
    credentialFields: [],
    async send(msg: OutboundSms): Promise<SendResult> {
      calls.push(msg);
      const call = calls.length;
      state.inFlight++;
      state.peak = Math.max(state.peak, state.inFlight);
      try {
        const latency = behave.latencyMs?.() ?? 0;
        if (latency > 0) await new Promise<void>((r) => setTimeout(r, latency));
        const failure = behave.fail?.(msg, call);
        if (failure !== undefined) throw failure;
        return { provider: 'sandbox', messageId: `m-${call}`, status: 'queued', to: msg.to, segments: msg.segments, encoding: msg.encoding };
      } finally {
        state.inFlight--;
      }
    },
    // Dispatch tests never receive webhooks: a call here is a test wired to the wrong fake.
    verifySignature: () => notForWebhooks(),
    parseInbound: () => notForWebhooks(),
    parseStatus: () => notForWebhooks(),
    webhookResponse: () => notForWebhooks(),
  };
  const callsTo = (to: string) => calls.filter((m) => m.to === to).length;
  return { provider, calls, state, callsTo };
}

function notForWebhooks(): never {
  throw new SmsError('INVALID_INPUT', 'the fake provider of the dispatch tests takes no webhooks');
}
