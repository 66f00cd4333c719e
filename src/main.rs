//! The `mediation-tracker` binary: everything lives in the library; see `cli`.

/// mimalloc instead of glibc's malloc: in the load benchmark's profile, glibc's malloc
/// (consolidating free chunks across the blocking threads' arenas) took a tenth of the CPU of
/// listing cases (docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    small_pages_only();
    return_freed_memory_at_once();
    mediation_tracker::cli::main()
}

/// Has mimalloc give freed pages back to the system at once instead of after 1 s (10 s for its
/// arenas): memory freed by one thread (a response's buffers, a SQLite page cache, a login's
/// 19 MiB of Argon2) is otherwise kept while another thread takes fresh pages, and the peak adds
/// them up. Measured on the benchmark's 100,000-case SQLite set: peak 102-105 MB before, 84 MB
/// after, with no loss of throughput (issue 19; docs/performance.md, "Memory").
fn return_freed_memory_at_once() {
    extern "C" {
        // mimalloc's `void mi_option_set(mi_option_t option, long value)`, in the library the
        // `mimalloc` crate links; declared here because `libmimalloc-sys` exports it only with
        // its `extended` feature and no constant for this option.
        fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
    }
    /// `mi_option_purge_delay` in `mimalloc.h` (the same in mimalloc v2 and v3).
    const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;
    // SAFETY: sets one integer option; mimalloc reads it at each purge, so it may change while
    // the allocator runs.
    unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
}

/// Keeps the heap in 4 KiB pages. Where the kernel backs anonymous memory with transparent huge
/// pages (`/sys/kernel/mm/transparent_hugepage/enabled` = `always`, as on the benchmark machine),
/// each 2 MiB region mimalloc touches becomes resident whole: an idle server held 87 MB instead
/// of 56 MB, and the SQLite run went over its 100 MB budget (issue 19; docs/performance.md,
/// "Memory"). The heap is small, so huge pages buy little here. Pages faulted before this call
/// (the runtime's start) are few; the flag is inherited by nothing, as the service starts no
/// processes.
#[cfg(target_os = "linux")]
fn small_pages_only() {
    extern "C" {
        // glibc's `int prctl(int option, ...)`; declared here rather than adding `libc` for one
        // call.
        fn prctl(option: std::ffi::c_int, ...) -> std::ffi::c_int;
    }
    /// `PR_SET_THP_DISABLE` from `<linux/prctl.h>`.
    const PR_SET_THP_DISABLE: std::ffi::c_int = 41;
    // SAFETY: PR_SET_THP_DISABLE reads its four further arguments as integers and touches no
    // memory of ours. A kernel without it answers EINVAL, and the server simply keeps huge pages.
    let (disable, unused): (std::ffi::c_ulong, std::ffi::c_ulong) = (1, 0);
    unsafe {
        prctl(PR_SET_THP_DISABLE, disable, unused, unused, unused);
    }
}

#[cfg(not(target_os = "linux"))]
fn small_pages_only() {}
