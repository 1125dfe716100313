import { createFindingsHandler, type FindingsHandlerDeps } from './findings.js';

export type { FindingsHandlerDeps } from './findings.js';

/** The handlers of the detection service; it consumes one queue, so there is one. */
export function createHandlers(deps: FindingsHandlerDeps) {
  return { findings: createFindingsHandler(deps) };
}
