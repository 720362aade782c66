/** "did you mean" for misspelt keys and names. */

// Optimal string alignment distance: Levenshtein plus adjacent swaps, the
// commonest typo ("afxpd"). Inputs are short keys and names.
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

// wholePort, whole_port and WHOLE-PORT are the same word to a reader.
const fold = (s: string): string => s.toLowerCase().replace(/[_-]/g, '');

/** The candidate closest to word, if it is close enough to be a likely typo. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const w = fold(word);
  let best: string | undefined;
  let bestD = Math.max(1, Math.floor(w.length / 3)) + 1;
  for (const c of candidates) {
    const f = fold(c);
    // The length difference bounds the distance from below: skip the matrix.
    if (Math.abs(f.length - w.length) >= bestD) continue;
    const d = distance(w, f);
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return best;
}

/** ' (did you mean "x"?)' or ''. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const c = closest(word, candidates);
  return c !== undefined && c !== word ? ` (did you mean "${c}"?)` : '';
}
