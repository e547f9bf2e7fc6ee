/** Runs axe-core (the installed package, injected as a script) on a page and returns its violations, simplified. */
import axe from "axe-core";
import type { Page } from "playwright-core";

export interface Violation {
  id: string;
  impact: string;
  help: string;
  nodes: string[];
}

const SEVERE = new Set(["serious", "critical"]);

export async function axeViolations(page: Page): Promise<Violation[]> {
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ content: axe.source });
  const results = await page.evaluate(async () => {
    const run = await (window as unknown as { axe: typeof axe }).axe.run(document, { resultTypes: ["violations"] });
    return run.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? "unknown",
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(" ")}: ${(n.failureSummary ?? "").replace(/\s+/g, " ")}`),
    }));
  });
  return results;
}

/** Only the serious and critical ones (the bar the site must pass). */
export async function severeViolations(page: Page): Promise<Violation[]> {
  return (await axeViolations(page)).filter((v) => SEVERE.has(v.impact));
}
