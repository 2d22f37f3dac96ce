// A commit's diff (git show) split per file, so the replay shows each file's
// change beside it.
export function splitPatch(patch: string | undefined): Map<string, string> {
  const files = new Map<string, string>();
  if (!patch) return files;
  const starts = [...patch.matchAll(/^diff --git a\/(.+?) b\/(.+)$/gm)];
  starts.forEach((match, i) => {
    const end = i + 1 < starts.length ? starts[i + 1]!.index : patch.length;
    files.set(match[2]!, patch.slice(match.index, end).trimEnd());
  });
  return files;
}
