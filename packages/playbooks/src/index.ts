/**
 * @ir/playbooks: the playbook schema, the loader (shipped YAML in `playbooks/` plus the user's
 * `IR_PLAYBOOKS_DIR`), and the pure planner that turns a finding and a playbook into a DAG of steps.
 * Shared by the response coordinator (which dispatches the plan) and the CLI (which shows it).
 */
export { isContainment, PlaybookAction, queueOf } from './actions.js';
export { conditionHolds, matchesFinding, PlaybookMatch, StepCondition } from './conditions.js';
export { Dimension } from './dimensions.js';
export { isPlaybookError, PlaybookError } from './errors.js';
export type { PlaybookErrorOptions } from './errors.js';
export { compileGlob } from './glob.js';
export { loadFile, loadPlaybooks, parsePlaybook, shippedPlaybooksDir } from './loader.js';
export type { LoadPlaybooksOptions } from './loader.js';
export type { IncidentPlan, OmittedStep, PlannedStep, StepQueue } from './plan.js';
export { planIncident, planWithPlaybook } from './planner.js';
export type { PlanOptions } from './planner.js';
export { Audience, defaultAudience, PlaybookNote, PlaybookShape, PlaybookStep } from './playbook-shape.js';
export { Playbook } from './schema.js';
export type { PlaybookInput } from './schema.js';
export { byPriority, selectPlaybook } from './select.js';
export type { SelectOptions } from './select.js';
export { GENERIC_PLAYBOOK_ID } from './validate.js';
export { variables } from './variables.js';
