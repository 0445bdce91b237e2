/**
 * Serving the built page: hashed assets are cached for a year, `index.html` never, and every
 * other path (a client-side route) gets `index.html`. An asset that is missing, or a path that
 * reaches outside `assets/`, is a plain 404: nothing about the server's files is answered or logged.
 */
import fs from "node:fs";
import path from "node:path";
import express, { type Router } from "express";
import { NotFoundError } from "../common/errors.ts";

export function webRoutes(webDist: string): Router {
  const r = express.Router();
  const index = path.join(webDist, "index.html");
  r.use("/assets", express.static(path.join(webDist, "assets"), { immutable: true, maxAge: "365d" }));
  r.use("/assets", () => {
    throw new NotFoundError("No such asset", undefined, "asset_not_found");
  });
  r.use(express.static(webDist, { index: false, maxAge: 0 }));
  r.get("/{*path}", (_req, res) => {
    if (!fs.existsSync(index)) {
      res.status(503).type("text/plain").send("The web page is not built: run `npx vite build`.");
      return;
    }
    res.setHeader("Cache-Control", "no-cache");
    res.sendFile(index);
  });
  return r;
}
