import {
  type ExpiringSuppressionRule,
  ProposalCriterion,
  SUPPRESSION_DEFAULT_DAYS,
  SUPPRESSION_MAX_DAYS,
  type SuppressionMatchCount,
} from '@ir/contracts';
import { API_OPTIONS, integerOption, stringOption } from '../args.js';
import type { CommandSpec, ParsedArgs } from '../command.js';
import { ExitCode, UsageError } from '../errors.js';
import { renderTable } from '../format/table.js';
import { toJson } from '../format/text.js';
import { apiOf } from './api-context.js';

const UNIT_SECONDS: Record<string, number> = { m: 60, h: 3600, d: 86_400 };

/** `30d`, `12h`, `90m` as milliseconds; anything else is a usage error. */
export function parseDuration(text: string, command: string): number {
  const match = /^(\d{1,4})([mhd])$/.exec(text.trim());
  const unit = match?.[2] ? UNIT_SECONDS[match[2]] : undefined;
  if (!match || unit === undefined || Number(match[1]) === 0) {
    throw new UsageError(`--expires-in must be like 30d, 12h or 90m, not ${JSON.stringify(text)}`, command);
  }
  return Number(match[1]) * unit * 1000;
}

/** The expiry `--apply` writes: `--expires-at`, else now plus `--expires-in` (default 30 days). */
function expiryOf(args: ParsedArgs, now: Date, command: string): string {
  const at = stringOption(args, 'expires-at');
  const inText = stringOption(args, 'expires-in');
  if (at !== undefined && inText !== undefined)
    throw new UsageError('give --expires-at or --expires-in, not both', command);
  if (at !== undefined) {
    const parsed = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(at) ? `${at}T00:00:00.000Z` : at);
    if (Number.isNaN(parsed))
      throw new UsageError(
        `--expires-at must be a date or an ISO timestamp, not ${JSON.stringify(at)}`,
        command,
      );
    return new Date(parsed).toISOString();
  }
  const ms = parseDuration(inText ?? `${SUPPRESSION_DEFAULT_DAYS}d`, command);
  return new Date(now.getTime() + ms).toISOString();
}

/** `--omit resources,resourceTags` as criteria, each checked. */
function omitted(args: ParsedArgs, command: string): ProposalCriterion[] {
  const text = stringOption(args, 'omit');
  if (text === undefined) return [];
  return text.split(',').map((name) => {
    const parsed = ProposalCriterion.safeParse(name.trim());
    if (!parsed.success) {
      throw new UsageError(
        `--omit takes ${ProposalCriterion.options.join(', ')} (comma-separated), not ${JSON.stringify(name)}`,
        command,
      );
    }
    return parsed.data;
  });
}

/**
 * A rule as an entry of the rules file's `rules:` list. Each value is written in YAML's flow style,
 * which is JSON, so nothing needs quoting rules of its own and the text pastes into
 * IR_SUPPRESSIONS_FILE as it is.
 */
export function ruleYaml(rule: ExpiringSuppressionRule): string {
  const lines = [
    'rules:',
    `  - name: ${JSON.stringify(rule.name)}`,
    `    reason: ${JSON.stringify(rule.reason)}`,
    `    expiresAt: ${JSON.stringify(rule.expiresAt)}`,
    '    match:',
    ...Object.entries(rule.match)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => `      ${key}: ${JSON.stringify(value)}`),
  ];
  return lines.join('\n');
}

/** `would have matched 3 stored finding(s) in 2 incident(s) (of 40 read; ...)`. */
export function historyLine(history: SuppressionMatchCount): string {
  const read = `of ${history.findings} stored finding(s) read`;
  const capped = history.capped
    ? `; the scan stopped after ${history.scanLimit} table items, so this is a lower bound (--scan-limit for more)`
    : '';
  const unreadable = history.unreadable > 0 ? `; ${history.unreadable} could not be evaluated` : '';
  return `would have matched ${history.matched} finding(s) in ${history.incidents} incident(s) (${read}${unreadable}${capped})`;
}

