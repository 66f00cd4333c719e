//! The `mediation-tracker` binary: everything lives in the library; see `cli`.

/// mimalloc instead of glibc's malloc: in the load benchmark's profile, glibc's malloc
/// (consolidating free chunks across the blocking threads' arenas) took a tenth of the CPU of
/// listing cases (docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    mediation_tracker::cli::main()
}
