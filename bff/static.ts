/**
 * Serving the built page: hashed assets are cached for a year, `index.html` never, and every
 * other path (a client-side route) gets `index.html`.
 */
import fs from "node:fs";
import path from "node:path";
import express, { type Router } from "express";

export function webRoutes(webDist: string): Router {
  const r = express.Router();
  const index = path.join(webDist, "index.html");
  r.use(
    "/assets",
    express.static(path.join(webDist, "assets"), { immutable: true, maxAge: "365d", fallthrough: false }),
  );
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
