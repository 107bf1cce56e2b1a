/**
 * What specs expect of bad input: a coded SmsError, never another error, a crash or a silent
 * success. Each helper fails the test when the call ends any other way.
 */
import { SmsError, type SmsErrorCode } from '../../core/errors';

/** The SmsError `fn` throws. */
export function thrown(fn: () => unknown): SmsError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SmsError);
    return e as SmsError;
  }
  throw new Error('expected an SmsError, nothing was thrown');
}

/**
 * The SmsError `p` rejects with. None of `secrets` may appear in its message or its JSON, the
 * forms in which errors reach outputs and logs.
 */
export async function rejected(p: Promise<unknown>, secrets: readonly string[] = []): Promise<SmsError> {
  const e = await p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(SmsError);
  const err = e as SmsError;
  const shown = JSON.stringify(err.toJSON()) + err.message;
  for (const secret of secrets) expect(shown).not.toContain(secret);
  return err;
}

/** The SmsError `fn` throws, checked to carry `code` and, when given, a message matching `message`. */
export function expectCode(fn: () => unknown, code: SmsErrorCode, message?: RegExp): SmsError {
  const err = thrown(fn);
  expect(err.code).toBe(code);
  if (message) expect(err.message).toMatch(message);
  return err;
}

// For tables of bad input, where a failed row should name its input: `expect([input, code])`
// shows which row went wrong, a failed expectation inside a helper would not.

/** The code of the SmsError `fn` throws; `raw: …` for anything else thrown; undefined when nothing is. */
export function thrownCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return describeThrown(e);
  }
  return undefined;
}

/** The code of the SmsError `p` rejects with; `raw: …` for any other rejection; undefined when it resolves. */
export async function rejectedCode(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    return describeThrown(e);
  }
  return undefined;
}

function describeThrown(e: unknown): string {
  return e instanceof SmsError ? e.code : `raw: ${String(e)}`;
}
