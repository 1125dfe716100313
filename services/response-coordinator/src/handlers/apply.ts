import type { Logger, Publishable, Publisher } from '@ir/runtime';
import { ConcurrentUpdateError } from '../errors.js';
import type { CoordinatorMetrics } from '../metrics.js';
import { type BlastTake, freeSlots, takeSlots } from '../repository/blast-window.js';
import { afterCommit, type DecisionCache } from './decision-cache.js';
import type { DecisionItems, IncidentItems, IncidentRepository } from '../repository/incident-repository.js';
import type { DecisionContext, DecisionSettings, Draft, Transition } from '../state/draft.js';
import { Disposition, type WorkerQueue } from '@ir/contracts';
import { type IncidentAggregate, OUTBOX_GRACE_MS, type OutboxEntry } from '../model.js';

/** What applying an event needs. */
export interface ApplyDeps {
  readonly repository: IncidentRepository;
  readonly publisher: Publisher<WorkerQueue>;
  readonly metrics: CoordinatorMetrics;
  readonly clock: () => Date;
  readonly settings: DecisionSettings;
  /**
   * The blast-radius limit: at most `max` automatic containments in any `windowSeconds` (sliding).
   * `random` picks the free slots to take (default Math.random); tests pass their own.
   */
  readonly blast: { readonly max: number; readonly windowSeconds: number; readonly random?: () => number };
  /** The incidents this replica last wrote; without it every decision reads the incident first. */
  readonly cache?: DecisionCache;
}

/** One event to apply: how to decide, and how to name it. */
export interface Application {
  readonly incidentId: string;
  readonly causationId: string | null;
  /** Names the event in derived ids; the sweeper's ticks name it by the version they saw. */
  readonly eventKey: (aggregate: IncidentAggregate | undefined) => string;
  /**
   * The decision reads the incident's timeline (the report on resolve). Only then is the timeline
   * loaded: it grows with every event, and reading it for every message made a storm quadratic.
   */
  readonly withTimeline?: boolean;
  /** The pure decision; undefined or an empty draft when the event changes nothing. */
  readonly decide: (aggregate: IncidentAggregate | undefined, context: DecisionContext) => Draft | undefined;
}

/** The outcome: the transition committed (if any) and the incident as it now stands. */
export interface Applied {
  readonly transition: Transition | undefined;
  /** The incident with its steps, as read (nothing changed) or as the commit left it. */
  readonly aggregate: IncidentAggregate | undefined;
}

const MAX_ATTEMPTS = 8;

/** A short random pause before deciding again, so writers racing on one incident fall out of step. */
const jitter = (attempt: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * 25 * 2 ** Math.min(attempt, 5)));

/**
 * Whether an outbox entry read before deciding was left by a writer that died: it was committed for
 * the message being handled again now, or longer ago than {@link OUTBOX_GRACE_MS} (a live writer
 * publishes within milliseconds). Entries without a commit time are old ones: stranded.
 */
export function isStranded(entry: OutboxEntry, causationId: string | null, now: Date): boolean {
  if (causationId !== null && entry.causedBy === causationId) return true;
  const committed = Date.parse(entry.committedAt ?? '');
  return !Number.isFinite(committed) || now.getTime() - committed > OUTBOX_GRACE_MS;
}

/** Publishes commands committed earlier, then removes them from the outbox. */
export async function flushOutbox(
  deps: Pick<ApplyDeps, 'publisher' | 'repository'>,
  incidentId: string,
  outbox: readonly OutboxEntry[],
): Promise<void> {
  if (outbox.length === 0) return;
  const byQueue = new Map<WorkerQueue, Publishable[]>();
  for (const entry of outbox) {
    const list = byQueue.get(entry.queue) ?? [];
    list.push(JSON.parse(entry.body) as Publishable);
    byQueue.set(entry.queue, list);
  }
  for (const [queue, messages] of byQueue) await deps.publisher.publish(queue, messages);
  await deps.repository.deleteOutbox(
    incidentId,
    outbox.map((entry) => entry.messageId),
  );
}

function observe(metrics: CoordinatorMetrics, transition: Transition): void {
  const labels = { playbook: transition.incident.playbookId, severity: transition.incident.severityBand };
  const { observations } = transition;
  if (observations.incidentOpened) metrics.incidentsTotal.inc(observations.incidentOpened);
  if (observations.mttiSeconds !== undefined) metrics.timeToIsolate.observe(labels, observations.mttiSeconds);
  if (observations.mtteSeconds !== undefined)
    metrics.timeToEvidence.observe(labels, observations.mtteSeconds);
  for (const outcome of observations.stepOutcomes) metrics.stepsTotal.inc(outcome);
  // Each finding type's series start at 0 while its incident is open, so the rate of the first
  // resolve is seen (a counter series born at 1 has no earlier sample, and `increase()` misses it).
  if (transition.incident.status !== 'resolved') {
    for (const type of new Set(transition.incident.findings.map((finding) => finding.type))) {
      for (const disposition of Disposition.options)
        metrics.resolvedByFindingType.inc({ finding_type: type, disposition }, 0);
    }
  }
  const resolved = observations.resolved;
  if (resolved) {
    const { playbook, category, disposition } = resolved;
    metrics.timeToResolve.observe({ playbook, category, disposition }, resolved.seconds);
    for (const type of resolved.findingTypes)
      metrics.resolvedByFindingType.inc({ finding_type: type, disposition });
  }
  for (const action of observations.rolledBack ?? []) metrics.rollbacks.inc({ action });
}

