import { z } from 'zod';
import { FindingSource } from '../finding.js';
import { IsoDateTime } from '../primitives.js';
import {
  ExpiringSuppressionRule,
  StoredSuppressionRule,
  SuppressionExpiry,
  SuppressionRule,
} from '../records/suppression-rule.js';

/** The criteria a proposal may leave out, to make the rule broader than the incident. */
export const ProposalCriterion = z.enum(['findingTypes', 'accounts', 'resources', 'resourceTags']);
/** @see ProposalCriterion */
export type ProposalCriterion = z.infer<typeof ProposalCriterion>;

/**
 * The body of `POST /incidents/:id/suppression-proposal` (may be empty or absent): criteria to leave out, and
 * how many stored items the match count may read.
 */
export const SuppressionProposalRequest = z.strictObject({
  omit: z.array(ProposalCriterion).max(4).default([]),
  scanLimit: z.number().int().min(1).max(100_000).default(10_000),
});
/** @see SuppressionProposalRequest */
export type SuppressionProposalRequest = z.infer<typeof SuppressionProposalRequest>;

/** One stored finding a proposed rule would have suppressed. */
export const SuppressionMatchExample = z.object({
  incidentId: z.string(),
  source: FindingSource,
  findingId: z.string(),
  type: z.string(),
  accountId: z.string(),
  updatedAt: IsoDateTime,
});
/** @see SuppressionMatchExample */
export type SuppressionMatchExample = z.infer<typeof SuppressionMatchExample>;

/**
 * How many findings the coordinator has stored (`FINDING#` items of every incident) the rule would
 * have matched. `capped` says the scan stopped at `scanLimit` items before reading the whole table,
 * so `matched` is a lower bound; `unreadable` counts stored findings that no longer parse or that the
 * matcher could not evaluate.
 */
export const SuppressionMatchCount = z.object({
  matched: z.number().int().min(0),
  /** Distinct incidents among the matched findings. */
  incidents: z.number().int().min(0),
  /** Stored findings evaluated. */
  findings: z.number().int().min(0),
  unreadable: z.number().int().min(0),
  capped: z.boolean(),
  scanLimit: z.number().int().min(1),
  examples: z.array(SuppressionMatchExample),
});
/** @see SuppressionMatchCount */
export type SuppressionMatchCount = z.infer<typeof SuppressionMatchCount>;

/**
 * The answer of a proposal: a rule ready for `POST /suppressions` (its expiry the default, its
 * reason naming the incident) and what it would have matched. Nothing is written.
 */
export const SuppressionProposal = z.object({
  incidentId: z.string(),
  rule: ExpiringSuppressionRule,
  history: SuppressionMatchCount,
});
/** @see SuppressionProposal */
export type SuppressionProposal = z.infer<typeof SuppressionProposal>;

/**
 * The body of `POST /suppressions`: a rule with a required expiry and, optionally, the incident it
 * came from. Strict: an `author` (or anything else) in the body is refused, the author is the token.
 */
export const CreateSuppressionRequest = SuppressionRule.extend({
  expiresAt: SuppressionExpiry,
  sourceIncidentId: z.string().min(1).max(200).optional(),
});
/** @see CreateSuppressionRequest */
export type CreateSuppressionRequest = z.infer<typeof CreateSuppressionRequest>;

/** `GET /suppressions`: the rules written through the API (expired ones until the table's TTL removes them). */
export const SuppressionList = z.object({ rules: z.array(StoredSuppressionRule) });
/** @see SuppressionList */
export type SuppressionList = z.infer<typeof SuppressionList>;
