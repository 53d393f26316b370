// The viewer in a real browser: Debian's chromium, headless, driven by playwright-core (which
// never downloads a browser here: executablePath is the system one). Makes a tiny run with the
// real binary, writes its page with `trainscape view`, opens it from disk and checks that
//   - no console error or page error happens,
//   - two keyframes render differently (#frame=K opens frame K),
//   - hovering known pixels of frame 0 shows their hyperparameters (log10, from the config's
//     window) and their class (read independently from run.h5 with h5dump),
//   - a click gives the zoom command with zoom.target,
//   - the stored channels (output.channels) can colour the picture, and hovering shows their
//     values (read independently from run.h5 with h5dump).
// Usage: node view_test.mjs TRAINSCAPE_BINARY SOURCE_DIR [SCREENSHOT.png]
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const [binary, sourceDir, screenshot] = process.argv.slice(2);
if (!binary || !sourceDir) {
  console.error("usage: node view_test.mjs TRAINSCAPE_BINARY SOURCE_DIR [SCREENSHOT.png]");
  process.exit(2);
}
// Imported here, not statically, so that a missing install says what to do.
let chromium;
try {
  ({ chromium } = await import("playwright-core"));
} catch (e) {
  console.error("FAIL playwright-core is not installed: run `npm ci` in tests/browser (scripts/install_deps.sh --tests does)");
  process.exit(1);
}
const chromiumPath = process.env.TRAINSCAPE_CHROMIUM || "/usr/bin/chromium";
let failures = 0;
function check(ok, what) {
  console.log((ok ? "ok   " : "FAIL ") + what);
  if (!ok) failures++;
}

