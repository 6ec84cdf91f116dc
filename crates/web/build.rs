//! GOV.UK Frontend comes from npm (pinned by package-lock.json) and is embedded in the binary.
//! If `npm ci` has not been run yet, run it here, so `cargo build` works from a fresh clone.

use std::path::Path;
use std::process::Command;

fn main() {
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let workspace = Path::new(&manifest_dir).join("../..");
    println!("cargo:rerun-if-changed={}", workspace.join("package-lock.json").display());
    let assets = workspace.join("node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.css");
    if assets.exists() {
        return;
    }
    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(&workspace)
        .status();
    match status {
        Ok(status) if status.success() && assets.exists() => {}
        _ => panic!(
            "GOV.UK Frontend is missing and `npm ci` did not install it. Install Node.js and npm, then run `npm ci` in {}",
            workspace.display()
        ),
    }
}
