/**
 * Steps of a generated migration that can lose data or fail on a non-empty database.
 *
 * Stock `prisma migrate dev` asks the engine (`evaluateDataLoss`), which counts rows in the dev database.
 * Through driver adapters that call needs a built-in shadow database and fails ("PostgreSQL shadow DB must
 * be provided through an external factory"), so this reads the SQL instead: it flags every risky step
 * whether or not the table holds rows. Steps on tables created by the same script are never risky.
 */
export function dataLossWarnings(sql: string): string[] {
  const statements = sql
    .replace(/^\s*--.*$/gm, "")
    .split(/;\s*(?:\n|$)/)
    .map((statement) => statement.replace(/[ \t]+/g, " ").trim())
    .filter(Boolean);
  const created = new Set(statements.map((s) => /^CREATE TABLE ("[^"]+"(?:\."[^"]+")?)/.exec(s)?.[1]).filter(Boolean));
  const warnings: string[] = [];
  for (const statement of statements) {
    const table = /^(?:ALTER TABLE|DROP TABLE|CREATE UNIQUE INDEX "[^"]+" ON)\s+("[^"]+"(?:\."[^"]+")?)/.exec(
      statement,
    )?.[1];
    if (table && created.has(table)) continue;
    if (/^DROP TABLE/.test(statement)) {
      warnings.push(`${statement}: drops the table and every row in it.`);
      continue;
    }
    if (/^DROP TYPE/.test(statement)) warnings.push(`${statement}: drops an enum; columns using it must be gone.`);
    if (/^CREATE UNIQUE INDEX/.test(statement)) {
      warnings.push(`${statement}: fails if existing rows hold duplicate values.`);
    }
    if (!table || !statement.startsWith("ALTER TABLE")) continue;
    // One ALTER TABLE may carry several comma-separated clauses, one per line.
    for (const clause of statement.slice(statement.indexOf(table) + table.length).split(/,\s*\n/)) {
      const step = `ALTER TABLE ${table} ${clause.trim()}`;
      if (/\bDROP COLUMN\b/.test(clause)) warnings.push(`${step}: the column's data is lost.`);
      else if (/\bADD COLUMN\b.*\bNOT NULL\b/.test(clause) && !/\bDEFAULT\b/.test(clause)) {
        warnings.push(`${step}: a required column without a default fails if the table has rows.`);
      } else if (/\bSET NOT NULL\b/.test(clause)) warnings.push(`${step}: fails if the column holds NULLs.`);
      else if (/\bSET DATA TYPE\b|\bTYPE\b.*\bUSING\b/.test(clause)) {
        warnings.push(`${step}: changing the type may fail or lose precision for existing values.`);
      }
    }
  }
  return warnings;
}
