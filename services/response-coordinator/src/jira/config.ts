import { Disposition } from '@ir/contracts';
import { ConfigError } from '@ir/runtime';
import { z } from 'zod';

/** Jira's default resolutions, as dispositions; `IR_JIRA_RESOLUTION_DISPOSITIONS` replaces the map. */
export const DEFAULT_RESOLUTION_DISPOSITIONS =
  "Done=true-positive,Won't Do=false-positive,Duplicate=duplicate";

/**
 * Parses `Name=disposition,Name=disposition`: Jira resolution names (matched ignoring case) to
 * dispositions. A resolution not in the map gives no disposition, and the ticket's closing is then
 * recorded instead of resolving the incident.
 */
const ResolutionMap = z.string().transform((text, context) => {
  const map: Record<string, Disposition> = {};
  for (const entry of text.split(',').map((part) => part.trim())) {
    if (entry === '') continue;
    const separator = entry.lastIndexOf('=');
    const name = entry.slice(0, separator).trim();
    const disposition = Disposition.safeParse(entry.slice(separator + 1).trim());
    if (separator <= 0 || name === '' || !disposition.success) {
      context.addIssue({
        code: 'custom',
        message: `"${entry}" is not Resolution=disposition (a disposition is one of ${Disposition.options.join(', ')})`,
      });
      return z.NEVER;
    }
    map[name.toLowerCase()] = disposition.data;
  }
  return map;
});

/**
 * The Jira webhook variables, spread into the coordinator's environment schema (so the config log
 * redacts the secret by its name, as it does every top-level secret).
 */
export const JiraEnv = {
  /**
   * The secret of the Jira admin webhook: when set, `POST /integrations/jira/webhook` is served and
   * every request to it must carry `X-Hub-Signature: sha256=<HMAC-SHA256 of the body>` made with it.
   */
  IR_JIRA_WEBHOOK_SECRET: z.string().trim().min(16, 'must be at least 16 characters').optional(),
  /**
   * The Jira site (e.g. https://example.atlassian.net): the issuer of the Jira users recorded as
   * deciders, and the only site whose issues the webhook acts on. Required with the secret.
   */
  IR_JIRA_BASE_URL: z.url().optional(),
  /** Jira resolution names to dispositions, e.g. `Done=true-positive,Won't Do=false-positive`. */
  IR_JIRA_RESOLUTION_DISPOSITIONS: z.string().default(DEFAULT_RESOLUTION_DISPOSITIONS).pipe(ResolutionMap),
};

const JiraEnvSchema = z.object(JiraEnv);
/** The variables of {@link JiraEnv}, parsed. */
export type JiraEnvConfig = z.infer<typeof JiraEnvSchema>;

/** Checks the combinations: the site is needed to name who closed a ticket, and is https in production. */
export function checkJiraConfig(config: JiraEnvConfig & { readonly IR_ENV: string }): void {
  if (config.IR_JIRA_WEBHOOK_SECRET && !config.IR_JIRA_BASE_URL) {
    throw new ConfigError(
      'Invalid configuration: IR_JIRA_WEBHOOK_SECRET needs IR_JIRA_BASE_URL (the Jira site the webhook comes from, e.g. https://example.atlassian.net)',
      ['IR_JIRA_WEBHOOK_SECRET', 'IR_JIRA_BASE_URL'],
    );
  }
  if (
    config.IR_JIRA_BASE_URL &&
    config.IR_ENV === 'production' &&
    new URL(config.IR_JIRA_BASE_URL).protocol !== 'https:'
  ) {
    throw new ConfigError('Invalid configuration: IR_JIRA_BASE_URL must be https with IR_ENV=production', [
      'IR_JIRA_BASE_URL',
      'IR_ENV',
    ]);
  }
}
