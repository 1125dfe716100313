/**
 * `JSON.parse` that reports failure through `makeError` with a readable detail and the cause.
 * Why: finding and message parsing both turn bad JSON into their own typed 'not-json' error.
 */
export function parseJsonText(text: string, makeError: (detail: string, cause: unknown) => Error): unknown {
  try {
    return JSON.parse(text);
  } catch (error: unknown) {
    throw makeError(`not valid JSON: ${error instanceof Error ? error.message : String(error)}`, error);
  }
}
