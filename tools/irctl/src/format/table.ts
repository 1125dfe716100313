import { printable, truncate } from './text.js';

/** One column of a table: its heading, and the widest a cell may be before it is cut. */
export interface Column {
  readonly heading: string;
  readonly max?: number;
}

/**
 * Renders rows as an aligned plain-text table (two spaces between columns, no trailing spaces), the
 * default output of every listing command. Cells are made printable and cut to their column's `max`
 * (default 60); `--json` is there for the full values.
 */
export function renderTable(columns: readonly Column[], rows: readonly (readonly unknown[])[]): string {
  const cells = rows.map((row) =>
    columns.map((column, index) => truncate(printable(row[index]), column.max ?? 60)),
  );
  const widths = columns.map((column, index) =>
    Math.max(column.heading.length, ...cells.map((row) => row[index]?.length ?? 0)),
  );
  const line = (values: readonly string[]) =>
    values
      .map((value, index) => (index === values.length - 1 ? value : value.padEnd(widths[index] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((column) => column.heading)), ...cells.map(line)].join('\n');
}
