import type { StepCommandType, StepHandler } from './step-context.js';

/**
 * A handler whose module is imported on its first call, not at start. Why: an action table names
 * every action a service can run, and importing them all statically loads every AWS SDK client
 * package they use (EC2, IAM, RDS, EKS with the Kubernetes client, …), tens of MiB each, in every
 * process, though one incident needs one family of them. The import runs once; a failed import is
 * tried again on the next call (the step is retried like any transient error).
 */
export function lazyHandler<T extends StepCommandType>(load: () => Promise<StepHandler<T>>): StepHandler<T> {
  let handler: Promise<StepHandler<T>> | undefined;
  return async (params, context) => {
    handler ??= load().catch((error: unknown) => {
      handler = undefined;
      throw error;
    });
    return (await handler)(params, context);
  };
}
