/**
 * Branch filters with GitHub Actions' pattern semantics (`on.push.branches`):
 * `*` any characters but `/`; `**` any characters; `?` zero or one of the preceding character;
 * `+` one or more of it; `[...]` one character of a class (`a-z`, `A-Z`, `0-9` ranges); `\`
 * escapes; a leading `!` makes a pattern exclude what the patterns before it included (the last
 * pattern that matches decides).
 *
 * Hand-written rather than picomatch or minimatch: neither has GitHub's `?` and `+` (one
 * character, and extglob), and both give `**` its meaning only as a whole path segment, where
 * GitHub's matches anywhere (`releases/**-beta`). Pure: no I/O.
 */

/** A pattern as a regular expression over the whole branch name, or the problem with it. */
export function compileBranchPattern(pattern: string): RegExp | string {
  let out = "";
  let i = 0;
  /** The last unit written, so `?` and `+` can apply to it. */
  let last = "";
  const emit = (unit: string) => {
    out += unit;
    last = unit;
  };
  while (i < pattern.length) {
    const c = pattern[i] as string;
    if (c === "*") {
      if (pattern[i + 1] === "*") {
        emit(".*");
        i += 2;
      } else {
        emit("[^/]*");
        i += 1;
      }
      last = "";
      continue;
    }
    if (c === "?" || c === "+") {
      if (last === "") return `"${c}" must follow a character`;
      out += c;
      last = "";
      i += 1;
      continue;
    }
    if (c === "[") {
      const close = pattern.indexOf("]", i + 1);
      if (close < 0) return "has an unclosed [";
      const body = pattern.slice(i + 1, close);
      if (!/^([A-Za-z0-9]-[A-Za-z0-9]|[A-Za-z0-9._\-/])+$/.test(body)) {
        return `[${body}] may only list letters, digits and ranges like a-z`;
      }
      emit(`[${body.replace(/[\\\]^]/g, "\\$&")}]`);
      i = close + 1;
      continue;
    }
    if (c === "\\") {
      const next = pattern[i + 1];
      if (next === undefined) return "ends with a lone \\";
      emit(literalChar(next));
      i += 2;
      continue;
    }
    emit(literalChar(c));
    i += 1;
  }
  return new RegExp(`^${out}$`);
}

function literalChar(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}

/** The problem with a list of patterns (for the pipeline's validation), or null. */
export function branchPatternsProblem(patterns: readonly string[]): string | null {
  for (const p of patterns) {
    const body = p.startsWith("!") ? p.slice(1) : p;
    if (body === "") return "a pattern must not be empty";
    const compiled = compileBranchPattern(body);
    if (typeof compiled === "string") return `"${p}" ${compiled}`;
  }
  return null;
}

/**
 * Whether a branch passes `branches` (all branches when absent; with `!` patterns, the last
 * pattern that matches decides) and no pattern of `ignore` matches it.
 */
export function branchMatches(
  branch: string,
  filter: { branches?: readonly string[] | undefined; ignore?: readonly string[] | undefined },
): boolean {
  if (filter.ignore?.some((p) => test(p, branch))) return false;
  if (!filter.branches) return true;
  let included = false;
  for (const p of filter.branches) {
    if (p.startsWith("!")) {
      if (test(p.slice(1), branch)) included = false;
    } else if (test(p, branch)) {
      included = true;
    }
  }
  return included;
}

function test(pattern: string, branch: string): boolean {
  const compiled = compileBranchPattern(pattern);
  return typeof compiled !== "string" && compiled.test(branch);
}
