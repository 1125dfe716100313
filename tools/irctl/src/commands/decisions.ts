import { Disposition, IncidentCategory, type OperatorIdentity, sameOperator } from '@ir/contracts';
import type { CoordinatorApi, Decision, IncidentDetailView } from '../api-client.js';
import { API_OPTIONS, integerOption, positional, stringOption } from '../args.js';
import type { CommandContext, CommandSpec, OptionSpec, ParsedArgs } from '../command.js';
import { ExitCode, IrctlError, UsageError } from '../errors.js';
import { toJson } from '../format/text.js';
import { apiOf } from './api-context.js';

const decisionOptions: Record<string, OptionSpec> = {
  ...API_OPTIONS,
  by: {
    type: 'string',
    valueName: '<name>',
    help: 'ignored: the coordinator records the identity of the token (kept so that old scripts run)',
  },
  reason: { type: 'string', valueName: '<text>', help: 'why, recorded on the incident' },
  wait: { type: 'boolean', help: 'wait until the coordinator has applied the decision' },
  timeout: { type: 'string', valueName: '<seconds>', help: 'how long --wait waits (default 120)' },
};

/**
 * What `--wait` waits for: done, failed (with why), not yet, or as far as this person can take it
 * (`waiting`: the decision is recorded and the two-person rule wants another approver).
 */
type Settled = { done: true; waiting?: string } | { done: false; failed?: string };

/** Rollback steps that failed or timed out: a retried rollback's earlier failures are not its answer. */
const stalledRollbackSteps = (view: IncidentDetailView) =>
  view.steps.filter((s) => s.rollbackOf && (s.status === 'failed' || s.status === 'timed-out'));

/**
 * Per decision: whether the incident read back shows it applied. `known` are the rollback steps that
 * had failed before the decision was sent (a rollback requested again retries them as new steps).
 */
const applied: Record<
  Decision,
  (
    view: IncidentDetailView,
    stepId: string | undefined,
    known: ReadonlySet<string>,
    actor: OperatorIdentity | undefined,
  ) => Settled
> = {
  approve: (view, stepId, _known, actor) => {
    const step = view.steps.find((s) => s.stepId === stepId);
    if (step && step.status !== 'awaiting-approval') return { done: true };
    return step?.approvals?.some((approval) => sameOperator(approval.actor, actor))
      ? {
          done: true,
          waiting: `your approval is recorded; step ${stepId} still needs a second, different approver (two-person rule)`,
        }
      : { done: false };
  },
  reject: (view, stepId) => {
    const step = view.steps.find((s) => s.stepId === stepId);
    return step && step.status !== 'awaiting-approval' ? { done: true } : { done: false };
  },
  rollback: (view, _stepId, known, actor) => {
    if (view.incident.status === 'rolled-back') return { done: true };
    const held = view.steps.find(
      (s) => s.rollbackOf && s.status === 'awaiting-approval' && sameOperator(s.requestedBy?.actor, actor),
    );
    if (held)
      return {
        done: true,
        waiting: `the rollback waits for an approver other than you (two-person rule): irctl approve ${view.incident.incidentId} ${held.stepId}`,
      };
    const failed = stalledRollbackSteps(view).find((s) => !known.has(s.stepId));
    return failed
      ? {
          done: false,
          failed: `rollback step ${failed.stepId} ${failed.status}: ${failed.failure?.reason ?? ''}`,
        }
      : { done: false };
  },
  resolve: (view) => (view.incident.status === 'resolved' ? { done: true } : { done: false }),
};

async function waitApplied(
  api: CoordinatorApi,
  context: CommandContext,
  decision: Decision,
  target: { incidentId: string; stepId?: string },
  timeoutSeconds: number,
  known: ReadonlySet<string>,
  actor: OperatorIdentity | undefined,
): Promise<{ view: IncidentDetailView; waiting?: string }> {
  const deadline = context.now().getTime() + timeoutSeconds * 1000;
  for (;;) {
    const view = await api.incident(target.incidentId);
    const settled = applied[decision](view, target.stepId, known, actor);
    if (settled.done) return { view, ...(settled.waiting ? { waiting: settled.waiting } : {}) };
    if (settled.failed)
      throw new IrctlError(`${decision} of ${target.incidentId} failed: ${settled.failed}`, ExitCode.failed);
    if (context.now().getTime() >= deadline) {
      throw new IrctlError(
        `${decision} of ${target.incidentId} was accepted but not applied within ${timeoutSeconds} s (incident ${view.incident.status}); follow it with irctl show ${target.incidentId}`,
        ExitCode.failed,
      );
    }
    await context.sleep(1000);
  }
}

const resolveOptions: Record<string, OptionSpec> = {
  ...decisionOptions,
  disposition: {
    type: 'string',
    valueName: '<kind>',
    help: `required: whether it was real (${Disposition.options.join(', ')})`,
  },
  category: {
    type: 'string',
    valueName: '<category>',
    help: `required: what kind of incident (${IncidentCategory.options.join(', ')})`,
  },
};

