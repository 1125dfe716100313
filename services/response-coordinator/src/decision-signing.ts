import {
  createHash,
  createHmac,
  type KeyObject,
  createSecretKey,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import type { DecisionMessageType, MessageOf, OperatorDecision } from '@ir/contracts';
import type { Publishable, Publisher } from '@ir/runtime';

/**
 * Operator decisions are signed by the operator API and verified by the queue handler, both in the
 * coordinator: HMAC-SHA256 with a key only the coordinator holds (from Secrets Manager in a
 * deployment). Why: the coordinator queue accepts messages from several services, and any of them,
 * or anyone with `sqs:SendMessage` on it, could otherwise approve a containment or roll one back
 * (TRAPS 23). The MAC covers the envelope and the payload, so a signature lifted from one decision
 * proves nothing about another.
 */

/** The one algorithm signed and accepted. */
export const DECISION_SIGNATURE_ALG = 'HMAC-SHA256';

/** Decoded keys shorter than this are refused (HMAC-SHA256's block of security). */
export const MIN_DECISION_KEY_BYTES = 32;

/**
 * The message types signed and verified: the operator API's decisions, and the closing of an
 * incident's ticket reported by the Jira webhook (a person's act too, authenticated by Jira's shared
 * secret; see jira/webhook.ts).
 */
export type SignedMessageType = DecisionMessageType | 'incident.ticket-closed';

/** The message types that carry a person's decision, and so must be signed. */
export const DECISION_TYPES: readonly SignedMessageType[] = [
  'approval.granted',
  'approval.rejected',
  'rollback.requested',
  'incident.resolve-requested',
  'incident.ticket-closed',
];

/** A decision message. */
export type DecisionMessage = MessageOf<SignedMessageType>;

/** The signature field of a decision's payload. */
export type DecisionSignature = NonNullable<OperatorDecision['signature']>;

/** Why a decision's signature was refused: a bounded set (a metric label). */
export const RefusalReason = {
  /** No signature at all: not sent by the operator API. */
  missing: 'missing',
  /** An algorithm other than HMAC-SHA256, or a MAC that is not 32 bytes of base64url. */
  malformed: 'malformed',
  /** Signed with a key this coordinator does not hold (a wrong or retired key). */
  unknownKey: 'unknown-key',
  /** The MAC does not match: the message was changed, or the MAC made with another key. */
  mismatch: 'mismatch',
} as const;
/** @see RefusalReason */
export type RefusalReason = (typeof RefusalReason)[keyof typeof RefusalReason];

/** The outcome of {@link DecisionKeyring.verify}. */
export type Verification =
  | { readonly valid: true; readonly keyId: string }
  | { readonly valid: false; readonly reason: RefusalReason; readonly claimedKeyId?: string };

/** True for a message whose type is an operator decision. */
export const isDecision = (message: Publishable): message is DecisionMessage =>
  (DECISION_TYPES as readonly string[]).includes(message.type);

/**
 * JSON with object keys sorted at every depth and undefined members left out: the same value gives
 * the same text whichever order its keys were built or parsed in.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item ?? null)).join(',')}]`;
  const members = Object.entries(value as Record<string, unknown>)
    .filter(([, member]) => member !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, member]) => `${JSON.stringify(key)}:${canonicalJson(member)}`);
  return `{${members.join(',')}}`;
}

/**
 * The bytes the MAC covers: a domain label, the algorithm and key id, and every field of the message
 * that a decision depends on (the envelope, including `dryRun` and `sentAt`, and the whole payload but
 * its signature). Unknown fields never reach here: the schema strips them on both sides.
 */
export function signingInput(message: DecisionMessage, alg: string, keyId: string): Buffer {
  const { signature: _signature, ...payload } = message.payload;
  const covered = {
    alg,
    keyId,
    message: {
      v: message.v,
      id: message.id,
      type: message.type,
      incidentId: message.incidentId,
      correlationId: message.correlationId,
      causationId: message.causationId,
      sentAt: message.sentAt,
      producer: message.producer,
      dryRun: message.dryRun,
      payload,
    },
  };
  return Buffer.from(`ir-operator-decision/v1\n${canonicalJson(covered)}`, 'utf8');
}

/**
 * Decodes a key written as hex (64 or more hex digits) or base64 / base64url. Undefined when the text
 * is neither; the caller checks the length.
 */
export function decodeKey(text: string): Buffer | undefined {
  const trimmed = text.trim();
  if (/^(?:[0-9a-fA-F]{2})+$/.test(trimmed) && trimmed.length >= MIN_DECISION_KEY_BYTES * 2) {
    return Buffer.from(trimmed, 'hex');
  }
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) {
    return Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  }
  return undefined;
}

