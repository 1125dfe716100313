import { SeverityBand } from '@ir/contracts';
import { z } from 'zod';
import { PlaybookAction } from './actions.js';
import { PlaybookMatch, StepCondition } from './conditions.js';
import { Dimension } from './dimensions.js';

const Identifier = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9-]*$/,
    'must be lower-case letters, digits and dashes (it becomes part of step ids)',
  );

const ForEach = z
  .union([Dimension, z.array(Dimension).min(1)])
  .transform((value) => (Array.isArray(value) ? value : [value]));

/** Who a notification is for; the notifier routes on it (`details.audience` of `notify.incident`). */
export const Audience = z.enum(['low-priority', 'team', 'on-call']);
/** @see Audience */
export type Audience = z.infer<typeof Audience>;

/** The response matrix's default audience per band: LOW → low-priority channel, CRITICAL → page on-call. */
export const defaultAudience = {
  LOW: 'low-priority',
  MEDIUM: 'team',
  HIGH: 'team',
  CRITICAL: 'on-call',
} as const satisfies Record<SeverityBand, Audience>;

/** One step of a playbook (before fan-out). */
export const PlaybookStep = z.strictObject({
  /** Unique in the playbook; the planned step id, followed by `:<item key>` when the step fans out. */
  id: Identifier,
  action: PlaybookAction,
  description: z.string().min(1).optional(),
  /** Plan one step per item of these dimensions (their cross product when several). */
  forEach: ForEach.optional(),
  /** The command's params, with `${variable}` templates. */
  params: z.record(z.string(), z.unknown()).default({}),
  /** Ids of steps this one waits for. Fanned-out steps wait for the fan-outs of the same items. */
  after: z.array(Identifier).default([]),
  /**
   * Plan this step only when at least one step it waits for was planned. Why: a "contained" notice
   * after a containment that was left out would be a false success (TRAPS 16).
   */
  requiresAfter: z.boolean().default(false),
  when: StepCondition.optional(),
  approval: z.enum(['none', 'required']).default('none'),
  /**
   * How many different people must approve (`approval: required` only): 2 asks for a second
   * approver, who may not be the first (the two-person rule). The coordinator asks two anyway for a
   * protected resource, a NACL block, a console password removal and the clean room.
   */
  approvers: z.union([z.literal(1), z.literal(2)]).default(1),
  timeoutSeconds: z.number().int().positive().max(86_400).optional(),
});
/** @see PlaybookStep */
export type PlaybookStep = z.infer<typeof PlaybookStep>;

/** A statement for the incident record, rendered like params (a note whose variable is missing is left out). */
export const PlaybookNote = z.strictObject({
  text: z.string().min(1),
  forEach: ForEach.optional(),
  when: StepCondition.optional(),
});
/** @see PlaybookNote */
export type PlaybookNote = z.infer<typeof PlaybookNote>;

/** The structure of a playbook file, before the cross-field checks of {@link Playbook}. */
export const PlaybookShape = z.strictObject({
  id: Identifier,
  name: z.string().min(1),
  description: z.string().optional(),
  /** Higher wins when several playbooks match; ties go to the lower id. */
  priority: z.number().int().default(0),
  match: PlaybookMatch.default({}),
  audience: z
    .strictObject(
      Object.fromEntries(SeverityBand.options.map((b) => [b, Audience.optional()])) as {
        [B in SeverityBand]: z.ZodOptional<typeof Audience>;
      },
    )
    .default({})
    .transform((given) => ({ ...defaultAudience, ...stripUndefined(given) })),
  defaultTimeoutSeconds: z.number().int().positive().max(86_400).default(600),
  notes: z.array(PlaybookNote).default([]),
  steps: z.array(PlaybookStep).min(1),
  /** Set by the loader to the file the playbook came from; used in error messages. */
  source: z.string().optional(),
});

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