/** `--disposition` and `--category` of a resolve, checked here so a typo is named before any call. */
function dispositionOf(args: ParsedArgs) {
  const disposition = Disposition.safeParse(stringOption(args, 'disposition'));
  const category = IncidentCategory.safeParse(stringOption(args, 'category'));
  if (!disposition.success)
    throw new UsageError(`resolve needs --disposition, one of: ${Disposition.options.join(', ')}`, 'resolve');
  if (!category.success)
    throw new UsageError(
      `resolve needs --category, one of: ${IncidentCategory.options.join(', ')}`,
      'resolve',
    );
  return { disposition: disposition.data, category: category.data };
}

/** Builds one decision command; approve and reject take a step, rollback and resolve do not. */
function decisionCommand(decision: Decision, summary: string, details: readonly string[]): CommandSpec {
  const takesStep = decision === 'approve' || decision === 'reject';
  return {
    name: decision,
    summary,
    positionals: takesStep ? ['<id>', '<step>'] : ['<id>'],
    options: decision === 'resolve' ? resolveOptions : decisionOptions,
    details: [
      ...details,
      'The coordinator answers 202 once it has checked the incident and queued the decision; with --wait',
      'irctl reads the incident back until the decision shows (exit 1 if it failed or did not in time).',
      'Under the two-person rule --wait ends once your part is recorded, and says what another approver must do.',
    ],
    async run(args, context) {
      const incidentId = positional(args, 0);
      const stepId = takesStep ? positional(args, 1) : undefined;
      // The actor is the token's identity, decided by the coordinator; a typed name proves nothing.
      if (stringOption(args, 'by') !== undefined)
        context.err('irctl: --by is ignored: the coordinator records the identity of your token');
      const reason = stringOption(args, 'reason');
      const resolution = decision === 'resolve' ? dispositionOf(args) : {};
      const timeout = integerOption(args, 'timeout', 120, { min: 1, max: 3600 }, decision);
      const api = await apiOf(args, context);
      const target = { incidentId, ...(stepId === undefined ? {} : { stepId }) };
      const wait = args.values.wait === true;
      const known = new Set(
        wait && decision === 'rollback'
          ? stalledRollbackSteps(await api.incident(incidentId)).map((s) => s.stepId)
          : [],
      );
      const accepted = await api.decide(decision, target, { ...(reason ? { reason } : {}), ...resolution });
      const by = accepted.by ?? 'the identity of the token';
      const outcome = wait
        ? await waitApplied(api, context, decision, target, timeout, known, accepted.actor)
        : undefined;
      const view = outcome?.view;
      if (args.values.json === true) {
        context.out(
          toJson({
            ...accepted,
            incidentId,
            ...(stepId ? { stepId } : {}),
            ...(view
              ? {
                  applied: true,
                  ...(outcome?.waiting ? { waiting: outcome.waiting } : {}),
                  status: view.incident.status,
                  step: view.steps.find((s) => s.stepId === stepId),
                }
              : {}),
          }),
        );
        return ExitCode.ok;
      }
      const what = `${decision}${stepId ? ` of step ${stepId}` : ''} for incident ${incidentId} by ${by}`;
      context.out(`${what}: accepted (${accepted.type}, message ${accepted.messageId})`);
      if (view) {
        const step = view.steps.find((s) => s.stepId === stepId);
        context.out(`applied: incident ${view.incident.status}${step ? `, step ${step.status}` : ''}`);
        if (outcome?.waiting) context.out(outcome.waiting);
      } else {
        context.out(`the coordinator applies it from its queue; follow it with: irctl show ${incidentId}`);
      }
      return ExitCode.ok;
    },
  };
}

/** `irctl approve <id> <step>`. */
export const approveCommand = decisionCommand('approve', 'approve a step that awaits approval', [
  'The step runs once approved, even above the blast-radius limit or on a protected resource.',
]);
/** `irctl reject <id> <step>`. */
export const rejectCommand = decisionCommand(
  'reject',
  'reject a step that awaits approval (it is skipped)',
  [],
);
/** `irctl rollback <id>`. */
export const rollbackCommand = decisionCommand('rollback', 'roll back every containment of an incident', [
  'Each containment is undone from the state recorded before it (see irctl show, pre-state).',
  'Run it again after a rollback step failed to retry the failed steps: a rollback that would weaken a',
  'control (re-open ingress, stop a trail) fails with the AWS CLI command for you to run, and the',
  'retry verifies it.',
]);
/** `irctl resolve <id>`. */
export const resolveCommand = decisionCommand('resolve', 'resolve (close) an incident', [
  'Say whether it was real (--disposition) and what kind it was (--category): both are required, recorded',
  'with your identity, shown in the report, and set the source finding to RESOLVED or SUPPRESSED.',
]);