/** A key's id: a hash of it, so rotating the key rotates the id and nothing else needs setting. */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update('ir-operator-decision-key-id\n').update(key).digest('hex').slice(0, 16);
}

interface Key {
  readonly keyId: string;
  readonly secret: KeyObject;
}

const MAC_BYTES = 32;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * The coordinator's decision keys: the current one signs and verifies, the previous one (during a
 * rotation) only verifies. Key material lives in private fields, and `toJSON` shows only key ids, so
 * logging the config cannot leak a key.
 */
export class DecisionKeyring {
  readonly #current: Key;
  readonly #previous: Key | undefined;
  /** True when no key was configured and this process made its own (single-replica development). */
  readonly generated: boolean;

  private constructor(current: Buffer, previous: Buffer | undefined, generated: boolean) {
    this.#current = { keyId: keyIdOf(current), secret: createSecretKey(current) };
    this.#previous =
      previous && !previous.equals(current)
        ? { keyId: keyIdOf(previous), secret: createSecretKey(previous) }
        : undefined;
    this.generated = generated;
  }

  /** A keyring over configured keys (already decoded and length-checked by `loadConfig`). */
  static of(current: Buffer, previous?: Buffer): DecisionKeyring {
    return new DecisionKeyring(current, previous, false);
  }

  /** A keyring over a random key of this process; decisions from another process fail to verify. */
  static generate(): DecisionKeyring {
    return new DecisionKeyring(randomBytes(MIN_DECISION_KEY_BYTES), undefined, true);
  }

  /** The id decisions are signed with now. */
  get keyId(): string {
    return this.#current.keyId;
  }

  /** The id of the previous key still accepted, if any. */
  get previousKeyId(): string | undefined {
    return this.#previous?.keyId;
  }

  /** A copy of `message` with `payload.signature` set (replacing any signature it carried). */
  sign<M extends DecisionMessage>(message: M): M {
    const { keyId, secret } = this.#current;
    const mac = createHmac('sha256', secret)
      .update(signingInput(message, DECISION_SIGNATURE_ALG, keyId))
      .digest('base64url');
    return {
      ...message,
      payload: { ...message.payload, signature: { alg: DECISION_SIGNATURE_ALG, keyId, mac } },
    };
  }

  /**
   * Checks a decision's signature: present, HMAC-SHA256, made with a key of this ring, and matching
   * the message as parsed. The MACs are compared in constant time.
   */
  verify(message: DecisionMessage): Verification {
    const signature = message.payload.signature;
    if (!signature) return { valid: false, reason: RefusalReason.missing };
    const claimedKeyId = signature.keyId;
    if (signature.alg !== DECISION_SIGNATURE_ALG || !BASE64URL.test(signature.mac)) {
      return { valid: false, reason: RefusalReason.malformed, claimedKeyId };
    }
    const given = Buffer.from(signature.mac, 'base64url');
    if (given.length !== MAC_BYTES) return { valid: false, reason: RefusalReason.malformed, claimedKeyId };
    const key = [this.#current, this.#previous].find((each) => each?.keyId === claimedKeyId);
    if (!key) return { valid: false, reason: RefusalReason.unknownKey, claimedKeyId };
    const expected = createHmac('sha256', key.secret)
      .update(signingInput(message, signature.alg, key.keyId))
      .digest();
    return timingSafeEqual(expected, given)
      ? { valid: true, keyId: key.keyId }
      : { valid: false, reason: RefusalReason.mismatch, claimedKeyId };
  }

  /** What a log line may show: ids, never keys. */
  toJSON(): Record<string, unknown> {
    return { keyId: this.keyId, previousKeyId: this.previousKeyId, generated: this.generated };
  }
}

/**
 * Wraps a publisher so that every decision it sends is signed with the ring's current key; other
 * messages pass unchanged. The operator API publishes through it, so a decision can only be signed
 * by the code path that authenticated the operator.
 */
export function signingPublisher<Q extends string>(
  publisher: Publisher<Q>,
  keyring: DecisionKeyring,
): Publisher<Q> {
  return {
    publish: (queue, messages, options) =>
      publisher.publish(
        queue,
        messages.map((message) => (isDecision(message) ? keyring.sign(message) : message)),
        options,
      ),
  };
}
