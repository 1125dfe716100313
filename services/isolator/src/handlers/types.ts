import type { AwsClientClass, AwsClientFactory, Logger } from '@ir/runtime';
import type { MiddlewareHost } from '@ir/runtime';
import type { StepTarget } from '@ir/contracts';
import type { IsolatorConfig } from '../config.js';

/** What one action handler gets besides its params. */
export interface ActionContext {
  readonly incidentId: string;
  readonly stepId: string;
  /** Only read calls (and EC2 `DryRun`); the outcome lists what would change (TRAPS 19). */
  readonly dryRun: boolean;
  readonly target: StepTarget;
  /** Carries incidentId and correlationId. */
  readonly logger: Logger;
  readonly signal: AbortSignal;
  readonly now: () => Date;
  /** An SDK client acting in the target's account and region, as this incident. */
  client<C extends MiddlewareHost>(clientClass: AwsClientClass<C>): Promise<C>;
}

/**
 * What a handler reports: `result` (what it did, or in dry-run what it would do), `preState` (what a
 * rollback needs) and `verified` (what it read back to prove it). Becomes `step.succeeded`.
 */
export interface StepOutcome {
  readonly result: Record<string, unknown>;
  readonly preState?: Record<string, unknown>;
  readonly verified?: Record<string, unknown>;
}

/** One action: contain or roll back one kind of resource. */
export type ActionHandler<P> = (params: P, context: ActionContext) => Promise<StepOutcome>;

/** Dependencies of the handlers, passed in by `createService`. */
export interface HandlerDeps {
  readonly aws: AwsClientFactory;
  readonly config: IsolatorConfig;
  readonly now: () => Date;
}
