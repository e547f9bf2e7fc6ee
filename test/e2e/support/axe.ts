/** Runs axe-core (the installed package, injected as a script) on a page and returns its violations, simplified. */
import axe from "axe-core";
import type { Locator, Page } from "playwright-core";

export interface Violation {
  id: string;
  impact: string;
  help: string;
  nodes: string[];
}

const SEVERE = new Set(["serious", "critical"]);

/** Every violation on the page, or only inside `within` (an element of it). */
export async function axeViolations(page: Page, within?: Locator): Promise<Violation[]> {
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ content: axe.source });
  const root = within ? await within.elementHandle() : null;
  return page.evaluate(async (element) => {
    const run = await (window as unknown as { axe: typeof axe }).axe.run(element ?? document, { resultTypes: ["violations"] });
    return run.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? "unknown",
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(" ")}: ${(n.failureSummary ?? "").replace(/\s+/g, " ")}`),
    }));
  }, root);
}

/** Only the serious and critical ones (the bar the site must pass). */
export async function severeViolations(page: Page, within?: Locator): Promise<Violation[]> {
  return (await axeViolations(page, within)).filter((v) => SEVERE.has(v.impact));
}
