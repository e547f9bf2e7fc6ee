/**
 * The exercise island: binds the server-rendered markup of ExerciseIsland.astro to the grading worker, the editor
 * and the learner's saved progress. The worker starts first; Monaco (the heavy part) loads after it. Saved code is
 * shown, never run, until the learner presses Run or Grade.
 */
import { GraderClient, type WorkerLike } from "./grader-client.ts";
import type { GradeMode } from "./grading-protocol.ts";
import { textareaEditor, type CodeEditor } from "./code-editor.ts";
import { browserStorage, ProgressStore } from "./progress.ts";
import { hintMessage, LEAVE_EDITOR, restoredMessage, RESET_CONFIRM, RESET_DONE, runningMessage, summaryMessage, unusableMessage } from "./messages.ts";
import { renderReport } from "./results.ts";
import { h } from "./dom.ts";

interface IslandData {
  id: string;
  starter: string;
  solution: string;
  hintTitles: string[];
}

const SAVE_DELAY_MS = 400;

function need<T extends Element>(root: Element, selector: string): T {
  const el = root.querySelector<T>(selector);
  if (!el) throw new Error(`exercise island: missing ${selector}`);
  return el;
}

export function mountIsland(root: HTMLElement): void {
  const data = JSON.parse(need(root, "script[data-exercise]").textContent ?? "{}") as IslandData;
  const prefix = root.id || "exercise";
  const status = need<HTMLElement>(root, "[data-status]");
  const notices = need<HTMLElement>(root, "[data-notices]");
  const results = need<HTMLElement>(root, "[data-results]");
  const editorHost = need<HTMLElement>(root, "[data-editor]");
  const staticCode = root.querySelector<HTMLElement>("[data-static-code]");
  const toolbar = need<HTMLElement>(root, "[data-toolbar]");
  const button = (action: string) => need<HTMLButtonElement>(root, `[data-action="${action}"]`);
  const runButton = button("run");
  const gradeButton = button("grade");
  const resetButton = button("reset");
  const solutionButton = button("solution");
  const hintButton = root.querySelector<HTMLButtonElement>('[data-action="hint"]');
  const solutionPanel = need<HTMLElement>(root, "[data-solution]");
  const hints = [...root.querySelectorAll<HTMLElement>("[data-hint]")];

  // 1. The worker first: QuickJS loads while Monaco downloads.
  const client = new GraderClient({
    createWorker: () => new Worker(new URL("./grade-worker.ts", import.meta.url), { type: "module", name: "grader" }) as unknown as WorkerLike,
  });
  client.start();
  addEventListener("pagehide", () => client.dispose(), { once: true });

  const say = (message: string) => {
    // Clear first so that the same sentence twice is announced twice.
    status.textContent = "";
    requestAnimationFrame(() => (status.textContent = message));
  };
  const notify = (message: string) => {
    notices.hidden = false;
    notices.append(h("p", { class: "island-notice" }, message));
  };

  const store = new ProgressStore(browserStorage(), (n) => notify(n.message));
  const saved = store.read(data.id);
  let hintsRevealed = Math.min(saved.hintsRevealed, hints.length);
  let graded = saved.solved;

  // 2. Hints: revealed one at a time; the server page shows them all when JavaScript is off.
  const showHints = () => {
    hints.forEach((hint, i) => {
      hint.hidden = i >= hintsRevealed;
      hint.querySelector("details")?.setAttribute("open", "");
    });
    if (!hintButton) return;
    hintButton.disabled = hintsRevealed >= hints.length;
    need<HTMLElement>(root, "[data-hint-count]").textContent =
      hints.length === 0 ? "" : hintsRevealed >= hints.length ? `All ${hints.length} hints shown.` : `${hintsRevealed} of ${hints.length} hints shown.`;
  };
  showHints();
  hintButton?.addEventListener("click", () => {
    if (hintsRevealed >= hints.length) return;
    hintsRevealed++;
    store.update(data.id, { hintsRevealed });
    showHints();
    say(hintMessage(hintsRevealed, hints.length, data.hintTitles[hintsRevealed - 1] ?? ""));
    hints[hintsRevealed - 1]?.querySelector<HTMLElement>("summary")?.focus();
  });

  // 3. The editor: Monaco when it loads, a textarea if it cannot.
  let editor: CodeEditor | null = null;
  let pendingCode = saved.code ?? data.starter;
  const currentCode = () => editor?.getValue() ?? pendingCode;
  let saveTimer: ReturnType<typeof setTimeout> | undefined;
  const saveNow = () => {
    clearTimeout(saveTimer);
    saveTimer = undefined;
    store.update(data.id, { code: currentCode() });
  };
  addEventListener("pagehide", () => saveTimer !== undefined && saveNow());
  document.addEventListener("visibilitychange", () => document.visibilityState === "hidden" && saveTimer !== undefined && saveNow());

  const describedBy = `${prefix}-editor-help`;
  const attach = (ed: CodeEditor) => {
    editor = ed;
    staticCode?.remove();
    editorHost.hidden = false;
    ed.onChange(() => {
      clearTimeout(saveTimer);
      saveTimer = setTimeout(saveNow, SAVE_DELAY_MS);
    });
    root.dataset.editorReady = "true";
    performance.mark("sgw:editor-ready");
  };
  import("./editor.ts")
    .then(({ createMonacoEditor }) => attach(createMonacoEditor(editorHost, pendingCode, { label: "Handler code", describedBy, announce: say, leaveMessage: LEAVE_EDITOR })))
    .catch((error: unknown) => {
      notify(`The code editor could not be loaded (${error instanceof Error ? error.message : String(error)}); a plain text box is used instead.`);
      attach(textareaEditor(editorHost, pendingCode, "Handler code", describedBy));
    });

  // 4. Run and Grade: never automatic, always in the worker.
  const setBusy = (busy: boolean) => {
    for (const b of [runButton, gradeButton, resetButton]) b.disabled = busy;
    // On the results only: a busy ancestor would hold back the status region's announcements.
    results.setAttribute("aria-busy", String(busy));
    root.dataset.grading = String(busy);
  };
  const grade = async (mode: GradeMode) => {
    if (client.busy) return;
    const source = currentCode();
    if (saveTimer !== undefined) saveNow();
    setBusy(true);
    say(runningMessage(mode));
    const outcome = await client.grade(data.id, source, mode);
    setBusy(false);
    if (outcome.kind !== "result") {
      results.replaceChildren(h("p", { class: "island-problem" }, outcome.message));
      say(outcome.message);
      return;
    }
    root.dataset.lastGradeMs = String(Math.round(outcome.elapsedMs));
    const result = outcome.result;
    if (!result.usable) {
      const message = unusableMessage(result.problem.message);
      results.replaceChildren(h("p", { class: "island-problem" }, message));
      say(message);
      return;
    }
    const report = result.report;
    const passedChecks = report.checks.filter((c) => c.passed).map((c) => c.name);
    const solved = saved.solved || (report.mode === "grade" && report.passed);
    saved.solved = solved;
    store.update(data.id, { passedChecks, solved, code: source });
    results.replaceChildren(renderReport(report, prefix));
    say(summaryMessage(report));
    if (mode === "grade") graded = true;
    solutionButton.hidden = !graded;
  };
  runButton.addEventListener("click", () => void grade("run"));
  gradeButton.addEventListener("click", () => void grade("grade"));

  // 5. Reset: back to the starter, this exercise only.
  resetButton.addEventListener("click", () => {
    if (!confirm(RESET_CONFIRM)) return;
    pendingCode = data.starter;
    editor?.setValue(data.starter);
    // Setting the text scheduled a save of the starter: drop it, the exercise has no saved progress now.
    clearTimeout(saveTimer);
    saveTimer = undefined;
    store.reset(data.id);
    hintsRevealed = 0;
    saved.solved = false;
    graded = false;
    showHints();
    results.replaceChildren();
    solutionButton.hidden = true;
    solutionButton.setAttribute("aria-expanded", "false");
    solutionPanel.hidden = true;
    say(RESET_DONE);
  });

  // 6. The reference solution, as a diff against the learner's code, after a graded attempt.
  solutionButton.hidden = !graded;
  solutionButton.addEventListener("click", () => {
    const open = solutionPanel.hidden;
    solutionPanel.hidden = !open;
    solutionButton.setAttribute("aria-expanded", String(open));
    if (open) {
      const view = need<HTMLElement>(solutionPanel, "[data-diff]");
      if (editor) editor.showDiff(view, currentCode(), data.solution);
      else view.replaceChildren(h("pre", {}, data.solution));
      say("The reference solution is shown below, compared with your code. Your code is unchanged.");
    }
  });

  // What this browser remembers, said once and quietly (never by running anything).
  const remembered = restoredMessage(saved, data.starter);
  if (remembered) need<HTMLElement>(root, "[data-restored]").textContent = remembered;

  toolbar.hidden = false;
  for (const el of root.querySelectorAll<HTMLElement>("[data-js-only]")) el.hidden = false;
}

for (const root of document.querySelectorAll<HTMLElement>("[data-exercise-island]")) mountIsland(root);
