// Makes sure the browser tests have a Chromium to drive. They use Debian's Chromium at /usr/bin/chromium (or the
// file named by CHROMIUM_PATH) and never download a browser. When it is missing and this runs as root on a machine
// with apt-get (CI), it installs the `chromium` package; otherwise it stops with a message saying how to get one.
import { spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";

export const DEFAULT_CHROMIUM = "/usr/bin/chromium";

function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function hasAptGet() {
  return spawnSync("sh", ["-c", "command -v apt-get"], { stdio: "ignore" }).status === 0;
}

function explainAndExit(path, why) {
  console.error(
    `The browser tests need Chromium at ${path}, and it is missing (${why}).\n` +
      `  - On Debian or Ubuntu: sudo apt-get update && sudo apt-get install -y chromium\n` +
      `  - Elsewhere: install Chromium or Chrome and run with CHROMIUM_PATH=/path/to/chromium npm test\n` +
      `The tests never download a browser by themselves.`,
  );
  process.exit(1);
}

const explicit = process.env.CHROMIUM_PATH;
const path = explicit || DEFAULT_CHROMIUM;
if (!executable(path)) {
  if (explicit) explainAndExit(path, "CHROMIUM_PATH names no executable file");
  if (typeof process.getuid !== "function" || process.getuid() !== 0) explainAndExit(path, "not running as root, so it cannot be installed here");
  if (!hasAptGet()) explainAndExit(path, "apt-get is not available to install it");
  console.error(`Chromium is missing: installing Debian's chromium package with apt-get (about 30 s)…`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const run = (args) => spawnSync("apt-get", args, { stdio: ["ignore", "inherit", "inherit"], env }).status === 0;
  if (!run(["update"]) || !run(["install", "-y", "chromium"]) || !executable(path)) {
    explainAndExit(path, "apt-get could not install it");
  }
}
