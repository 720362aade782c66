/**
 * Puts a section into bench/RESULTS.md the way cix_bench does for its own:
 * a section with the same heading (same kind, day and machine) is replaced,
 * otherwise the new one goes first, after the preamble (newest first). The
 * preamble is whatever precedes the first "## " heading. The live sections'
 * headings start with "## live ·", so the two benchmarks never replace each
 * other's sections. Written to a temporary file and renamed: a failure
 * leaves the old file whole.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

const DEFAULT_PREAMBLE = '# cix benchmark results\n\nWritten by `npm run bench` (bench/run.sh); see bench/README.md for what each figure means. Newest first.\n\n';

/** The file's text with `section` (heading line first) put in. */
export function withSection(old: string, section: string): string {
  const heading = section.slice(0, section.indexOf('\n') + 1);
  const lines = old.split(/(?<=\n)/); // keeps the newlines
  const isHeading = (l: string): boolean => l.startsWith('## ');
  let start = lines.findIndex((l) => l === heading || l === heading.trimEnd());
  let end: number;
  if (start >= 0) {
    end = start + 1;
    while (end < lines.length && !isHeading(lines[end])) end++;
  } else {
    start = lines.findIndex(isHeading);
    if (start < 0) start = lines.length;
    end = start;
  }
  let before = lines.slice(0, start).join('');
  if (before && !before.endsWith('\n\n')) before += before.endsWith('\n') ? '\n' : '\n\n';
  return before + section + lines.slice(end).join('');
}

export function writeSection(path: string, section: string): void {
  const old = existsSync(path) ? readFileSync(path, 'utf8') : DEFAULT_PREAMBLE;
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, withSection(old, section));
  renameSync(tmp, path);
}
