import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/**
 * Unacknowledged AwsSolutions findings under a construct (a stack or the app), as
 * `rule: resource path(s)` lines: the same check the synthesis-time plugin runs, callable from tests
 * and the synth script so a finding is reported with its rule and resource.
 */
export function unsuppressedNagFindings(scope: IConstruct): string[] {
  // No scope given to the pack: it must not register anything on the tree it only inspects.
  const report = new AwsSolutionsChecks().validateScope(scope);
  return report.violations.map(
    (violation) =>
      `${violation.ruleName} (${violation.severity ?? 'error'}): ${violation.description} — ${violation.violatingResources
        .map((resource) => resource.constructPath ?? resource.resourceLogicalId ?? '(unknown)')
        .join(', ')}`,
  );
}