/**
 * Load → decide → conditional commit → publish, retried from a fresh read when another replica or
 * a redelivery wrote first. Commands are committed with the state (an outbox) and published after;
 * a crash in between leaves them in the outbox, and whoever touches the incident next publishes them.
 * Metrics are observed only by the writer that won, so a replayed event is not counted twice.
 */
export async function applyToIncident(
  deps: ApplyDeps,
  application: Application,
  log: Logger,
): Promise<Applied> {
  let lastAggregate: IncidentAggregate | undefined;
  const { cache } = deps;
  // A decision that reads the timeline always reads the table; any other starts from the cache.
  let cached = application.withTimeline ? undefined : cache?.get(application.incidentId);
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
    const fromCache = cached !== undefined;
    const items: DecisionItems & { timeline?: IncidentItems['timeline'] } = cached
      ? { aggregate: cached, outbox: [] }
      : application.withTimeline
        ? await deps.repository.load(application.incidentId)
        : await deps.repository.loadForDecision(application.incidentId);
    cached = undefined;
    const stranded = items.outbox.filter((entry) => isStranded(entry, application.causationId, deps.clock()));
    if (stranded.length > 0) {
      // Committed by a writer that died before publishing them: this very message's earlier handling
      // (it is being redelivered), or any writer more than the grace ago. A younger entry of another
      // message is left to its writer, which is publishing it now: republishing it too sent a second
      // command, and with replicas a second containment run (the sweep still catches a dead one).
      await flushOutbox(deps, application.incidentId, stranded);
      deps.metrics.outboxRepublished.inc({ by: 'next-writer' }, stranded.length);
      log.info({ messages: stranded.map((entry) => entry.messageId) }, 'outbox_republished');
    }
    lastAggregate = items.aggregate;
    const now = deps.clock();
    const decideWith = (blastAvailable: number) =>
      application.decide(items.aggregate, {
        now,
        causationId: application.causationId,
        eventKey: application.eventKey(items.aggregate),
        blastAvailable,
        settings: deps.settings,
        ...(items.timeline ? { timeline: items.timeline } : {}),
      });
    // The blast-radius slots are read only when the decision would take one. Why: most events
    // (results, notices) contain nothing, and the budget is consulted only at the point a slot is
    // taken, so a decision that took none with the whole budget takes none with less, and is the same.
    let draft: ReturnType<Application['decide']>;
    let blastTake: BlastTake | undefined;
    try {
      draft = decideWith(deps.blast.max);
      if (draft && draft.blastUsed > 0) {
        const slots = await deps.repository.blastSlots(deps.blast.max);
        const free = freeSlots(slots, deps.blast.max, now, deps.blast.windowSeconds);
        draft = decideWith(free.length);
        // The slots are chosen now and taken on condition they still hold what was just read; a
        // commit cancelled because another decision took one meanwhile is decided again below, on a
        // fresh read of the slots (and of the incident).
        if (draft && draft.blastUsed > 0)
          blastTake = takeSlots(slots, free, draft.blastUsed, now, deps.blast.random);
      }
    } catch (error: unknown) {
      // Refusing an event (a step the incident does not have) is decided on a fresh read only: a
      // replica that moved the incident on may have added that step, and the refusal dead-letters it.
      if (!fromCache) throw error;
      draft = undefined;
    }
    if (!draft || draft.isEmpty) {
      // Acknowledging an event as changing nothing is decided on a fresh read only, for the same
      // reason: on a cached incident another replica has moved on, the event may matter.
      if (fromCache) {
        deps.metrics.cachedDecisions.inc({ result: 'reread' });
        attempt -= 1;
        continue;
      }
      return { transition: undefined, aggregate: lastAggregate };
    }
    const transition = draft.toTransition();
    // Forgotten until this commit is published: a failure in between leaves the table to say what is.
    cache?.forget(application.incidentId);
    const committed = await deps.repository.commit(transition, blastTake);
    if (committed) {
      await flushOutbox(deps, application.incidentId, transition.outbox);
      const aggregate = afterCommit(items.aggregate, transition);
      cache?.remember(aggregate);
      if (fromCache) deps.metrics.cachedDecisions.inc({ result: 'committed' });
      observe(deps.metrics, transition);
      log.info(
        {
          status: transition.incident.status,
          version: transition.expectedVersion + 1,
          dispatched: transition.outbox.length,
          timeline: transition.timeline.map((entry) => entry.kind),
          automaticContainments: transition.blastUsed,
        },
        'incident_updated',
      );
      return { transition, aggregate };
    }
    if (fromCache) {
      // Another replica wrote since this one did: decide again from a fresh read, at once.
      deps.metrics.cachedDecisions.inc({ result: 'conflicted' });
      attempt -= 1;
      continue;
    }
    log.debug({ attempt }, 'incident_write_conflicted');
    await jitter(attempt);
  }
  throw new ConcurrentUpdateError(application.incidentId, MAX_ATTEMPTS);
}
