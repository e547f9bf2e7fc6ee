/** Serves dist/ for the whole browser-test run and tells the tests where (inject("origin")). */
import { rmSync } from "node:fs";
import type { TestProject } from "vitest/node";
import { chromiumAvailable, CHROMIUM_PATH } from "./support/browser.ts";
import { startStaticSite } from "./support/static-server.ts";

declare module "vitest" {
  export interface ProvidedContext {
    origin: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!chromiumAvailable()) {
    throw new Error(`Chromium is missing at ${CHROMIUM_PATH}. Run "node scripts/ensure-chromium.mjs" for how to get it (npm run test:e2e does).`);
  }
  const site = await startStaticSite("dist");
  rmSync("test-results/screenshots", { recursive: true, force: true });
  project.provide("origin", site.origin);
  return () => site.close();
}
