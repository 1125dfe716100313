import { z } from 'zod';

/** The `action_id`s of the notifier's approval buttons (services/notifier, channels/slack.ts). */
export const SlackActionId = { approve: 'ir_approve', reject: 'ir_reject' } as const;

/** Any interactivity payload: only its type is read before deciding whether it is ours. */
export const InteractionType = z.looseObject({ type: z.string() });

/** One clicked element of a `block_actions` payload. */
export const SlackAction = z.looseObject({
  action_id: z.string().min(1),
  block_id: z.string().min(1),
  type: z.string(),
  value: z.string().optional(),
});
/** @see SlackAction */
export type SlackAction = z.infer<typeof SlackAction>;

/**
 * The fields of Slack's `block_actions` payload the endpoint uses
 * (https://docs.slack.dev/reference/interaction-payloads/block_actions-payload). Who clicked is
 * `user.id`, which Slack's signature vouches for; `message` is the message the buttons are on, whose
 * blocks are sent back without the decided step's buttons.
 */
export const BlockActionsPayload = z.looseObject({
  type: z.literal('block_actions'),
  user: z.looseObject({
    id: z.string().min(1),
    username: z.string().optional(),
    team_id: z.string().optional(),
  }),
  team: z.looseObject({ id: z.string().min(1), domain: z.string().optional() }).nullish(),
  response_url: z.url(),
  message: z
    .looseObject({
      text: z.string().optional(),
      blocks: z.array(z.looseObject({ type: z.string(), block_id: z.string().optional() })).optional(),
    })
    .optional(),
  actions: z.array(SlackAction).min(1),
});
/** @see BlockActionsPayload */
export type BlockActionsPayload = z.infer<typeof BlockActionsPayload>;

/** An approval button's `value`: the step it decides, as the notifier wrote it. */
export const ApprovalButtonValue = z.object({ incidentId: z.string().min(1), stepId: z.string().min(1) });
/** @see ApprovalButtonValue */
export type ApprovalButtonValue = z.infer<typeof ApprovalButtonValue>;
