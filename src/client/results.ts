/** The check-by-check list of a report, with hidden checks marked and each failure linked to its lesson section. */
import type { GradeReport } from "../grader/report.ts";
import { h } from "./dom.ts";
import { renderTimeline } from "./timeline.ts";

export function renderReport(report: GradeReport, idPrefix: string): HTMLElement {
  const list = h(
    "ul",
    { class: "checks" },
    report.checks.map((check) =>
      h(
        "li",
        { class: `check ${check.passed ? "check-pass" : "check-fail"}` },
        h("span", { class: "check-mark", "aria-hidden": "true" }, check.passed ? "✓" : "✗"),
        h(
          "div",
          { class: "check-body" },
          h(
            "p",
            { class: "check-name" },
            h("span", { class: "visually-hidden" }, check.passed ? "Passed: " : "Failed: "),
            h("strong", {}, check.name),
            check.hidden ? h("span", { class: "check-tag" }, "hidden check") : null,
            h("span", { class: "check-scenario" }, ` — scenario “${check.scenario}”`),
          ),
          check.passed ? null : h("p", { class: "check-message" }, check.message),
          check.passed ? null : h("p", {}, h("a", { href: check.lesson }, "Read the lesson section this check is about")),
        ),
      ),
    ),
  );
  return h(
    "div",
    { class: "report" },
    h("h3", {}, report.mode === "run" ? "Visible checks (Run)" : "All checks (Grade)"),
    list,
    report.failure ? renderTimeline(report.failure, report.simplifications, `${idPrefix}-tl`) : null,
  );
}
