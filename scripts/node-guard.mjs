// Fails fast when npm scripts run on a Node older than the project needs. The `node` devDependency normally puts
// Node 24 first on PATH; if its install script did not run (for example `npm ci --ignore-scripts`), npm falls back to
// the machine's Node silently, and Astro or Vitest then fail in confusing ways.
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(
    `This project needs Node >= 22.12 (it pins Node 24 through the "node" devDependency), but npm is running Node ${process.versions.node}.\n` +
      `Run "npm ci" (without --ignore-scripts) so that node_modules/.bin/node is installed, then use "npm run ...".`,
  );
  process.exit(2);
}
