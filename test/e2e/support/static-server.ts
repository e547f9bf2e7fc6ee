/**
 * A tiny static file server for the built site (`dist/`), on 127.0.0.1 and a free port. The browser tests and the
 * browser benchmark open the site through it, the way a learner opens the workbook from any static host.
 */
import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, resolve, sep } from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".xml": "application/xml",
  ".ttf": "font/ttf",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".map": "application/json; charset=utf-8",
  ".pf_meta": "application/octet-stream",
};

export interface StaticSite {
  /** e.g. http://127.0.0.1:41234 (no trailing slash) */
  readonly origin: string;
  close(): Promise<void>;
}

/** The file a URL path names: `/a/` and `/a` serve `a/index.html`, like most static hosts. */
function fileFor(root: string, pathname: string): string | null {
  let path: string;
  try {
    path = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  const full = normalize(join(root, path));
  if (full !== root && !full.startsWith(root + sep)) return null;
  for (const candidate of [full, join(full, "index.html"), `${full}.html`]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return null;
}

export async function startStaticSite(dir: string): Promise<StaticSite> {
  const root = resolve(dir);
  if (!existsSync(join(root, "index.html"))) {
    throw new Error(`${root}/index.html is missing: build the site first (npm run build).`);
  }
  const server: Server = createServer((request, response) => {
    if (request.method !== "GET" && request.method !== "HEAD") {
      response.writeHead(405).end();
      return;
    }
    const pathname = (request.url ?? "/").split("?")[0]!;
    const file = fileFor(root, pathname);
    // A folder named without its trailing slash redirects, so relative links resolve as on a real host.
    if (file?.endsWith(`${sep}index.html`) && !pathname.endsWith("/") && !pathname.endsWith(".html")) {
      response.writeHead(301, { location: `${pathname}/` }).end();
      return;
    }
    const notFound = join(root, "404.html");
    const served = file ?? (existsSync(notFound) ? notFound : null);
    if (!served) {
      response.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    response.writeHead(file ? 200 : 404, {
      "content-type": TYPES[extname(served)] ?? "application/octet-stream",
      "content-length": statSync(served).size,
      // Every test starts from a fresh browser context; no-cache keeps a reused one honest too.
      "cache-control": "no-cache",
    });
    if (request.method === "HEAD") response.end();
    else createReadStream(served).pipe(response);
  });
  return new Promise((resolvePromise, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolvePromise({
        origin: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
