//! The npm packages carry the crate's version, and the main package asks for
//! the platform package of that same version, so a release bumps one number
//! in `Cargo.toml` and this test names every file that still has the old one.
//! (The wheel takes its version from `Cargo.toml` itself.)

use std::path::PathBuf;

use serde_json::Value;

fn package(rel: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {rel}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{rel} is not JSON: {e}"))
}

#[test]
fn the_npm_packages_have_the_crates_version() {
    let version = env!("CARGO_PKG_VERSION");
    let main = package("npm/pipes-harness/package.json");
    let platform = package("npm/linux-x64/package.json");
    assert_eq!(main["version"], version, "npm/pipes-harness/package.json");
    assert_eq!(platform["version"], version, "npm/linux-x64/package.json");
    let wanted = &main["optionalDependencies"][platform["name"].as_str().unwrap_or("?")];
    assert_eq!(
        wanted, version,
        "npm/pipes-harness/package.json asks for {} {wanted}",
        platform["name"]
    );
    assert_eq!(
        package("control-api.json")["info"]["version"],
        version,
        "control-api.json info.version"
    );
}
