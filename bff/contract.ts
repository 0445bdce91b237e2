/**
 * The BFF's side of the page contract (`common/contract/page-routes.ts`): a route's body and query
 * are read with the route's own schemas, and every answer is checked against the route's answer
 * schema on the way out — a BFF that would answer outside its contract answers 500
 * `page_contract` instead (and logs why), so the page never parses a shape it was not promised.
 */
import type { Request, Response } from "express";
import type { z } from "zod";
import {
  PAGE_ROUTES,
  type PageRouteDef,
  type PageRouteName,
  type PageRoutes,
  successOf,
} from "../common/contract/page-routes.ts";
import { AppError } from "../common/errors.ts";
import { fieldIssues, issueText, parseInput } from "../common/validation.ts";

type Schema<R, K extends string> = R extends { [k in K]: infer S extends z.ZodType } ? S : never;
type Answers<N extends PageRouteName> = PageRoutes[N]["responses"];
/** What route `N` answers: its success schema's input (the BFF builds it; the page reads the output). */
export type PageAnswer<N extends PageRouteName> = {
  [S in keyof Answers<N>]: Answers<N>[S] extends z.ZodType ? z.input<Answers<N>[S]> : undefined;
}[keyof Answers<N>];

/** The request's body, read with route `name`'s body schema (400 `invalid_input` otherwise). */
export function bodyOf<N extends PageRouteName>(name: N, req: Request): z.output<Schema<PageRoutes[N], "body">> {
  const route: PageRouteDef = PAGE_ROUTES[name];
  return parseInput(route.body as Schema<PageRoutes[N], "body">, req.body ?? {});
}

/**
 * The query string, checked with route `name`'s schema (a bad one is the BFF's 400) and passed on
 * as it came: the engine reads the text, not our parse of it.
 */
export function queryOf<N extends PageRouteName>(name: N, req: Request): z.input<Schema<PageRoutes[N], "query">> {
  const route: PageRouteDef = PAGE_ROUTES[name];
  parseInput(route.query as Schema<PageRoutes[N], "query">, req.query);
  return req.query as z.input<Schema<PageRoutes[N], "query">>;
}

/** The path's parameters, checked with route `name`'s schema (400 `invalid_input` otherwise) and passed on as they came. */
export function paramsOf<N extends PageRouteName>(name: N, req: Request): z.input<Schema<PageRoutes[N], "params">> {
  const route: PageRouteDef = PAGE_ROUTES[name];
  parseInput(route.params as Schema<PageRoutes[N], "params">, req.params);
  return req.params as z.input<Schema<PageRoutes[N], "params">>;
}

/** Sends route `name`'s success answer, checked against its schema first. */
export function answer<N extends PageRouteName>(res: Response, name: N, value: PageAnswer<N>): void {
  const route: PageRouteDef = PAGE_ROUTES[name];
  const { status, schema } = successOf(route);
  if (schema === null) {
    res.status(status).end();
    return;
  }
  const checked = schema.safeParse(value);
  if (!checked.success) {
    const why = fieldIssues(checked.error).map(issueText).join("; ");
    throw new AppError(500, "page_contract", `The answer of ${name} does not match the page contract: ${why}`);
  }
  res.status(status).json(value);
}
