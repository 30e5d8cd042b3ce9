//! `faultdesk-wasm-bundle INPUT.wasm OUT_DIR OUT_NAME PLACEHOLDER`
//!
//! Turns the browser build's wasm into the site's bundle, as `cargo leptos build --split`
//! does: splits it at its `#[lazy]` split points, writing the chunks, their loader
//! (`__wasm_split.PLACEHOLDER.js`) and `__wasm_split_manifest.json` (which split point
//! needs which chunks; Leptos's `HydrationScripts` reads it to preload a server-rendered
//! page's chunks) to `OUT_DIR`; then runs wasm-bindgen on the main module, writing
//! `OUT_NAME.js` and `OUT_NAME_bg.wasm` there. The main module and the loader refer to
//! each other as `./OUT_NAME.PLACEHOLDER.js` and `./__wasm_split.PLACEHOLDER.js`
//! (scripts/hash-pkg.mjs then puts the content hash in place of the placeholder).
//! Prints one chunk file name per line.

use std::{collections::BTreeMap, path::Path, process::ExitCode};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, out_dir, out_name, placeholder] = args.as_slice() else {
        eprintln!("usage: faultdesk-wasm-bundle INPUT.wasm OUT_DIR OUT_NAME PLACEHOLDER");
        return ExitCode::from(2);
    };
    match bundle(Path::new(input), Path::new(out_dir), out_name, placeholder) {
        Ok(chunks) => {
            for chunk in chunks {
                println!("{chunk}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("faultdesk-wasm-bundle: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn bundle(
    input: &Path,
    out_dir: &Path,
    out_name: &str,
    placeholder: &str,
) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    let wasm = std::fs::read(input).map_err(|e| format!("cannot read {}: {e}", input.display()))?;
    std::fs::create_dir_all(out_dir)?;
    let scratch = out_dir.join(".split");
    std::fs::create_dir_all(&scratch)?;
    let main_wasm = scratch.join(format!("{out_name}.wasm"));
    let main_module = format!("./{out_name}.{placeholder}.js");
    let link_name = format!("./__wasm_split.{placeholder}.js");

    let mut opts = wasm_split_cli_support::Options::new(&wasm);
    opts.output_dir = out_dir;
    opts.main_out_path = &main_wasm;
    opts.main_module = &main_module;
    opts.link_name = &link_name;
    let split = wasm_split_cli_support::transform(opts).map_err(|e| format!("split: {e:?}"))?;
    // Sorted, so the same input gives the same manifest.
    let manifest: BTreeMap<_, _> = split.prefetch_map.into_iter().collect();
    std::fs::write(
        out_dir.join("__wasm_split_manifest.json"),
        serde_json::to_string_pretty(&manifest)?,
    )?;
    let mut chunks: Vec<String> = split
        .split_modules
        .iter()
        .filter_map(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .collect();
    chunks.sort();

    // What `wasm-bindgen --target web --no-typescript --keep-lld-exports --no-demangle`
    // does: the chunks call the main module's functions by their linker names.
    wasm_bindgen_cli_support::Bindgen::new()
        .input_path(&main_wasm)
        .out_name(out_name)
        .web(true)?
        .typescript(false)
        .keep_lld_exports(true)
        .demangle(false)
        .generate(out_dir)
        .map_err(|e| format!("wasm-bindgen: {e:#}"))?;
    std::fs::remove_dir_all(&scratch)?;
    Ok(chunks)
}
