import { defineConfig } from "astro/config";
import mdx from "@astrojs/mdx";

export default defineConfig({
  integrations: [mdx()],
  vite: {
    // The grading worker uses top-level await (QuickJS loads its WASM module asynchronously).
    worker: { format: "es" },
  },
});