/** `irctl suppress --from-incident <id> [--apply]`. */
export const suppressCommand: CommandSpec = {
  name: 'suppress',
  summary: 'propose (and with --apply write) a suppression rule from a false-positive incident',
  positionals: [],
  options: {
    ...API_OPTIONS,
    'from-incident': {
      type: 'string',
      valueName: '<id>',
      help: 'the incident, resolved as false-positive or benign-true-positive',
    },
    omit: {
      type: 'string',
      valueName: '<criteria>',
      help: `leave criteria out to broaden the rule: ${ProposalCriterion.options.join(', ')} (comma-separated)`,
    },
    'scan-limit': {
      type: 'string',
      valueName: '<n>',
      help: 'table items the match count may read (1-100000, default 10000)',
    },
    apply: { type: 'boolean', help: 'write the rule (needs the approver role); detection applies it live' },
    'expires-in': {
      type: 'string',
      valueName: '<30d|12h>',
      help: `with --apply: how long the rule lives (default ${SUPPRESSION_DEFAULT_DAYS}d, at most ${SUPPRESSION_MAX_DAYS}d)`,
    },
    'expires-at': { type: 'string', valueName: '<date>', help: 'with --apply: when the rule stops (ISO)' },
    name: { type: 'string', valueName: '<name>', help: 'with --apply: another name for the rule' },
    reason: { type: 'string', valueName: '<text>', help: 'with --apply: why, instead of the incident line' },
  },
  details: [
    'The coordinator builds the rule from the incident: its finding types, accounts, resources (exact)',
    'and the tags all its resources carry, and counts the stored findings of every incident it would',
    'have matched, with the same matcher detection uses. The rule is printed as an entry of the rules',
    'file. With --apply it is written to the incident table, authored by the identity of your token',
    '(exit 4 if the name is taken); detection re-reads the table every IR_SUPPRESSIONS_REFRESH_SECONDS.',
  ],
  async run(args, context) {
    const command = 'suppress';
    const incidentId = stringOption(args, 'from-incident');
    if (!incidentId) throw new UsageError('--from-incident <id> is required', command);
    const apply = args.values.apply === true;
    const omit = omitted(args, command);
    const scanLimit = integerOption(args, 'scan-limit', 10_000, { min: 1, max: 100_000 }, command);
    // Checked before any call, so a typo never writes a rule with the default expiry.
    const expiresAt = apply ? expiryOf(args, context.now(), command) : undefined;
    const api = await apiOf(args, context);
    const proposal = await api.proposeSuppression(incidentId, { omit, scanLimit });
    const rule = {
      ...proposal.rule,
      ...(stringOption(args, 'name') ? { name: stringOption(args, 'name') as string } : {}),
      ...(stringOption(args, 'reason') ? { reason: stringOption(args, 'reason') as string } : {}),
      ...(expiresAt ? { expiresAt } : {}),
    };
    const written = apply
      ? await api.createSuppression({ ...rule, sourceIncidentId: incidentId })
      : undefined;
    if (args.values.json === true) {
      context.out(toJson({ ...proposal, rule, ...(written ? { written } : {}) }));
      return ExitCode.ok;
    }
    context.out(ruleYaml(rule));
    context.out('');
    context.out(historyLine(proposal.history));
    if (proposal.history.examples.length > 0) {
      context.out(
        renderTable(
          [
            { heading: 'INCIDENT', max: 36 },
            { heading: 'FINDING', max: 40 },
            { heading: 'TYPE' },
            { heading: 'UPDATED' },
          ],
          proposal.history.examples.map((e) => [e.incidentId, e.findingId, e.type, e.updatedAt]),
        ),
      );
    }
    if (written) {
      context.out(
        `written: rule ${written.name} by ${written.author.by}, expires ${written.expiresAt}; detection applies it at its next refresh`,
      );
    } else {
      context.out('nothing written; add --apply (approver role) to write this rule');
    }
    return ExitCode.ok;
  },
};

/** `irctl suppressions`: the rules written through the API. */
export const suppressionsCommand: CommandSpec = {
  name: 'suppressions',
  summary: 'list the suppression rules written through the API, with author and expiry',
  positionals: [],
  options: { ...API_OPTIONS },
  details: ['Rules of IR_SUPPRESSIONS_FILE are not listed: they are in the file.'],
  async run(args, context) {
    const rules = await (await apiOf(args, context)).listSuppressions();
    if (args.values.json === true) {
      context.out(toJson({ rules }));
      return ExitCode.ok;
    }
    const now = context.now().getTime();
    context.out(
      renderTable(
        [
          { heading: 'NAME' },
          { heading: 'EXPIRES' },
          { heading: 'AUTHOR' },
          { heading: 'INCIDENT', max: 36 },
          { heading: 'REASON', max: 60 },
        ],
        rules.map((r) => [
          r.name,
          `${r.expiresAt}${Date.parse(r.expiresAt) <= now ? ' (expired)' : ''}`,
          r.author.by,
          r.sourceIncidentId ?? '',
          r.reason,
        ]),
      ),
    );
    return ExitCode.ok;
  },
};
