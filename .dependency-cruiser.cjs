/**
 * The direction imports may take (`npm run lint` fails on any break; ARCHITECTURE.md explains
 * the layers). Written as ordered lists: a folder may import what comes after it in its list,
 * never what comes before, and nothing anywhere imports in a loop.
 */

/** The engine, top to bottom. Adapters share a rank: they never import one another. */
const ENGINE_LAYERS = [
  ["engine.ts"],
  ["api"],
  ["agents", "scheduler", "webhooks", "events", "metrics"],
  ["use-cases"],
  ["context.ts"],
  ["ports"],
  ["store"],
  ["domain"],
];

/** The use-cases, top to bottom (a bulk operation kind uses the operations machinery, never the reverse). */
const USE_CASE_LAYERS = [
  ["operation-kinds.ts"],
  ["rerun", "repositories"],
  ["builds"],
  ["cancel", "agents"],
  ["operations", "webhooks", "users"],
  ["catalog"],
  ["identity"],
  ["event-payloads.ts", "mappers.ts"],
];

/** The page (bulletproof-react): app → features → shared components → lib. */
const WEB_LAYERS = [["app"], ["features"], ["components"], ["lib"]];

const literal = (s) => s.replace(/[.]/g, "\\.");
const entry = (base, name) => `^${base}/${literal(name)}${name.endsWith(".ts") ? "$" : "/"}`;

/** One rule per rank: nothing in it imports a rank above it, nor (for shared ranks) a sibling. */
function layerRules(name, base, layers) {
  return layers.flatMap((rank, i) => {
    const above = layers.slice(0, i).flat();
    const rules = [];
    for (const part of rank) {
      const forbidden = [...above, ...rank.filter((p) => p !== part)];
      if (forbidden.length === 0) continue;
      rules.push({
        name: `${name}: ${part} imports only below it`,
        comment: `${base}/${part} may not import ${forbidden.join(", ")}`,
        severity: "error",
        from: { path: entry(base, part) },
        to: { path: forbidden.map((p) => entry(base, p)).join("|") },
      });
    }
    return rules;
  });
}

/** Which top-level folders a folder of the product may import (besides itself). */
const PRODUCT = {
  common: [],
  engine: ["common"],
  agent: ["common"],
  bff: ["common"],
  "web/src": ["common"],
  cli: ["common", "engine", "agent", "bff"],
};
const ALL = ["common", "engine", "agent", "bff", "web", "cli", "bench", "e2e"];

const TESTS = "(^|/)test/|\\.test\\.tsx?$|^e2e/|^bench/|^playwright\\.config\\.ts$";

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "Files that import each other in a loop (type-only imports count too).",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "product-not-to-tests",
      comment: "Product code never imports tests, their helpers, end-to-end suites or benchmarks.",
      severity: "error",
      from: { pathNot: TESTS },
      to: { path: TESTS },
    },
    ...Object.entries(PRODUCT).map(([from, allowed]) => ({
      name: `${from} imports only ${allowed.join(", ") || "itself"}`,
      severity: "error",
      from: { path: `^${from}/`, pathNot: TESTS },
      to: {
        path: `^(${ALL.join("|")})/`,
        pathNot: [from.split("/")[0], ...allowed].map((p) => `^${p}/`).join("|"),
      },
    })),
    ...layerRules("engine", "engine", ENGINE_LAYERS),
    ...layerRules("use-cases", "engine/use-cases", USE_CASE_LAYERS),
    ...layerRules("web", "web/src", WEB_LAYERS),
    {
      name: "web features do not import each other",
      comment: "What two features share moves down to components/ or lib/.",
      severity: "error",
      from: { path: "^web/src/features/([^/]+)/", pathNot: TESTS },
      to: { path: "^web/src/features/", pathNot: "^web/src/features/$1/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(node_modules|dist|web/dist|test-results|playwright-report)/" },
    // Type-only imports count: a cycle through types is still a cycle.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".tsx", ".js", ".mjs", ".cjs", ".json"] },
  },
};
