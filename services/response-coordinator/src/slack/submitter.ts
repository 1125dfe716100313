import type { Principal } from '../api/auth.js';
import type { DecisionOutcome, DecisionRequestInput } from '../api/decisions.js';

/**
 * What the Slack endpoint decides through: the operator API's decision submitter
 * (`createDecisionSubmitter` in api/decisions.ts), which checks the role, 404/409 and the two-person
 * rule, and publishes. A type of its own so tests and the endpoint do not depend on how it is built.
 */
export type DecisionSubmitter = (
  principal: Principal,
  input: DecisionRequestInput,
) => Promise<DecisionOutcome>;
