/**
 * Search over the lessons with Pagefind. Its index and script (/pagefind/) are made by `npm run build` after Astro
 * writes dist/; they are fetched only once the reader searches, so no other page pays for them. Under `npm run dev`
 * there is no index, and the page says so instead of failing.
 */
interface PagefindResult {
  url: string;
  excerpt: string;
  meta: { title?: string };
  sub_results?: { title: string; url: string; excerpt: string }[];
}
interface Pagefind {
  init(): Promise<void>;
  search(query: string): Promise<{ results: { data(): Promise<PagefindResult> }[] }>;
}

const PAGEFIND_URL = "/pagefind/pagefind.js";
const MAX_RESULTS = 10;

const form = document.querySelector<HTMLFormElement>("form[data-search]");
const input = form?.querySelector<HTMLInputElement>("input[name=q]");
const status = document.querySelector<HTMLElement>("[data-search-status]");
const list = document.querySelector<HTMLOListElement>("[data-search-results]");

let loading: Promise<Pagefind | null> | null = null;
function pagefind(): Promise<Pagefind | null> {
  loading ??= import(/* @vite-ignore */ PAGEFIND_URL)
    .then(async (module: Pagefind) => {
      await module.init();
      return module;
    })
    .catch(() => null);
  return loading;
}

function item(result: PagefindResult): HTMLLIElement {
  const li = document.createElement("li");
  const link = document.createElement("a");
  link.href = result.url;
  link.textContent = result.meta.title ?? result.url;
  const excerpt = document.createElement("p");
  // Pagefind escapes the page text and wraps the matched words in <mark>.
  excerpt.innerHTML = result.excerpt;
  li.append(link, excerpt);
  const sections = (result.sub_results ?? []).filter((s) => s.url !== result.url).slice(0, 3);
  if (sections.length > 0) {
    const sub = document.createElement("ul");
    for (const s of sections) {
      const subItem = document.createElement("li");
      const subLink = document.createElement("a");
      subLink.href = s.url;
      subLink.textContent = s.title;
      subItem.append(subLink);
      sub.append(subItem);
    }
    li.append(sub);
  }
  return li;
}

let latest = 0;
async function run(query: string): Promise<void> {
  const ticket = ++latest;
  if (!status || !list) return;
  const q = query.trim();
  if (q === "") {
    list.replaceChildren();
    status.textContent = "";
    return;
  }
  status.textContent = "Searching…";
  const engine = await pagefind();
  if (ticket !== latest) return;
  if (!engine) {
    list.replaceChildren();
    status.textContent =
      "Search works in the built site only: npm run build makes its index and npm run preview serves it (npm run dev has no index).";
    return;
  }
  const found = await engine.search(q);
  const data = await Promise.all(found.results.slice(0, MAX_RESULTS).map((r) => r.data()));
  if (ticket !== latest) return;
  list.replaceChildren(...data.map(item));
  const n = found.results.length;
  status.textContent =
    n === 0 ? `No lesson mentions “${q}”.` : `${n} ${n === 1 ? "page matches" : "pages match"} “${q}”${n > MAX_RESULTS ? `; the first ${MAX_RESULTS} are shown` : ""}.`;
}

if (form && input) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(timer);
    const url = new URL(location.href);
    url.searchParams.set("q", input.value);
    history.replaceState(null, "", url);
    void run(input.value);
  });
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => void run(input.value), 250);
  });
  const initial = new URLSearchParams(location.search).get("q");
  if (initial) {
    input.value = initial;
    void run(initial);
  }
}
