import { stat } from 'node:fs/promises';
import type { Finding, StoredSuppressionRule, SuppressionRule } from '@ir/contracts';
import { type CompiledRule, compileRule, createSuppressor, type Suppressor } from '@ir/suppression';
import { errorMessage, type Logger } from '@ir/runtime';
import type { DetectionMetrics } from '../metrics.js';
import { loadSuppressionRules } from './rules-file.js';

/** Where a rule comes from: the reviewed file, or the incident table (written through the operator API). */
export type RuleOrigin = 'file' | 'table';

/** What {@link loadLiveRules} reads from and reports to. */
export interface LiveRulesDeps {
  /** `IR_SUPPRESSIONS_FILE`; without it there is no file origin. */
  readonly file?: string | undefined;
  /** Reads the table's rules; without it there is no table origin. */
  readonly readTable?: (() => Promise<StoredSuppressionRule[]>) | undefined;
  readonly metrics: DetectionMetrics;
  readonly logger: Logger;
  readonly now: () => Date;
}

/** Suppression rules that are re-read while the service runs. */
export interface LiveRules {
  /** Always evaluates the rules loaded last (file rules first, then the table's by name). */
  readonly suppressor: Suppressor;
  /** Re-reads both origins now; never throws (a failure keeps that origin's rules, logged and counted). */
  refresh(): Promise<void>;
  /** Refreshes every `intervalMs`, one refresh at a time. */
  start(intervalMs: number): void;
  /** Stops refreshing and waits for a refresh under way. */
  stop(): Promise<void>;
}

interface Loaded {
  readonly rules: readonly (SuppressionRule | StoredSuppressionRule)[];
  readonly compiled: readonly CompiledRule[];
}

const compileAll = (rules: Loaded['rules']): Loaded => ({ rules, compiled: rules.map(compileRule) });

/**
 * Loads the rules of both origins, failing when either cannot be read (so a misconfigured replica
 * never starts), and keeps them fresh. Why re-read at all: a rule written from a false-positive
 * incident must apply to the next finding, and ECS tasks share no disk to push a file to. Why keep
 * the last good rules on a failed re-read: dropping to "no rules" would page people for every finding
 * the team already accepted, and a half-edited file must not change what is suppressed.
 */
export async function loadLiveRules(deps: LiveRulesDeps): Promise<LiveRules> {
  const { metrics, logger, now } = deps;
  /** `mtime:size` of the file version last read (good or bad), so a bad version is reported once. */
  let fileVersion = deps.file ? await fileVersionOf(deps.file).catch(() => undefined) : undefined;
  const loaded: Record<RuleOrigin, Loaded> = {
    file: compileAll(deps.file ? await loadSuppressionRules(deps.file) : []),
    table: compileAll(deps.readTable ? await deps.readTable() : []),
  };
  let current = createSuppressor([]);

  const install = () => {
    current = createSuppressor([...loaded.file.compiled, ...loaded.table.compiled]);
    const at = now();
    for (const origin of ['file', 'table'] as const) {
      const active = loaded[origin].compiled.filter((rule) => !isExpired(rule, at)).length;
      metrics.suppressionRules.set({ origin }, active);
    }
  };
  const replace = (origin: RuleOrigin, rules: Loaded['rules']) => {
    const before = new Map(loaded[origin].rules.map((rule) => [rule.name, JSON.stringify(rule)]));
    loaded[origin] = compileAll(rules);
    const changed = rules.filter((rule) => before.get(rule.name) !== JSON.stringify(rule));
    const removed = [...before.keys()].filter((name) => !rules.some((rule) => rule.name === name));
    logRules(logger, origin, changed, now());
    if (removed.length > 0) logger.info({ origin, rules: removed }, 'suppression_rules_removed');
  };
  const failed = (origin: RuleOrigin, error: unknown) => {
    metrics.suppressionReloadFailuresTotal.inc({ origin });
    logger.error(
      { origin, err: error, kept: loaded[origin].rules.length, detail: errorMessage(error) },
      'suppression_rules_reload_failed',
    );
  };
  const loadedNow = (origin: RuleOrigin) =>
    metrics.suppressionRulesLoadedAt.set({ origin }, Math.floor(now().getTime() / 1000));

  for (const origin of ['file', 'table'] as const) logRules(logger, origin, loaded[origin].rules, now());
  // Only the origins in use carry a load time, so an alert on a stale one never fires for a missing file.
  if (deps.file) loadedNow('file');
  if (deps.readTable) loadedNow('table');
  install();

  /** False while the file version last read was invalid (its failure is reported once, not every refresh). */
  let fileGood = true;
  const refreshFile = async (file: string) => {
    try {
      const version = await fileVersionOf(file);
      if (version === fileVersion) {
        if (fileGood) loadedNow('file');
        return;
      }
      fileVersion = version;
      fileGood = false;
      replace('file', await loadSuppressionRules(file));
      fileGood = true;
      loadedNow('file');
    } catch (error: unknown) {
      failed('file', error);
    }
  };
  const refreshTable = async (readTable: () => Promise<StoredSuppressionRule[]>) => {
    try {
      const rules = await readTable();
      replace('table', rules);
      loadedNow('table');
    } catch (error: unknown) {
      failed('table', error);
    }
  };
  const refresh = async () => {
    if (deps.file) await refreshFile(deps.file);
    if (deps.readTable) await refreshTable(deps.readTable);
    install();
  };

  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  return {
    suppressor: {
      get rules() {
        return current.rules;
      },
      evaluate: (finding: Finding, at: Date) => current.evaluate(finding, at),
    },
    refresh,
    start(intervalMs) {
      const tick = () => {
        running = refresh().finally(() => {
          running = undefined;
          if (!stopped) timer = setTimeout(tick, intervalMs).unref();
        });
      };
      timer = setTimeout(tick, intervalMs).unref();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

async function fileVersionOf(file: string): Promise<string> {
  const info = await stat(file);
  return `${info.mtimeMs}:${info.size}`;
}

function isExpired(rule: { readonly expiresAt?: Date | undefined }, at: Date): boolean {
  return rule.expiresAt !== undefined && rule.expiresAt.getTime() <= at.getTime();
}

/** One line per rule loaded or changed, so the audit trail shows what is suppressed, why and by whom. */
function logRules(
  logger: Logger,
  origin: RuleOrigin,
  rules: readonly (SuppressionRule | StoredSuppressionRule)[],
  at: Date,
): void {
  for (const rule of rules) {
    const expired = rule.expiresAt !== undefined && Date.parse(rule.expiresAt) <= at.getTime();
    logger[expired ? 'warn' : 'info'](
      {
        origin,
        rule: rule.name,
        ruleReason: rule.reason,
        expiresAt: rule.expiresAt,
        ...('author' in rule ? { author: rule.author.by, sourceIncidentId: rule.sourceIncidentId } : {}),
      },
      expired ? 'suppression_rule_expired' : 'suppression_rule_loaded',
    );
  }
}
