import {
  type Disposition,
  type Finding,
  type IncidentRecord,
  type ProposalCriterion,
  resourceKey,
  SUPPRESSION_DEFAULT_DAYS,
  type SuppressionMatch,
  type SuppressionMatchCount,
  type SuppressionMatchExample,
  type SuppressionRule,
} from '@ir/contracts';
import { compileRule, literalGlob } from './matchers.js';

/**
 * The dispositions a rule may be proposed from. Why only these: a true positive must keep being
 * detected, and a duplicate says nothing about the finding itself.
 */
export const PROPOSABLE_DISPOSITIONS: readonly Disposition[] = ['false-positive', 'benign-true-positive'];

/** A proposed rule: a file rule with its expiry filled in. */
export type ProposedRule = SuppressionRule & { readonly expiresAt: string };

/** What {@link proposeRule} decides: a rule, or why none can be proposed. */
export type ProposalOutcome =
  | { readonly kind: 'proposed'; readonly rule: ProposedRule }
  | { readonly kind: 'refused'; readonly status: 400 | 409; readonly message: string };

const distinct = <T>(values: Iterable<T>) => [...new Set(values)].sort();

/**
 * Builds a rule that matches findings like the incident's: its finding types, accounts and resources
 * (exact, as literal globs), and the tags every one of its resources carries (when each carries
 * tags in the finding). `omit` leaves criteria out to make the rule broader; the count of what it
 * would have matched tells the operator how much broader. The incident must have been resolved as a
 * false positive or a benign true positive.
 */
export function proposeRule(
  incident: IncidentRecord,
  findings: readonly Finding[],
  options: { readonly omit: readonly ProposalCriterion[]; readonly now: Date },
): ProposalOutcome {
  const disposition = incident.disposition;
  if (!disposition || !PROPOSABLE_DISPOSITIONS.includes(disposition.disposition)) {
    return {
      kind: 'refused',
      status: 409,
      message: `incident ${incident.incidentId} is ${disposition ? `resolved as ${disposition.disposition}` : incident.status}; a suppression is proposed only from an incident resolved as ${PROPOSABLE_DISPOSITIONS.join(' or ')}`,
    };
  }
  if (findings.length === 0) {
    return {
      kind: 'refused',
      status: 409,
      message: `incident ${incident.incidentId} has no stored findings to build a rule from`,
    };
  }
  const omitted = new Set(options.omit);
  const match: SuppressionMatch = {};
  if (!omitted.has('findingTypes'))
    match.findingTypes = distinct(findings.map((f) => f.type)).map(literalGlob);
  if (!omitted.has('accounts')) match.accounts = distinct(findings.map((f) => f.accountId));
  const resources = findings.flatMap((finding) => finding.resources);
  if (!omitted.has('resources')) match.resources = distinct(resources.map(resourceKey)).map(literalGlob);
  const tags = commonTags(resources);
  if (!omitted.has('resourceTags') && tags) match.resourceTags = tags;
  if (Object.keys(match).length === 0) {
    return {
      kind: 'refused',
      status: 400,
      message: 'every criterion was omitted; a rule without one would suppress every finding',
    };
  }
  const prefix = disposition.disposition === 'false-positive' ? 'fp-' : 'benign-';
  return {
    kind: 'proposed',
    rule: {
      name: `${prefix}${incident.incidentId.replace(/[^A-Za-z0-9._-]/g, '-')}`.slice(0, 64),
      reason: `Incident ${incident.incidentId} was resolved as ${disposition.disposition} (${disposition.category}) by ${disposition.decidedBy} at ${disposition.decidedAt}`,
      expiresAt: new Date(options.now.getTime() + SUPPRESSION_DEFAULT_DAYS * 86_400_000).toISOString(),
      match,
    },
  };
}

/**
 * The tags (key and value) that every resource carries, or undefined when a resource carries none
 * (IAM principals never do) or no tag is common: the criterion requires them on every resource.
 */
function commonTags(resources: readonly Finding['resources'][number][]): Record<string, string> | undefined {
  let common: Record<string, string> | undefined;
  for (const resource of resources) {
    const tags = 'tags' in resource ? resource.tags : undefined;
    if (!tags || Object.keys(tags).length === 0) return undefined;
    common = common
      ? Object.fromEntries(Object.entries(common).filter(([key, value]) => tags[key] === value))
      : { ...tags };
  }
  return common && Object.keys(common).length > 0 ? common : undefined;
}

/** One stored finding, or one that no longer parses. */
export type StoredFinding =
  | { readonly incidentId: string; readonly finding: Finding }
  | { readonly incidentId: string; readonly unreadable: string };

/**
 * Counts the stored findings a rule matches, with the same matcher detection suppresses with
 * (expiry aside: the question is what the rule's criteria catch). `add` takes findings as a scan
 * reads them; `result` says whether the scan was capped.
 */
export function matchTally(rule: SuppressionRule, maxExamples = 5) {
  const compiled = compileRule(rule);
  const incidents = new Set<string>();
  const examples: SuppressionMatchExample[] = [];
  let matched = 0;
  let findings = 0;
  let unreadable = 0;
  return {
    add(stored: StoredFinding): void {
      if ('unreadable' in stored) {
        unreadable += 1;
        return;
      }
      const { finding, incidentId } = stored;
      let matches: boolean;
      try {
        matches = compiled.matches(finding);
      } catch {
        // A finding the matcher cannot evaluate is one the count cannot speak for.
        unreadable += 1;
        return;
      }
      findings += 1;
      if (!matches) return;
      matched += 1;
      incidents.add(incidentId);
      if (examples.length < maxExamples) {
        examples.push({
          incidentId,
          source: finding.source,
          findingId: finding.id,
          type: finding.type,
          accountId: finding.accountId,
          updatedAt: finding.updatedAt,
        });
      }
    },
    result(scan: { readonly capped: boolean; readonly scanLimit: number }): SuppressionMatchCount {
      return { matched, incidents: incidents.size, findings, unreadable, examples, ...scan };
    },
  };
}
