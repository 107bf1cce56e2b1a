/** No credential value appears anywhere n8n keeps or shows: run data, errors, logs. */
import nock from 'nock';
import { useNock } from '../support/nock';
import { logs } from './harness';
import { TWILIO_API, TWILIO_CREDENTIALS, TWILIO_MESSAGES_PATH, sendSms, tempStorePath, twilioCreated } from './fixtures';

useNock();

const basic = Buffer.from(`${TWILIO_CREDENTIALS.accountSid}:${TWILIO_CREDENTIALS.authToken}`).toString('base64');
const SECRETS = [TWILIO_CREDENTIALS.authToken, basic];

function expectNoSecret(value: unknown): void {
  const text = JSON.stringify(value);
  for (const secret of SECRETS) expect(text).not.toContain(secret);
}

const parameters = (storePath: string) => ({
  provider: 'twilio',
  from: '+14155550100',
  to: '+14155550123',
  text: '={{ $json.text }}',
  options: { storePath, retries: 0 },
});

it.each([
  ['sent', () => nock(TWILIO_API).post(TWILIO_MESSAGES_PATH).reply(201, (_u: string, b: unknown) => twilioCreated(String(b), 1))],
  ['refused (401)', () => nock(TWILIO_API).post(TWILIO_MESSAGES_PATH).reply(401, { code: 20003, message: 'Authenticate' })],
  ['unreachable', () => nock(TWILIO_API).post(TWILIO_MESSAGES_PATH).replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))],
])('%s: not in the run data, the outputs or the logs', async (_label, mock) => {
  for (const onError of ['continueErrorOutput', 'stopWorkflow'] as const) {
    mock();
    logs.length = 0;
    const { run } = await sendSms(parameters(tempStorePath()), [{ text: 'hello' }], {
      onError,
      credentials: { a2pTwilioApi: TWILIO_CREDENTIALS },
    });
    // The serialised run does hold the node's result or error (so the check below looks at something)...
    expect(JSON.stringify(run.data.resultData.runData['Send SMS'])).toMatch(/"messageId":"SM0|AUTH_FAILED|NETWORK_ERROR/);
    // ...but no credential value.
    expectNoSecret(run);
    expectNoSecret(logs);
  }
});
