import { type Disposition, IncidentCategory } from '@ir/contracts';
import { z } from 'zod';

/**
 * The parts of a Jira Cloud webhook body the endpoint reads (`jira:issue_updated`), loose so that
 * the many fields Jira adds (custom fields, apps) pass. See
 * https://developer.atlassian.com/cloud/jira/platform/webhooks/#example-callback-for-an-issue-related-event
 */
export const JiraWebhookBody = z.looseObject({
  webhookEvent: z.string().min(1),
  user: z.looseObject({ accountId: z.string().min(1), displayName: z.string().min(1).optional() }).optional(),
  issue: z
    .looseObject({
      key: z.string().min(1).max(255),
      self: z.string().min(1),
      fields: z.looseObject({
        labels: z.array(z.string()).default([]),
        status: z.looseObject({
          name: z.string().min(1).max(255),
          statusCategory: z.looseObject({ key: z.string().min(1) }),
        }),
        resolution: z.looseObject({ name: z.string().min(1).max(255) }).nullish(),
      }),
    })
    .optional(),
  changelog: z.looseObject({ items: z.array(z.looseObject({ field: z.string() })).default([]) }).optional(),
});
/** @see JiraWebhookBody */
export type JiraWebhookBody = z.infer<typeof JiraWebhookBody>;

/** The notifier labels each incident's issue `ir-incident-<id>` (see the notifier's `incidentLabel`). */
export const INCIDENT_LABEL_PREFIX = 'ir-incident-';
/** A person states the incident's category on the issue with a label `ir-category-<category>`. */
export const CATEGORY_LABEL_PREFIX = 'ir-category-';

/**
 * Changes that can close a ticket or complete what it says. Why only these: Jira sends
 * `jira:issue_updated` for comments too, and the notifier comments on the ticket as the incident
 * moves on; acting on those would answer every comment with a new notification (and its comment).
 */
const RELEVANT_FIELDS = new Set(['status', 'resolution', 'labels']);

/** Whether the update changed the status, the resolution or the labels. */
export function changesClosing(body: JiraWebhookBody): boolean {
  return (body.changelog?.items ?? []).some((item) => RELEVANT_FIELDS.has(item.field.toLowerCase()));
}

/**
 * The incident the issue belongs to, from its `ir-incident-<id>` label. Undefined without one, or
 * with two different ones (which incident a person meant cannot be told).
 */
export function incidentOf(labels: readonly string[]): string | undefined {
  const ids = new Set(
    labels
      .filter((label) => label.startsWith(INCIDENT_LABEL_PREFIX))
      .map((label) => label.slice(INCIDENT_LABEL_PREFIX.length))
      .filter((id) => id.length > 0),
  );
  return ids.size === 1 ? [...ids][0] : undefined;
}

/** The category from one `ir-category-<category>` label; undefined if none, unknown or conflicting. */
export function categoryOf(labels: readonly string[]): IncidentCategory | undefined {
  const found = new Set(
    labels
      .filter((label) => label.toLowerCase().startsWith(CATEGORY_LABEL_PREFIX))
      .map((label) => label.slice(CATEGORY_LABEL_PREFIX.length).toLowerCase()),
  );
  if (found.size !== 1) return undefined;
  const parsed = IncidentCategory.safeParse([...found][0]);
  return parsed.success ? parsed.data : undefined;
}

/** The disposition of a resolution name through the configured map (names matched ignoring case). */
export function dispositionOf(
  resolution: string | undefined,
  map: Readonly<Record<string, Disposition>>,
): Disposition | undefined {
  if (!resolution) return undefined;
  const key = resolution.trim().toLowerCase();
  return Object.hasOwn(map, key) ? map[key] : undefined;
}
