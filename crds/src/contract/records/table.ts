// Rows as they come out of Postgres (node-postgres: numeric and bigint as
// strings, timestamptz as Date, jsonb parsed), parsed by a zod schema per
// table. A row that does not parse is an error naming the table, the column
// and the row, never a value cast into a type it does not have.
import { z } from 'zod';

/** numeric / bigint columns arrive as strings. */
export const numericColumn = z
  .union([z.string(), z.number()])
  .transform(Number)
  .pipe(z.number().refine(Number.isFinite, 'not a finite number'));
export const timestampColumn = z.date();
/** Kubernetes uids and our own ids. */
export const uuidColumn = z.guid();

export class RecordError extends Error {
  override name = 'RecordError';
  readonly table: string;
  readonly rowId: string;
  readonly column: string | undefined;
  constructor(table: string, rowId: string, column: string | undefined, message: string) {
    super(message);
    this.table = table;
    this.rowId = rowId;
    this.column = column;
  }
}

export interface Table<S extends z.ZodType> {
  readonly name: string;
  readonly schema: S;
  /** Parses one row; throws a RecordError naming table, column and row id. */
  parse(row: unknown): z.output<S>;
  parseAll(rows: unknown[]): z.output<S>[];
}

/**
 * A table's row schema. keyOf names the row in errors (its id, or the
 * columns of its key).
 */
export function defineTable<S extends z.ZodType>(
  name: string,
  schema: S,
  keyOf: (row: Record<string, unknown>) => unknown,
): Table<S> {
  const parse = (row: unknown): z.output<S> => {
    const result = schema.safeParse(row);
    if (result.success) return result.data;
    const raw = row !== null && typeof row === 'object' ? (row as Record<string, unknown>) : {};
    const rowId = String(keyOf(raw) ?? 'unknown');
    const problems = result.error.issues.map((issue) => {
      const [column, ...rest] = issue.path.map(String);
      const where =
        column === undefined ? 'the row' : `column ${column}${rest.length ? ` (at ${rest.join('.')})` : ''}`;
      return { column, text: `${where}: ${issue.message}` };
    });
    return raiseRecordError(name, rowId, problems);
  };
  return { name, schema, parse, parseAll: (rows) => rows.map(parse) };
}

function raiseRecordError(table: string, rowId: string, problems: { column?: string; text: string }[]): never {
  throw new RecordError(
    table,
    rowId,
    problems[0]?.column,
    `${table} row ${rowId} does not match its schema: ${problems.map((p) => p.text).join('; ')}`,
  );
}
