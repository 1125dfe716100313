import { OperatorIdentity, OperatorRole } from '@ir/contracts';
import { ConfigError } from '@ir/runtime';
import { z } from 'zod';

/** A Slack user id (`U…`, or `W…` in Enterprise Grid). */
export const SlackUserId = z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'a Slack user id such as U0123456789');

/** The operator a Slack user acts as: an identity as the IdP names it, and the role it holds. */
export const SlackOperator = OperatorIdentity.extend({ role: OperatorRole });
/** @see SlackOperator */
export type SlackOperator = z.infer<typeof SlackOperator>;

/**
 * The Slack interactivity variables, spread into the coordinator's environment schema (so the config
 * log redacts the signing secret by its name, as it does every top-level secret).
 */
export const SlackEnv = {
  /**
   * The Slack app's signing secret: when set, `POST /slack/interactions` is served and every request
   * to it must carry Slack's v0 signature made with it.
   */
  IR_SLACK_SIGNING_SECRET: z.string().trim().min(16, 'must be at least 16 characters').optional(),
  /**
   * JSON object from a Slack user id to the operator they act as:
   * `{"U0123":{"issuer":"https://idp…","subject":"…","name":"…","email":"…","role":"approver"}}`.
   * Use the issuer and subject the person's tokens carry, so the two-person rule sees one person
   * whether they decide in Slack or with irctl. A user not in the map is refused.
   */
  IR_SLACK_USER_MAP: z
    .string()
    .default('{}')
    .transform((text, context) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        context.addIssue({ code: 'custom', message: 'must be a JSON object from Slack user id to operator' });
        return z.NEVER;
      }
    })
    .pipe(z.record(SlackUserId, SlackOperator)),
  /**
   * The only URL prefix a `response_url` may have (the coordinator POSTs the message update there):
   * Slack's. Why configurable: tests use a local receiver; it must be https with `IR_ENV=production`.
   */
  IR_SLACK_RESPONSE_URL_PREFIX: z.url().default('https://hooks.slack.com/'),
};

const SlackEnvSchema = z.object(SlackEnv);
/** The variables of {@link SlackEnv}, parsed. */
export type SlackEnvConfig = z.infer<typeof SlackEnvSchema>;

/**
 * Checks the Slack variables' combinations: a prefix is a whole origin and path ending in `/` (so
 * `https://hooks.slack.com` cannot be matched by `https://hooks.slack.com.example.net`), https in
 * production, and a user map only with the signing secret (without it the map would do nothing).
 */
export function checkSlackConfig(config: SlackEnvConfig & { readonly IR_ENV: string }): void {
  const prefix = new URL(config.IR_SLACK_RESPONSE_URL_PREFIX);
  if (!prefix.pathname.endsWith('/') || prefix.search !== '' || prefix.hash !== '') {
    throw new ConfigError(
      'Invalid configuration: IR_SLACK_RESPONSE_URL_PREFIX must end with "/" and carry no query, e.g. https://hooks.slack.com/',
      ['IR_SLACK_RESPONSE_URL_PREFIX'],
    );
  }
  if (config.IR_ENV === 'production' && prefix.protocol !== 'https:') {
    throw new ConfigError(
      'Invalid configuration: IR_SLACK_RESPONSE_URL_PREFIX must be https with IR_ENV=production',
      ['IR_SLACK_RESPONSE_URL_PREFIX', 'IR_ENV'],
    );
  }
  if (!config.IR_SLACK_SIGNING_SECRET && Object.keys(config.IR_SLACK_USER_MAP).length > 0) {
    throw new ConfigError(
      'Invalid configuration: IR_SLACK_USER_MAP is set but IR_SLACK_SIGNING_SECRET is not: Slack approvals stay off without the signing secret',
      ['IR_SLACK_SIGNING_SECRET', 'IR_SLACK_USER_MAP'],
    );
  }
}
