import { Counter, type Registry } from 'prom-client';

/** How a request to `POST /integrations/jira/webhook` ended; a bounded label set. */
export type JiraWebhookOutcome =
  /** A closed ticket with a disposition and a category: a resolve was published. */
  | 'resolved'
  /** A closed ticket without them: its closing was published to be recorded on the incident. */
  | 'recorded'
  /** Signed, but nothing to do (another event, not closed, not ours, already resolved). */
  | 'ignored'
  /** Missing or wrong signature: answered 401, nothing read or published. */
  | 'bad_signature'
  /** Signed, but not a body we can read. */
  | 'bad_request'
  /** Could not read the incident or publish (retried by Jira). */
  | 'failed';

/** Metrics of the Jira webhook endpoint. */
export interface JiraWebhookMetrics {
  readonly requests: Counter<'outcome'>;
}

/** Registers the Jira webhook's metrics on `registry`. */
export function createJiraWebhookMetrics(registry: Registry): JiraWebhookMetrics {
  return {
    requests: new Counter({
      name: 'ir_jira_webhooks_total',
      help: 'Requests to the Jira webhook endpoint, by outcome (resolved, recorded, ignored, bad_signature, bad_request, failed).',
      labelNames: ['outcome'],
      registers: [registry],
    }),
  };
}
