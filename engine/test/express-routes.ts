/** What an Express app serves, compared with what an OpenAPI document describes (both route tables' tests). */
import type { Express } from "express";
import { expressPath } from "../../common/contract/routes.ts";

type Layer = {
  route?: { path: string; methods: Record<string, boolean> };
  handle: { stack?: Layer[] };
  rawPath?: string;
};

/** Every `METHOD /path` an Express app answers, walking its routers (Express 5 keeps each layer's path). */
export function registeredRoutes(app: Express): string[] {
  const found: string[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const method of Object.keys(layer.route.methods)) found.push(`${method} ${prefix}${layer.route.path}`);
      } else if (layer.handle.stack) {
        walk(layer.handle.stack, layer.rawPath && layer.rawPath !== "/" ? prefix + layer.rawPath : prefix);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, "");
  // `/agents/*rest` is the agent channel's gate (it checks the token, then passes on), not an endpoint.
  return found.filter((r) => !r.includes("*"));
}

/** The routes of `app` the document does not describe, and the document's routes `app` does not serve. */
export function compareRoutes(app: Express, document: { paths?: Record<string, object> }) {
  const documented = new Set(
    Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method} ${expressPath(path)}`),
    ),
  );
  const served = new Set(registeredRoutes(app));
  return {
    undocumented: [...served].filter((r) => !documented.has(r)).sort(),
    notServed: [...documented].filter((r) => !served.has(r)).sort(),
  };
}
