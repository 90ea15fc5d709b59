/**
 * Text to find, made safe for a LIKE pattern: `%`, `_` and the escape character `\` match themselves. Prisma's
 * `contains` puts the value between `%…%` as it is, so a search for "%" used to match every row and one for
 * "\" none; every search of ours goes through this.
 */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, "\\$&");
}
