//! `faultdesk-wasm-split INPUT.wasm OUT_DIR MAIN_OUT.wasm MAIN_MODULE LINK_NAME`
//!
//! Splits the browser bundle at its `#[lazy]` split points (what `cargo leptos
//! build --split` does): the main module goes to `MAIN_OUT.wasm` (for wasm-bindgen), the
//! chunks and the loader (`LINK_NAME`, a JS module) to `OUT_DIR`, and
//! `OUT_DIR/__wasm_split_manifest.json` maps each split point to the chunks it needs,
//! which Leptos's `HydrationScripts` reads to preload a server-rendered page's chunks.
//! Prints one chunk file name per line.

use std::{collections::BTreeMap, path::Path, process::ExitCode};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, out_dir, main_out, main_module, link_name] = args.as_slice() else {
        eprintln!(
            "usage: faultdesk-wasm-split INPUT.wasm OUT_DIR MAIN_OUT.wasm MAIN_MODULE LINK_NAME"
        );
        return ExitCode::from(2);
    };
    match split(
        input,
        Path::new(out_dir),
        Path::new(main_out),
        main_module,
        link_name,
    ) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("faultdesk-wasm-split: {e:?}");
            ExitCode::FAILURE
        }
    }
}

fn split(
    input: &str,
    out_dir: &Path,
    main_out: &Path,
    main_module: &str,
    link_name: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    let wasm = std::fs::read(input)?;
    let mut opts = wasm_split_cli_support::Options::new(&wasm);
    opts.output_dir = out_dir;
    opts.main_out_path = main_out;
    opts.main_module = main_module;
    opts.link_name = link_name;
    let split = wasm_split_cli_support::transform(opts).map_err(|e| format!("{e:?}"))?;
    // Sorted, so the same input gives the same manifest.
    let manifest: BTreeMap<_, _> = split.prefetch_map.into_iter().collect();
    std::fs::write(
        out_dir.join("__wasm_split_manifest.json"),
        serde_json::to_string_pretty(&manifest)?,
    )?;
    let mut chunks: Vec<_> = split
        .split_modules
        .iter()
        .filter_map(|p| p.file_name())
        .collect();
    chunks.sort();
    for chunk in chunks {
        println!("{}", chunk.to_string_lossy());
    }
    Ok(())
}
