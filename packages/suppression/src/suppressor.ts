import type { Finding } from '@ir/contracts';
import type { CompiledRule } from './matchers.js';

/** The outcome of evaluating the rules for one finding. */
export type SuppressionVerdict =
  | { readonly kind: 'kept' }
  | { readonly kind: 'suppressed'; readonly rule: CompiledRule }
  /** A rule threw: the finding is kept and flagged so a person looks at it (TRAPS 17). */
  | { readonly kind: 'unevaluated'; readonly rule: string; readonly error: unknown };

/** Evaluates one set of suppression rules; detection builds a new one each time the rules change. */
export interface Suppressor {
  readonly rules: readonly CompiledRule[];
  evaluate(finding: Finding, now: Date): SuppressionVerdict;
}

/**
 * Rules are tried in order (the file's, then the table's); expired ones are skipped. The first rule that throws ends the
 * evaluation as `unevaluated`, even if a later rule would have matched: a filter that errors must
 * fail towards a person looking, never towards silence.
 */
export function createSuppressor(rules: readonly CompiledRule[]): Suppressor {
  return {
    rules,
    evaluate(finding, now) {
      for (const rule of rules) {
        if (rule.expiresAt !== undefined && rule.expiresAt.getTime() <= now.getTime()) continue;
        try {
          if (rule.matches(finding)) return { kind: 'suppressed', rule };
        } catch (error: unknown) {
          return { kind: 'unevaluated', rule: rule.name, error };
        }
      }
      return { kind: 'kept' };
    },
  };
}
