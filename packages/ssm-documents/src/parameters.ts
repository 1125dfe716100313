import type { SsmCommandDocument } from './document.js';

/**
 * Why each parameter value is refused by the document (unknown name, or not matching its
 * `allowedPattern`); empty when SSM would accept them all. Forensics checks before it sends, so a
 * refused value is the service's error, named, not an `InvalidParameters` from SSM.
 */
export function parameterErrors(
  document: SsmCommandDocument,
  parameters: Readonly<Record<string, string>>,
): string[] {
  const errors: string[] = [];
  for (const [name, value] of Object.entries(parameters)) {
    const parameter = document.parameters[name];
    if (!parameter) errors.push(`unknown parameter ${name}`);
    else if (!new RegExp(parameter.allowedPattern).test(value)) {
      errors.push(
        `${name} does not match ${parameter.allowedPattern}: ${JSON.stringify(value.slice(0, 80))}`,
      );
    }
  }
  return errors;
}

/**
 * The script SSM would run for these parameters (defaults for the rest), checked first: what the
 * parser fixtures run locally, and what a reviewer reads. Throws when a value would be refused.
 */
export function renderScript(
  document: SsmCommandDocument,
  parameters: Readonly<Record<string, string>> = {},
): string {
  const errors = parameterErrors(document, parameters);
  if (errors.length > 0) throw new Error(`refused parameters: ${errors.join('; ')}`);
  const values: Record<string, string> = {
    ...Object.fromEntries(Object.entries(document.parameters).map(([name, p]) => [name, p.default])),
    ...parameters,
  };
  return document.mainSteps[0].inputs.runCommand
    .join('\n')
    .replace(/\{\{\s*([A-Za-z0-9]+)\s*\}\}/g, (_match, name: string) => values[name] ?? '');
}
