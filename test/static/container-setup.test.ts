/**
 * We have no Docker engine, so the container set-up is checked statically with the real tools:
 * `docker-compose config` (Debian's docker-compose) validates the compose file, `promtool` (Debian's
 * prometheus) validates the Prometheus config and rules, and every service's build context and
 * command is checked to exist. `.ci/run` installs both tools; elsewhere a missing tool skips its
 * test unless IR_REQUIRE_TOOLS=1 (set by CI), which turns the skip into a failure.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = fileURLToPath(new URL('../..', import.meta.url));
const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const required = process.env.IR_REQUIRE_TOOLS === '1';
const canRun = (tool: string) => {
  if (has(tool)) return true;
  if (required) throw new Error(`${tool} is required (IR_REQUIRE_TOOLS=1) but not installed`);
  return false;
};

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string; target?: string };
  command?: string[];
  profiles?: string[];
  environment?: Record<string, string>;
}

const composeFile = join(root, 'docker-compose.yml');
const compose = parse(readFileSync(composeFile, 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
};
const services = ['detection', 'response-coordinator', 'isolator', 'forensics', 'notifier'];

describe('docker-compose.yml', () => {
  // skip: install Debian's docker-compose to run (CI installs it and sets IR_REQUIRE_TOOLS=1)
  it.skipIf(!canRun('docker-compose'))('is valid for docker-compose with either emulator profile', () => {
    for (const profile of ['localstack', 'moto']) {
      const run = spawnSync('docker-compose', ['-f', composeFile, 'config', '-q'], {
        env: { ...process.env, COMPOSE_PROFILES: profile, IR_API_TOKEN: 'compose-validation-only' },
        encoding: 'utf8',
      });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
    }
  });

  it('runs every service from an existing build context, Dockerfile stage and entry point', () => {
    const dockerfile = readFileSync(join(root, 'docker/Dockerfile'), 'utf8');
    for (const name of services) {
      const service = compose.services[name];
      expect(service, name).toBeDefined();
      const build = service?.build;
      expect(existsSync(join(root, build?.context ?? '-', build?.dockerfile ?? '-')), name).toBe(true);
      expect(dockerfile).toMatch(new RegExp(`^FROM .* AS ${build?.target}$`, 'm'));
      const entry = service?.command?.[0] ?? '';
      expect(entry).toBe(`services/${name}/dist/main.js`);
      // dist/main.js is compiled from src/main.ts by `pnpm build` in the image.
      expect(existsSync(join(root, entry.replace('/dist/', '/src/').replace(/\.js$/, '.ts'))), entry).toBe(
        true,
      );
    }
    const bootstrap = compose.services.bootstrap?.command ?? [];
    expect(existsSync(join(root, bootstrap.at(-1) ?? '-'))).toBe(true);
  });

  it('pins LocalStack to a tag that runs without an auth token and passes a token through', () => {
    const localstack = compose.services.localstack;
    expect(localstack?.image).toMatch(/localstack\/localstack:4\.14\.0/);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: compose's own interpolation syntax, compared as text
    expect(localstack?.environment?.LOCALSTACK_AUTH_TOKEN).toBe('${LOCALSTACK_AUTH_TOKEN:-}');
    expect(compose.services.moto?.profiles).toEqual(['moto']);
  });

  it('has Prometheus scrape every service on the port it listens on', () => {
    const prometheus = parse(readFileSync(join(root, 'docker/prometheus.yml'), 'utf8')) as {
      scrape_configs: Array<{ static_configs: Array<{ targets: string[] }> }>;
    };
    const targets = prometheus.scrape_configs.flatMap((c) => c.static_configs.flatMap((s) => s.targets));
    for (const name of services) {
      const port = compose.services[name]?.environment?.IR_HTTP_PORT;
      expect(targets, name).toContain(`${name}:${port}`);
    }
  });
});

describe('Prometheus configuration', () => {
  // promtool is a separate Go binary: on a loaded 2-core CI machine it took over vitest's default 5 s.
  // skip: install Debian's prometheus package (promtool) to run (CI installs it and sets IR_REQUIRE_TOOLS=1)
  it.skipIf(!canRun('promtool'))(
    'passes promtool check config and check rules',
    () => {
      const config = execFileSync('promtool', ['check', 'config', join(root, 'docker/prometheus.yml')], {
        encoding: 'utf8',
      });
      expect(config).toMatch(/SUCCESS: .*valid prometheus config/);
      const rules = execFileSync('promtool', ['check', 'rules', join(root, 'docker/prometheus-rules.yml')], {
        encoding: 'utf8',
      });
      expect(rules).toMatch(/SUCCESS: \d+ rules found/);
    },
    60_000,
  );

  // skip: install Debian's prometheus package (promtool) to run (CI installs it and sets IR_REQUIRE_TOOLS=1)
  it.skipIf(!canRun('promtool'))(
    'fires the MTTI-regression and dead-letter alerts, and records the false-positive share, on synthetic series (promtool test rules)',
    () => {
      const tested = execFileSync(
        'promtool',
        ['test', 'rules', join(root, 'docker/prometheus-rules.test.yml')],
        {
          encoding: 'utf8',
        },
      );
      expect(tested).toContain('SUCCESS');
      expect(tested).not.toContain('FAILED');
    },
    60_000,
  );
});

describe('Grafana dashboard', () => {
  it('queries MTTI and MTTE quantiles, backlog, DLQ depth, step failures and notification outcomes', () => {
    const dashboard = readFileSync(join(root, 'docker/grafana/dashboards/incident-response.json'), 'utf8');
    for (const needle of [
      'ir_time_to_isolate_seconds_bucket',
      'ir_time_to_evidence_seconds_bucket',
      'histogram_quantile(0.99',
      'ir_incidents_total',
      'ir_queue_depth',
      'ir_steps_total',
      'ir_notifications_total',
      'ir_time_to_resolve_seconds_bucket',
      'ir_incidents_resolved_total',
      'ir_rollbacks_total',
    ]) {
      expect(dashboard).toContain(needle);
    }
  });
});
