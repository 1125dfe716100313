/**
 * Suppression rules as both detection (which suppresses) and the response coordinator (which
 * proposes and writes rules) need them, so neither depends on the other: the matcher, the
 * suppressor, the rule store in the incident table, and proposals from false-positive incidents.
 * The rule schema itself is a contract (`SuppressionRule` in @ir/contracts).
 */
export { CorruptSuppressionRuleError, isCorruptSuppressionRule } from './errors.js';
export { type CompiledRule, compileRule, literalGlob, principalArns } from './matchers.js';
export {
  matchTally,
  PROPOSABLE_DISPOSITIONS,
  type ProposalOutcome,
  type ProposedRule,
  proposeRule,
  type StoredFinding,
} from './proposal.js';
export { EXPIRED_RULE_RETENTION_SECONDS, listSuppressionRules, putSuppressionRule } from './rule-store.js';
export { createSuppressor, type SuppressionVerdict, type Suppressor } from './suppressor.js';
