import { Counter, type Registry } from 'prom-client';

/** How a request to `POST /slack/interactions` ended; a bounded label set. */
export type SlackInteractionOutcome =
  /** The decision was accepted and published. */
  | 'accepted'
  /** Refused by role, two-person rule, or the step's state (404, 409); nothing published. */
  | 'refused'
  /** The Slack user is not in the user map; nothing published. */
  | 'unmapped'
  /** Missing, bad or stale signature: answered 401. */
  | 'bad_signature'
  /** Signed, but not a payload we can act on (malformed, or a response_url off the allowed prefix). */
  | 'bad_request'
  /** Signed interactions that are not our buttons (answered 200, nothing done). */
  | 'ignored'
  /** The decision could not be submitted (e.g. the table could not be read). */
  | 'failed';

/** Metrics of the Slack interactivity endpoint. */
export interface SlackMetrics {
  readonly interactions: Counter<'outcome'>;
  /** Message updates and refusals POSTed to Slack's response_url that Slack did not accept. */
  readonly responseFailures: Counter;
}

/** Registers the Slack endpoint's metrics on `registry`. */
export function createSlackMetrics(registry: Registry): SlackMetrics {
  return {
    interactions: new Counter({
      name: 'ir_slack_interactions_total',
      help: 'Requests to the Slack interactivity endpoint, by outcome (accepted, refused, unmapped, bad_signature, bad_request, ignored, failed).',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    responseFailures: new Counter({
      name: 'ir_slack_response_failures_total',
      help: "Message updates POSTed to Slack's response_url that failed.",
      registers: [registry],
    }),
  };
}
