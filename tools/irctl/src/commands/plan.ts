import { type Finding, SeverityBand } from '@ir/contracts';
import {
  type IncidentPlan,
  isPlaybookError,
  loadPlaybooks,
  planIncident,
  planWithPlaybook,
} from '@ir/playbooks';
import { positional, stringOption } from '../args.js';
import type { CommandSpec } from '../command.js';
import { ExitCode, InputError, UsageError } from '../errors.js';
import { readFindingInput, resourceWords } from '../finding-input.js';
import { renderTable } from '../format/table.js';
import { toJson } from '../format/text.js';

/**
 * `irctl plan <file|->`: what the playbooks would do with a finding, from the same planner the
 * coordinator runs. Reads files only: no AWS call, no API call, nothing sent.
 */
export const planCommand: CommandSpec = {
  name: 'plan',
  summary: 'show what the playbooks would do with a finding (no side effects)',
  positionals: ['<file|->'],
  options: {
    playbook: {
      type: 'string',
      valueName: '<id>',
      help: 'plan with this playbook instead of the one selected',
    },
    severity: {
      type: 'string',
      valueName: '<band>',
      help: `plan as if detection classified it so (${SeverityBand.options.join(', ')})`,
    },
  },
  details: [
    'Playbooks are the shipped ones plus IR_PLAYBOOKS_DIR (which replaces shipped ones by id), loaded',
    'and validated as the coordinator loads them; an invalid playbook is reported with its file (exit 2).',
  ],
  async run(args, context) {
    const severity = stringOption(args, 'severity');
    if (severity !== undefined && !SeverityBand.safeParse(severity).success) {
      throw new UsageError(`--severity must be one of ${SeverityBand.options.join(', ')}`, 'plan');
    }
    const input = await readFindingInput(positional(args, 0), context.readStdin, context.now);
    const plans = await planAll(input.findings, {
      userDir: context.config.IR_PLAYBOOKS_DIR,
      playbookId: stringOption(args, 'playbook'),
      severityBand: severity as SeverityBand | undefined,
    });
    if (args.values.json === true) {
      context.out(toJson({ format: input.format, plans }));
      return ExitCode.ok;
    }
    for (const [index, { finding, plan }] of plans.entries()) {
      if (index > 0) context.out('');
      context.out(
        `finding ${finding.id} (${finding.type}, ${finding.severity}) on ${finding.resources}: playbook ${plan.playbookId}, severity ${plan.severityBand}, ${plan.steps.length} step(s)`,
      );
      context.out(
        renderTable(
          [
            { heading: '#' },
            { heading: 'STEP', max: 50 },
            { heading: 'ACTION' },
            { heading: 'QUEUE' },
            { heading: 'AFTER', max: 50 },
            { heading: 'APPROVAL' },
            { heading: 'CONTAINS' },
          ],
          plan.steps.map((step, order) => [
            order + 1,
            step.stepId,
            step.action,
            step.queue,
            step.after.join(', ') || '-',
            step.approval,
            step.containment ? 'yes' : '',
          ]),
        ),
      );
      for (const note of plan.notes) context.out(`note: ${note}`);
      for (const omitted of plan.omitted)
        context.out(`not planned: ${omitted.stepId} (${omitted.action}): ${omitted.reason}`);
    }
    return ExitCode.ok;
  },
};

interface PlanSettings {
  readonly userDir: string | undefined;
  readonly playbookId: string | undefined;
  readonly severityBand: SeverityBand | undefined;
}

/** Loads the playbooks once and plans every finding of the input; playbook errors name their file. */
async function planAll(findings: readonly Finding[], settings: PlanSettings) {
  try {
    const playbooks = await loadPlaybooks(settings.userDir ? { userDir: settings.userDir } : {});
    const chosen =
      settings.playbookId === undefined ? undefined : playbooks.find((p) => p.id === settings.playbookId);
    if (settings.playbookId !== undefined && !chosen) {
      throw new UsageError(
        `no playbook ${JSON.stringify(settings.playbookId)}; loaded: ${playbooks.map((p) => p.id).join(', ')}`,
        'plan',
      );
    }
    return findings.map((finding) => {
      const band = settings.severityBand ?? finding.severity.band;
      const plan: IncidentPlan = chosen
        ? planWithPlaybook(finding, chosen, { severityBand: band })
        : planIncident(finding, playbooks, { severityBand: band });
      return {
        finding: {
          id: finding.id,
          type: finding.type,
          severity: finding.severity.band,
          resources: resourceWords(finding),
        },
        plan,
      };
    });
  } catch (error: unknown) {
    if (isPlaybookError(error)) throw new InputError(`playbook error: ${error.message}`, { cause: error });
    throw error;
  }
}
