import { z } from 'zod';
import { IsoDateTime } from './primitives.js';

/*
 * A GuardDuty Extended Threat Detection attack sequence (`AttackSequence:*`,
 * `service.detection.sequence`): the signals it correlates and who and what they involve. The
 * resources themselves are normalised into `Finding.resources` like any other; `resources` here
 * links each of the sequence's resource ids (which signals refer to) to the key of that resource.
 */

/** One signal of the sequence: a finding or an API activity GuardDuty correlated. */
export const SequenceSignal = z.object({
  uid: z.string().min(1),
  /** `FINDING`, `CLOUD_TRAIL`, `S3_DATA_EVENTS`, `EKS_AUDIT_LOGS`, `RUNTIME_MONITORING`, ... */
  type: z.string().min(1),
  /** For a `FINDING` signal, the finding type (e.g. `Discovery:S3/AnomalousBehavior`). */
  name: z.string().optional(),
  description: z.string().optional(),
  severity: z.number().optional(),
  count: z.number().int().optional(),
  firstSeenAt: IsoDateTime.optional(),
  lastSeenAt: IsoDateTime.optional(),
  resourceUids: z.array(z.string()).default([]),
  actorIds: z.array(z.string()).default([]),
  endpointIds: z.array(z.string()).default([]),
});
/** @see SequenceSignal */
export type SequenceSignal = z.infer<typeof SequenceSignal>;

/**
 * A resource of the sequence as GuardDuty names it (`ResourceV2`), and `key`, the `resourceKey` of
 * the resource it became in `Finding.resources`. `accountId` and `region` are the resource's own: a
 * sequence may span accounts.
 */
export const SequenceResourceRef = z.object({
  uid: z.string().min(1),
  type: z.string().min(1),
  name: z.string().optional(),
  accountId: z.string().optional(),
  region: z.string().optional(),
  key: z.string().min(1),
});
/** @see SequenceResourceRef */
export type SequenceResourceRef = z.infer<typeof SequenceResourceRef>;

/** A principal or process the sequence involves (`Actor`). */
export const SequenceActor = z.object({
  id: z.string().min(1),
  userName: z.string().optional(),
  userUid: z.string().optional(),
  userType: z.string().optional(),
  /** The access key it used (`user.credentialUid`). */
  accessKeyId: z.string().optional(),
  accountId: z.string().optional(),
  sessionIssuer: z.string().optional(),
  mfaStatus: z.string().optional(),
  processName: z.string().optional(),
  processPath: z.string().optional(),
  processSha256: z.string().optional(),
});
/** @see SequenceActor */
export type SequenceActor = z.infer<typeof SequenceActor>;

/** A network endpoint the sequence involves (`NetworkEndpoint`). */
export const SequenceEndpoint = z.object({
  id: z.string().min(1),
  ip: z.string().optional(),
  domain: z.string().optional(),
  port: z.number().int().optional(),
  country: z.string().optional(),
  asnName: z.string().optional(),
});
/** @see SequenceEndpoint */
export type SequenceEndpoint = z.infer<typeof SequenceEndpoint>;

/** How many values of one indicator are kept (GuardDuty lists up to 400 per indicator). */
export const indicatorValueLimit = 20;

/** An indicator of the sequence (`MALICIOUS_IP`, `ATTACK_TACTIC`, `HIGH_RISK_API`, ...). */
export const SequenceIndicator = z.object({
  key: z.string().min(1),
  title: z.string().optional(),
  values: z.array(z.string()).max(indicatorValueLimit).default([]),
});
/** @see SequenceIndicator */
export type SequenceIndicator = z.infer<typeof SequenceIndicator>;

/** The attack sequence of an `AttackSequence:*` finding. */
export const AttackSequence = z.object({
  uid: z.string().min(1),
  description: z.string().optional(),
  additionalTypes: z.array(z.string()).default([]),
  signals: z.array(SequenceSignal).default([]),
  resources: z.array(SequenceResourceRef).default([]),
  actors: z.array(SequenceActor).default([]),
  endpoints: z.array(SequenceEndpoint).default([]),
  indicators: z.array(SequenceIndicator).default([]),
});
/** @see AttackSequence */
export type AttackSequence = z.infer<typeof AttackSequence>;
