/**
 * The building blocks of the documents' `allowedPattern`s. Plain regular-expression syntax only
 * (character classes, groups, bounded repetition): SSM and JavaScript must read them alike.
 */

/** A path segment of letters, digits and `. _ + -` that is neither `.` nor `..`. */
const SEGMENT = '([A-Za-z0-9_+-]|\\.[A-Za-z0-9_+-]|\\.\\.[A-Za-z0-9._+-])[A-Za-z0-9._+-]*';

/** An absolute path without quotes, spaces, `.` or `..` segments: safe inside single quotes. */
export const ABSOLUTE_PATH = `(/${SEGMENT})+`;

/** Zero or more leading directories of such a path (`/usr/local/bin`), for a fixed file name after it. */
export const DIRECTORIES = `(/${SEGMENT})*`;

/** Anchors a pattern and gives it an alternative meaning "not given" (`none`). */
export const orNone = (pattern: string): string => `^(none|${pattern})$`;

/** One of the given values, exactly. */
export const oneOf = (values: readonly string[]): string => `^(${values.map(literal).join('|')})$`;

/** Escapes a literal (a bucket name) for use inside a pattern. */
export function literal(text: string): string {
  return text.replace(/[.+*?^$()[\]{}|\\]/g, '\\$&');
}

/**
 * A presigned S3 URL of the given bucket, virtual-hosted (what the SDK signs for a DNS-compatible
 * name): `https://<bucket>.s3[.<region>].amazonaws.com/<key>?<query>`. Key and query are URL-encoded,
 * so letters, digits, `% . _ ~ - / =` and single `&` between pairs are all they contain.
 */
export function presignedS3Url(bucketPattern: string): string {
  return (
    `https://${bucketPattern}\\.s3(-fips)?(\\.dualstack)?(\\.[a-z0-9-]+)?\\.amazonaws\\.com(\\.cn)?` +
    '/[A-Za-z0-9._~%/-]+\\?[A-Za-z0-9._~%=-]+(&[A-Za-z0-9._~%=-]+)*'
  );
}
