// Names the split browser bundle by its content, so /pkg can be cached for a year.
//   node scripts/hash-pkg.mjs PKG_DIR PLACEHOLDER      (prints the hash)
// PKG_DIR holds what scripts/wasm-bundle wrote: faultdesk.js,
// faultdesk_bg.wasm, the chunk loader __wasm_split.PLACEHOLDER.js, its manifest and the
// chunks. The main module and the loader import each other, so one hash of every file
// (taken before renaming, with the placeholder in place) names them all: it replaces
// the placeholder (same length, so the import names inside the wasm stay valid) and
// goes into every file name; the loader's chunk URLs and the manifest follow.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

const [dir, placeholder] = process.argv.slice(2);
const loader = `__wasm_split.${placeholder}.js`;
const manifest = "__wasm_split_manifest.json";
const files = fs.readdirSync(dir).filter((f) => f !== "faultdesk.css").sort();
for (const required of ["faultdesk.js", "faultdesk_bg.wasm", loader, manifest]) {
  if (!files.includes(required)) throw new Error(`${dir} has no ${required}`);
}
const sha = crypto.createHash("sha256");
for (const f of files) sha.update(`${f}\0`).update(fs.readFileSync(path.join(dir, f)));
const hash = sha.digest("hex").slice(0, placeholder.length);

const chunks = files.filter((f) => f.endsWith(".wasm") && f !== "faultdesk_bg.wasm").map((f) => f.slice(0, -5));
const from = Buffer.from(placeholder);
const to = Buffer.from(hash);
const replaceAll = (buf) => {
  for (let i = buf.indexOf(from); i !== -1; i = buf.indexOf(from, i + to.length)) to.copy(buf, i);
  return buf;
};
const rename = (f) => {
  if (f === "faultdesk.js") return `faultdesk.${hash}.js`;
  if (f === "faultdesk_bg.wasm") return `faultdesk.${hash}.wasm`;
  if (f === loader) return `__wasm_split.${hash}.js`;
  if (f === manifest) return `__wasm_split_manifest.${hash}.json`;
  return f.replace(/\.wasm$/, `.${hash}.wasm`);
};
for (const f of files) {
  let buf = replaceAll(fs.readFileSync(path.join(dir, f)));
  if (f === loader) {
    let js = buf.toString("utf8");
    for (const c of chunks) js = js.replaceAll(`"./${c}.wasm"`, `"./${c}.${hash}.wasm"`);
    buf = Buffer.from(js);
  } else if (f === manifest) {
    const map = JSON.parse(buf.toString("utf8"));
    for (const key of Object.keys(map)) map[key] = map[key].map((c) => `${c}.${hash}`);
    buf = Buffer.from(JSON.stringify(map, null, 2));
  }
  fs.writeFileSync(path.join(dir, rename(f)), buf);
  if (rename(f) !== f) fs.unlinkSync(path.join(dir, f));
}
console.log(hash);
