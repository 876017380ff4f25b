import { Webhook } from 'standardwebhooks';

export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * The Standard Webhooks headers for one attempt, signed with the official library. During a
 * rotation every active secret signs: `v1,<old> v1,<new>`, so receivers verify with either.
 */
export function signedHeaders(eventId: string, body: string, secrets: readonly string[], at: Date): SignedHeaders {
  if (!secrets.length) throw new Error('a subscription without an active signing secret');
  const signature = secrets.map((secret) => new Webhook(secret).sign(eventId, at, body)).join(' ');
  return {
    'webhook-id': eventId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': signature,
  };
}
