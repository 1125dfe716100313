import type { Finding, SeverityBand } from '@ir/contracts';
import { matchesFinding } from './conditions.js';
import { compareStrings } from './dimensions.js';
import { PlaybookError } from './errors.js';
import type { Playbook } from './schema.js';

/** Options of {@link selectPlaybook}. */
export interface SelectOptions {
  /** The band to match `minSeverity` against; defaults to the finding's own band. */
  readonly severityBand?: SeverityBand;
}

/** Playbooks in the order they are tried: highest priority first, then by id. */
export function byPriority(playbooks: readonly Playbook[]): Playbook[] {
  return [...playbooks].sort((a, b) => b.priority - a.priority || compareStrings(a.id, b.id));
}

/**
 * The playbook for a finding: the first that matches, by priority (ties by id). `generic` matches
 * anything and ships with the lowest priority. Throws {@link PlaybookError} when nothing matches,
 * which `loadPlaybooks` prevents by requiring `generic`.
 */
export function selectPlaybook(
  finding: Finding,
  playbooks: readonly Playbook[],
  options: SelectOptions = {},
): Playbook {
  const band = options.severityBand ?? finding.severity.band;
  const selected = byPriority(playbooks).find((playbook) => matchesFinding(playbook.match, finding, band));
  if (!selected) {
    throw new PlaybookError(
      `no playbook matches finding ${finding.id} (${finding.type}); add a 'generic' playbook that matches everything`,
      { file: '<playbooks>', path: '(root)' },
    );
  }
  return selected;
}
