import { COMMON_OPTIONS } from './args.js';
import type { CommandSpec, OptionSpec } from './command.js';
import { DEFAULT_API_URL } from './config.js';

/** The usage line of a command, e.g. `irctl approve <id> <step> [options]`. */
export function usageLine(spec: CommandSpec): string {
  const positionals = spec.positionals.map((name) => (name.endsWith('?') ? `[${name.slice(0, -1)}]` : name));
  return ['irctl', spec.name, ...positionals, '[options]'].join(' ');
}

function optionLine(name: string, option: OptionSpec): string {
  const flag = `${option.short ? `-${option.short}, ` : '    '}--${name}${option.type === 'string' ? ` ${option.valueName ?? '<value>'}` : ''}`;
  return `  ${flag.padEnd(28)} ${option.help}`;
}

/** The help of one command: usage, summary, details and every option (its own, then the common ones). */
export function commandHelp(spec: CommandSpec): string {
  return [
    `Usage: ${usageLine(spec)}`,
    '',
    spec.summary,
    ...(spec.details && spec.details.length > 0 ? ['', ...spec.details] : []),
    '',
    'Options:',
    ...Object.entries({ ...spec.options, ...COMMON_OPTIONS }).map(([name, option]) =>
      optionLine(name, option),
    ),
    '',
    EXIT_CODES,
  ].join('\n');
}

const EXIT_CODES =
  'Exit codes: 0 ok, 1 the outcome is a failure (e.g. evidence problems), 2 usage, input or configuration, 3 not found, 4 conflict with the incident state, 5 coordinator, identity provider or AWS unavailable, 6 no valid token (run irctl login) or token or credentials refused.';

/** The top-level help: every command with its summary, and the environment irctl reads. */
export function topHelp(specs: readonly CommandSpec[]): string {
  const width = Math.max(...specs.map((spec) => spec.name.length)) + 2;
  return [
    'Usage: irctl <command> [arguments] [options]',
    '',
    'The operator CLI of the incident-response system.',
    '',
    'Commands:',
    ...specs.map((spec) => `  ${spec.name.padEnd(width)}${spec.summary}`),
    '',
    'Every command takes --json (machine-readable output) and --help. Commands that call the coordinator',
    'API take --token <jwt>, first in the order --token, IR_API_TOKEN, the login of irctl login; a token',
    'on the command line lands in shell history and ps, so prefer the other two.',
    '',
    'Environment:',
    `  IR_API_URL          coordinator API (default ${DEFAULT_API_URL}, the pnpm dev coordinator)`,
    '  IR_API_TOKEN        bearer token of the coordinator API (an OIDC access token, or the local-dev',
    '                      static token); over the login cache, under --token; never printed',
    '  IR_OIDC_ISSUER      identity provider of irctl login, and whose cached login API commands use',
    '                      (unset: the last login)',
    "  IR_OIDC_CLIENT_ID   irctl's client id there (default irctl); IR_OIDC_AUDIENCE the API audience;",
    '                      IR_OIDC_SCOPE scopes; IR_OIDC_CLIENT_SECRET for login --client-credentials',
    '  XDG_CONFIG_HOME     the login cache is $XDG_CONFIG_HOME/irctl/tokens.json (else ~/.config/irctl), mode 600',
    '  AWS_REGION          region of the queues and bucket (default us-east-1)',
    '  AWS_ENDPOINT_URL    an emulator endpoint (unset in AWS)',
    '  IR_PREFIX           prefix of queue names (default ir)',
    '  IR_EVIDENCE_BUCKET  evidence bucket (verify)',
    '  IR_EVIDENCE_SIGNING_KEY  KMS key manifests are signed with (verify; or --signing-key)',
    '  IR_PLAYBOOKS_DIR    user playbooks added to the shipped ones (plan)',
    '',
    EXIT_CODES,
  ].join('\n');
}
