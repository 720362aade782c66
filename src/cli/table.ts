/** Aligned text tables for people; scripts use --json. */
export function renderTable(rows: string[][], align: ('l' | 'r')[] = []): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((row, r) => {
      const line = row
        .map((cell, i) => {
          const last = i === row.length - 1;
          if (align[i] === 'r') return cell.padStart(widths[i]);
          return last ? cell : cell.padEnd(widths[i]);
        })
        .join('  ');
      return r === 0 ? `  ${line}\n  ${widths.map((w) => '-'.repeat(w)).join('  ')}` : `  ${line}`;
    })
    .join('\n');
}

/** "name: value" lines with the values aligned, for one object (show dataplane, show system). */
export function renderFields(fields: Array<[string, string]>): string {
  const width = Math.max(0, ...fields.map(([k]) => k.length));
  return fields.map(([k, v]) => `  ${`${k}:`.padEnd(width + 1)}  ${v}`).join('\n');
}
