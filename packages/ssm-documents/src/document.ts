/** One parameter of an owned document. Every one has a pattern: SSM substitutes values into the script as text. */
export interface SsmParameter {
  readonly type: 'String';
  readonly description: string;
  readonly default: string;
  /** Anchored; plain syntax (no look-arounds) so SSM and JavaScript read it the same way. */
  readonly allowedPattern: string;
}

/** The one step of an owned document: a fixed shell script, Linux only. */
export interface SsmShellStep {
  readonly action: 'aws:runShellScript';
  readonly name: string;
  readonly precondition: { readonly StringEquals: readonly ['platformType', 'Linux'] };
  readonly inputs: { readonly runCommand: readonly string[]; readonly timeoutSeconds: string };
}

/** An SSM Command document (schema 2.2), as given to `CreateDocument` or `AWS::SSM::Document` content. */
export interface SsmCommandDocument {
  readonly schemaVersion: '2.2';
  readonly description: string;
  readonly parameters: Readonly<Record<string, SsmParameter>>;
  readonly mainSteps: readonly [SsmShellStep];
}

/** The documents the system owns, by the suffix of their name (`<prefix>-<key>`). */
export const SsmDocumentKey = {
  collectVolatile: 'CollectVolatile',
  captureMemory: 'CaptureMemory',
  cleanRoomAnalysis: 'CleanRoomAnalysis',
} as const;
export type SsmDocumentKey = (typeof SsmDocumentKey)[keyof typeof SsmDocumentKey];

/** Every owned document's key, in a fixed order. */
export const SSM_DOCUMENT_KEYS: readonly SsmDocumentKey[] = Object.values(SsmDocumentKey);

/** A document's name under the deployment prefix: `ir-CollectVolatile`. */
export function ssmDocumentName(prefix: string, key: SsmDocumentKey): string {
  return `${prefix}-${key}`;
}

/** Every owned document's name under the deployment prefix. */
export function ssmDocumentNames(prefix: string): Record<SsmDocumentKey, string> {
  return Object.fromEntries(SSM_DOCUMENT_KEYS.map((key) => [key, ssmDocumentName(prefix, key)])) as Record<
    SsmDocumentKey,
    string
  >;
}

/** The longest any owned command may run, in seconds (a parameter, bounded by its pattern). */
export const EXECUTION_TIMEOUT: SsmParameter = {
  type: 'String',
  description: 'Seconds the script may run before SSM stops it',
  default: '600',
  allowedPattern: '^[1-9][0-9]{0,4}$',
};

/**
 * A document of one `aws:runShellScript` step. The script first copies each parameter into a
 * single-quoted shell variable (no pattern admits a quote), and only the variables are used after.
 */
export function shellDocument(
  description: string,
  parameters: Readonly<Record<string, SsmParameter>>,
  script: readonly string[],
): SsmCommandDocument {
  const assignments = Object.keys(parameters).map((name) => `${shellVariable(name)}='{{ ${name} }}'`);
  return {
    schemaVersion: '2.2',
    description,
    parameters: { ...parameters, executionTimeout: EXECUTION_TIMEOUT },
    mainSteps: [
      {
        action: 'aws:runShellScript',
        name: 'run',
        precondition: { StringEquals: ['platformType', 'Linux'] },
        inputs: { runCommand: [...assignments, ...script], timeoutSeconds: '{{ executionTimeout }}' },
      },
    ],
  };
}

/** The shell variable a parameter is copied into: `toolPath` → `p_toolpath`. */
export function shellVariable(parameter: string): string {
  return `p_${parameter.toLowerCase()}`;
}

/** A `case` over one variable with a fixed script per value; anything else fails with exit 2. */
export function caseScript(
  variable: string,
  branches: Readonly<Record<string, readonly string[]>>,
): string[] {
  return [
    `case "$${variable}" in`,
    ...Object.entries(branches).flatMap(([value, lines]) => [
      `${value})`,
      ...lines.map((line) => `  ${line}`),
      '  ;;',
    ]),
    `*) echo "error=unknown value $${variable}" >&2; exit 2 ;;`,
    'esac',
  ];
}
