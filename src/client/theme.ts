/**
 * The "Dark theme" toggle. The theme itself is applied before first paint by the inline script in Base.astro; this
 * module only shows the button (it is useless without JavaScript), keeps aria-pressed true while the dark theme is on
 * and remembers the reader's choice.
 */
import { THEME_KEY } from "./theme-key.ts";

export type Theme = "light" | "dark";

function current(): Theme {
  return document.documentElement.dataset.theme === "dark" ? "dark" : "light";
}

function save(theme: Theme): void {
  try {
    localStorage.setItem(THEME_KEY, theme);
  } catch {
    // Storage can be unavailable (private mode, quota): the choice then lasts for this page only.
  }
}

for (const button of document.querySelectorAll<HTMLButtonElement>("button[data-theme-toggle]")) {
  button.setAttribute("aria-pressed", String(current() === "dark"));
  button.hidden = false;
  button.addEventListener("click", () => {
    const next: Theme = current() === "dark" ? "light" : "dark";
    document.documentElement.dataset.theme = next;
    button.setAttribute("aria-pressed", String(next === "dark"));
    save(next);
  });
}
