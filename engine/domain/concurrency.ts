/**
 * Concurrency groups: the `${{ ... }}` expression language for `concurrency.group`, and the
 * queue policy for groups without cancelInProgress. Pure: no I/O.
 */
export type GroupContext = {
  branch: string;
  commit: string;
  pipeline: string;
  params: Record<string, string>;
};

const PLACEHOLDER = /\$\{\{\s*([^}]*?)\s*\}\}/g;
const VARIABLE = /^(branch|commit|pipeline|params\.[A-Za-z_][A-Za-z0-9_]*)$/;
/** Names every object inherits (`constructor`, `__proto__`, `toString`...): never a parameter. */
const INHERITED = new Set(Object.getOwnPropertyNames(Object.prototype));

/** Returns the problem with an expression, or null when it is valid. */
export function groupExpressionProblem(expression: string): string | null {
  if (expression.trim() === "") return "must not be empty";
  for (const match of expression.matchAll(PLACEHOLDER)) {
    const variable = match[1] ?? "";
    if (!VARIABLE.test(variable)) {
      return `unknown variable "${variable}"; use branch, commit, pipeline or params.NAME`;
    }
    const param = variable.startsWith("params.") ? variable.slice("params.".length) : undefined;
    if (param !== undefined && INHERITED.has(param)) return `"${param}" may not be used as a parameter name`;
  }
  const withoutPlaceholders = expression.replace(PLACEHOLDER, "");
  if (withoutPlaceholders.includes("${{") || withoutPlaceholders.includes("}}")) {
    return "has an unclosed ${{ ... }}";
  }
  return null;
}

/** The parameter names an expression reads (`${{ params.NAME }}`). */
export function paramsUsedBy(expression: string): string[] {
  return [...expression.matchAll(PLACEHOLDER)]
    .map((m) => m[1] ?? "")
    .filter((v) => v.startsWith("params."))
    .map((v) => v.slice("params.".length));
}

export function resolveGroup(expression: string, ctx: GroupContext): string {
  return expression.replace(PLACEHOLDER, (_, variable: string) => {
    if (variable.startsWith("params.")) {
      const name = variable.slice("params.".length);
      // Own properties only: `params.constructor` must not reach Object.prototype.
      return Object.hasOwn(ctx.params, name) ? String(ctx.params[name]) : "";
    }
    return ctx[variable as "branch" | "commit" | "pipeline"];
  });
}

export type QueueDecision = { kind: "reject" } | { kind: "enqueue"; evictOldest: number };

/**
 * Without cancelInProgress one build of a group runs and up to `queueLength` wait.
 * `waiting` counts the group's QUEUED builds, `busy` whether any build of the group is active.
 */
export function queueDecision(opts: { queueLength: number; waiting: number; busy: boolean }): QueueDecision {
  if (!opts.busy) return { kind: "enqueue", evictOldest: 0 };
  if (opts.queueLength === 0) return { kind: "reject" };
  return { kind: "enqueue", evictOldest: Math.max(0, opts.waiting + 1 - opts.queueLength) };
}
