/**
 * The only script a lesson page loads for its live widgets, and it is small: it waits until a widget is near the
 * viewport, then imports that widget's code (the simulator comes with it, in its own chunk). A page read with
 * JavaScript off shows the result the build computed.
 */
const views: Record<string, () => Promise<{ hydrate(root: HTMLElement): void }>> = {
  "cold-starts": () => import("./cold-starts-view.ts"),
};

function start(root: HTMLElement): void {
  const load = views[root.dataset.liveWidget ?? ""];
  if (!load) return;
  load().then(
    (view) => view.hydrate(root),
    () => root.setAttribute("data-live-failed", "true"),
  );
}

const widgets = [...document.querySelectorAll<HTMLElement>("[data-live-widget]")].filter((w) => w.dataset.live !== "true");
if (widgets.length > 0) {
  if ("IntersectionObserver" in window) {
    const observer = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) {
          if (!entry.isIntersecting) continue;
          observer.unobserve(entry.target);
          start(entry.target as HTMLElement);
        }
      },
      { rootMargin: "400px 0px" },
    );
    for (const w of widgets) observer.observe(w);
  } else {
    for (const w of widgets) start(w);
  }
}