const work = mkdtempSync(join(tmpdir(), "trainscape_view_"));
const profile = mkdtempSync(join(tmpdir(), "trainscape_chromium_"));
let context = null;
try {
  // A 16 x 16 run of 3 frames: the window of frame 0 is phase_space x = y = [-1, 3].
  const run = join(work, "run");
  execFileSync(binary, ["zoom", join(sourceDir, "configs/quickstart.yaml"), "--out", run, "-q",
                        "--set", "render.resolution=16", "--set", "zoom.frames=3", "--set", "training.steps=50",
                        "--set", "output.channels=[divergence_step, lyapunov]"]);
  execFileSync(binary, ["view", run]);
  const page_path = join(run, "index.html");
  check(existsSync(page_path), "view wrote index.html");

  // Frame 0's classes as stored, independently of trainscape: h5dump's listing, row-major.
  const dump = execFileSync("h5dump", ["-d", "/frames/000000/converged", "-w", "0", "-y", join(run, "run.h5")]).toString();
  const classes = dump.slice(dump.indexOf("DATA {") + 6).match(/\d+/g).map(Number);
  const stored = name => {
    const d = execFileSync("h5dump", ["-d", "/frames/000000/" + name, "-w", "0", "-y", "-m", "%.17g", join(run, "run.h5")]).toString();
    return d.slice(d.indexOf("DATA {") + 6).match(/-?(?:\d+\.?\d*(?:e[-+]?\d+)?|nan|inf)/gi).map(Number);
  };
  const steps = stored("divergence_step"), lyapunov = stored("lyapunov");
  check(steps.length === 256 && lyapunov.length === 256, "h5dump gave 256 divergence steps and exponents");
  const cols = 16, rows = 16;
  check(classes.length === cols * rows, "h5dump gave 256 classes");

  context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync"],
  });
  const page = context.pages()[0] || await context.newPage();
  const errors = [];
  page.on("console", msg => { if (msg.type() === "error") errors.push(msg.text()); });
  page.on("pageerror", err => errors.push(String(err)));
  // Nothing may leave the machine: any request that is not the file itself fails the test.
  await page.route("**/*", route => {
    const url = route.request().url();
    if (url.startsWith("file:") || url.startsWith("data:")) return route.continue();
    errors.push("network request: " + url);
    return route.abort();
  });

  const url = "file://" + page_path;
  await page.goto(url + "#frame=0");
  await page.waitForSelector("body[data-ready='1']");
  const picture = () => page.evaluate(() => document.getElementById("view").toDataURL());
  const frame0 = await picture();
  await page.evaluate(() => { location.hash = "#frame=2"; });
  await page.waitForFunction(() => document.getElementById("position").textContent.startsWith("keyframe 2 "));
  const frame2 = await picture();
  check(frame0 !== frame2, "frames 0 and 2 render differently");
  await page.goto(url + "#frame=0");
  await page.reload();
  await page.waitForSelector("body[data-ready='1']");
  check((await picture()) === frame0, "#frame=0 renders frame 0 again, identically");

  // Hover pixels of frame 0: keyframe pixel (col, row) sits at canvas pixel (col * S, (rows-1-row) * S).
  const box = await page.locator("#view").boundingBox();
  const size = await page.evaluate(() => [document.getElementById("view").width, document.getElementById("view").height]);
  const S = (size[0] - 1) / (cols - 1);
  const converged = classes.findIndex(v => v === 1), diverged = classes.findIndex(v => v === 0);
  const probes = [[5, 11], [12, 3]];
  if (converged >= 0) probes.push([converged % cols, Math.floor(converged / cols)]);
  if (diverged >= 0) probes.push([diverged % cols, Math.floor(diverged / cols)]);
  const blewUp = steps.findIndex(v => v >= 0);  // a pixel whose loss crossed the divergence bound
  if (blewUp >= 0) probes.push([blewUp % cols, Math.floor(blewUp / cols)]);
  for (const [col, row] of probes) {
    const x = box.x + (col * S + 0.5) * box.width / size[0];
    const y = box.y + ((rows - 1 - row) * S + 0.5) * box.height / size[1];
    await page.mouse.move(x, y);
    const info = await page.evaluate(() => Object.assign({}, document.getElementById("info").dataset));
    const lx = -1 + 4 * col / (cols - 1), ly = -1 + 4 * row / (rows - 1);
    const cls = classes[row * cols + col] === 1 ? "converged" : "diverged";
    check(Number(info.col) === col && Number(info.row) === row && Number(info.frame) === 0,
          `hover (${col}, ${row}) names pixel (${info.col}, ${info.row}) of frame ${info.frame}`);
    check(Math.abs(Number(info.log10x) - lx) < 1e-12 && Math.abs(Number(info.log10y) - ly) < 1e-12,
          `hover (${col}, ${row}) shows log10 (${info.log10x}, ${info.log10y}), expected (${lx}, ${ly})`);
    check(info.class === cls, `hover (${col}, ${row}) shows class ${info.class}, run.h5 says ${cls}`);
    const shown = JSON.parse(info.channels);
    const at = row * cols + col;
    check(shown.divergence_step === steps[at], `hover (${col}, ${row}) shows divergence_step ${shown.divergence_step}, run.h5 says ${steps[at]}`);
    check(Math.abs(shown.lyapunov - lyapunov[at]) <= 1e-6 * Math.max(1, Math.abs(lyapunov[at])),
          `hover (${col}, ${row}) shows lyapunov ${shown.lyapunov}, run.h5 says ${lyapunov[at]}`);
    const table = await page.locator("#hover").innerText();
    check(table.includes(cls) && table.includes(Math.pow(10, lx).toPrecision(8)),
          `hover (${col}, ${row}) table shows the learning rate ${Math.pow(10, lx).toPrecision(8)} and the class`);
  }
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  const command = await page.locator("#command").innerText();
  check(/^trainscape zoom config\.yaml --set "zoom\.target=\[-?[0-9.e+-]+, -?[0-9.e+-]+\]"$/.test(command),
        "click gives the zoom command: " + command);
  // Between keyframes: the scrubber shows a composite that is neither keyframe.
  await page.evaluate(() => { const s = document.getElementById("scrub"); s.value = String(Math.round(Number(s.max) / 4)); s.dispatchEvent(new Event("input")); });
  const between = await picture();
  check(between !== frame0 && between !== frame2, "a scrubbed position between keyframes renders its own picture");
  // A stored channel colours the picture instead of the measure.
  await page.evaluate(() => setS(0, true));
  await page.waitForFunction(() => document.getElementById("position").textContent.startsWith("keyframe 0 "));
  const options = await page.evaluate(() => Array.from(document.getElementById("channel").options).map(o => o.value));
  check(options.join(",") === "measure,divergence_step,lyapunov", "the channel menu lists " + options.join(", "));
  check(await page.evaluate(() => !document.getElementById("channel").hidden), "the channel menu is shown");
  await page.selectOption("#channel", "lyapunov");
  const byLyapunov = await picture();
  check(byLyapunov !== frame0, "colouring by lyapunov renders another picture than the measure");
  await page.selectOption("#channel", "measure");
  check((await picture()) === frame0, "back to the measure renders frame 0 as before");
  if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
  check(errors.length === 0, "no console error, page error or network request" + (errors.length ? ": " + errors.join(" | ") : ""));
} catch (e) {
  console.log("FAIL " + (e && e.stack ? e.stack : e));
  failures++;
} finally {
  if (context) await context.close();
  rmSync(work, { recursive: true, force: true });
  rmSync(profile, { recursive: true, force: true });
}
console.log(failures === 0 ? "viewer browser test passed" : failures + " check(s) failed");
process.exit(failures === 0 ? 0 : 1);
