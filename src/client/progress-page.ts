/** The /progress/ page: each exercise's status from local storage, and the Export / Import progress buttons. */
import "../components/exercise-island.css";
import { h } from "./dom.ts";
import { browserStorage, describeImport, ProgressStore, statusOf } from "./progress.ts";

function mount(): void {
  const status = document.querySelector<HTMLElement>("[data-progress-status]")!;
  const noticeBox = document.querySelector<HTMLElement>("[data-progress-notices]")!;
  const tools = document.querySelector<HTMLElement>("[data-progress-tools]")!;
  const fileInput = document.querySelector<HTMLInputElement>("[data-import-file]")!;
  const known = new Set<string>(JSON.parse(document.querySelector("[data-exercise-ids]")?.textContent ?? "[]") as string[]);
  const store = new ProgressStore(browserStorage(), (n) => {
    noticeBox.hidden = false;
    noticeBox.append(h("p", { class: "island-notice" }, n.message));
  });

  const refresh = () => {
    for (const row of document.querySelectorAll<HTMLElement>("[data-exercise-row]")) {
      const { entry, state } = store.load(row.dataset.exerciseRow!);
      row.querySelector("[data-exercise-status]")!.textContent = statusOf(entry, state);
    }
  };
  refresh();

  document.querySelector('[data-action="export"]')!.addEventListener("click", () => {
    const file = store.exportAll();
    const blob = new Blob([JSON.stringify(file, null, 2)], { type: "application/json" });
    const link = h("a", { href: URL.createObjectURL(blob), download: `workbook-progress-${new Date().toISOString().slice(0, 10)}.json` });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    const n = Object.keys(file.exercises).length;
    status.textContent = `Exported progress for ${n} exercise${n === 1 ? "" : "s"} to a file.`;
  });
  document.querySelector('[data-action="import"]')!.addEventListener("click", () => fileInput.click());
  fileInput.addEventListener("change", async () => {
    const file = fileInput.files?.[0];
    fileInput.value = "";
    if (!file) return;
    let text: string;
    try {
      text = await file.text();
    } catch {
      status.textContent = `The file ${file.name} could not be read: nothing was imported.`;
      return;
    }
    status.textContent = describeImport(store.importAll(text, known));
    refresh();
  });
  tools.hidden = false;
}

mount();
