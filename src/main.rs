//! The `mediation-tracker` binary: everything lives in the library; see `cli`.

fn main() -> std::process::ExitCode {
    mediation_tracker::cli::main()
}
