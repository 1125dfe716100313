import type { MessageOf, PayloadOf, StepAction, StepTarget } from '@ir/contracts';
import type { Logger } from 'pino';
import type { AwsClientClass } from '../aws/client-factory.js';
import type { MiddlewareHost } from '../aws/metrics-middleware.js';
import type { StepOutcome } from './step-outcome.js';

/** A step command's message type: every one carries `{ stepId, action, target, timeoutSeconds, params }`. */
export type StepCommandType = StepAction;
/** What every step command has, whatever its type; lets generic code read it without narrowing. */
export interface StepEnvelope {
  readonly id: string;
  readonly incidentId: string;
  readonly correlationId: string;
  readonly sentAt: string;
  readonly dryRun: boolean;
  readonly payload: {
    readonly stepId: string;
    readonly action: StepCommandType;
    readonly target: StepTarget;
    readonly timeoutSeconds: number;
    readonly params: unknown;
    /** Set when a person approved the held step, with the reasons it was held for. */
    readonly approval?: { readonly approvedBy: readonly string[]; readonly holdReasons: readonly string[] };
  };
}
/** A step command of one type, as parsed from the queue. */
export type StepCommand<T extends StepCommandType = StepCommandType> = MessageOf<T>;
/** The params of one step command type. */
export type ParamsOf<T extends StepCommandType> = PayloadOf<T> extends { params: infer P } ? P : never;

/** What one action gets besides its params. Built by the step worker for each delivery. */
export interface StepContext<T extends StepCommandType = StepCommandType> {
  readonly incidentId: string;
  readonly correlationId: string;
  readonly stepId: string;
  readonly action: T;
  /** Only read calls (and EC2 `DryRun`); the outcome lists what would change (TRAPS 19). */
  readonly dryRun: boolean;
  readonly target: StepTarget;
  /**
   * The approval the step was dispatched with (who, and the reasons it was held for), or undefined
   * when nobody had to approve it. The isolator's protected-resource gate reads it.
   */
  readonly approval?: StepEnvelope['payload']['approval'] | undefined;
  /** The whole command, for the few actions that need the envelope (sentAt, id, causation). */
  readonly command: StepCommand<T>;
  /** Carries incidentId, correlationId, stepId, action, dryRun and attempt. */
  readonly logger: Logger;
  /**
   * Aborted at the step's deadline (less the time kept to answer), on handler time-out and when a
   * shutdown's grace period runs out. Actions pass it to every wait.
   */
  readonly signal: AbortSignal;
  /** The coordinator's deadline: the command's `sentAt` plus its `timeoutSeconds`. */
  readonly deadline: Date;
  /** 1 on the first delivery of this command. */
  readonly attempt: number;
  readonly now: () => Date;
  /** An SDK client acting in the target's account and region, as this incident. */
  client<C extends MiddlewareHost>(clientClass: AwsClientClass<C>): Promise<C>;
}

/** One action: the single handler signature of every step worker. */
export type StepHandler<T extends StepCommandType> = (
  params: ParamsOf<T>,
  context: StepContext<T>,
) => Promise<StepOutcome>;

/**
 * The action table of a service, keyed by every message type it executes. The mapped type makes it
 * exhaustive: a type listed for the service with no handler fails to compile, with no cast.
 */
export type StepActionTable<T extends StepCommandType> = { readonly [K in T]: StepHandler<K> };
