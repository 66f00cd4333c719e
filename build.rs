//! Build steps: embedded migrations, and the papers' fonts packed with deflate.

use std::io::Write;
use std::path::{Path, PathBuf};

/// The fonts in `src/papers/fonts/` that `src/papers/pdf.rs` compiles in, packed.
const FONTS: [&str; 2] = ["DroidSansFallbackFull.ttf", "DejaVuSans.ttf"];

fn main() {
    // New migration folders are embedded at compile time; rebuild when they change.
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=src/papers/fonts");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    for font in FONTS {
        pack_font(
            &Path::new("src/papers/fonts").join(font),
            &out.join(format!("{font}.deflate")),
        );
    }
}

/// Deflates a font into `OUT_DIR`: 4.8 MB of fonts take 2.5 MB of the binary this way (issue
/// 19's 30 MB cap); the papers inflate them once, on first use.
fn pack_font(source: &Path, target: &Path) {
    let bytes = std::fs::read(source)
        .unwrap_or_else(|e| panic!("cannot read the font {}: {e}", source.display()));
    let mut encoder = flate2::write::DeflateEncoder::new(
        Vec::with_capacity(bytes.len()),
        flate2::Compression::best(),
    );
    encoder
        .write_all(&bytes)
        .expect("deflating into memory cannot fail");
    let packed = encoder.finish().expect("deflating into memory cannot fail");
    std::fs::write(target, packed)
        .unwrap_or_else(|e| panic!("cannot write {}: {e}", target.display()));
}
