import type { z } from 'zod';
import { PlaybookShape } from './playbook-shape.js';
import { checkPlaybook } from './validate.js';

/**
 * A validated playbook (the YAML schema). Beyond the structure it checks that step ids are unique,
 * `after:` names existing steps without cycles, every `${variable}` exists and its fan-out is
 * declared, params fit the action's contracts schema, irreversible actions require approval, and
 * `generic` matches every finding.
 */
export const Playbook = PlaybookShape.superRefine(checkPlaybook);
/** @see Playbook */
export type Playbook = z.infer<typeof Playbook>;
/** What a playbook file may contain (defaults not yet applied). */
export type PlaybookInput = z.input<typeof Playbook>;
