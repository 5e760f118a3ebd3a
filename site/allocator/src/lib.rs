//! The memory allocator every `portal` command runs on, and how it treats memory that is freed.
//!
//! mimalloc by default hands memory back to the system about a second after it is freed (its
//! "purge"). A build frees and reuses memory all the time, so at national size it handed back
//! and faulted in again some 84,000 pages; on a virtual machine each of those faults is costly
//! (a national build spent 24 s of system time instead of 12.5, and took 54 s instead of 46).
//! [`keep_freed_memory`] turns the purge off: a command keeps what it has used, at most its
//! peak (a few hundred MB at national size), until it exits.

/// mimalloc, for every allocation of the program that links this crate.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc v3's `mi_option_t` (include/mimalloc.h), which
/// libmimalloc-sys does not name: how many milliseconds freed memory waits before it is
/// handed back, and -1 for never. The test below checks that this index has the option's
/// documented default, so a mimalloc that renumbered its options would be noticed.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Keep freed memory for reuse instead of handing it back to the system while the program
/// runs. Call it first thing in `main`.
pub fn keep_freed_memory() {
    // SAFETY: mi_option_set only stores a number in mimalloc's option table (an atomic
    // store); the option is one mimalloc reads whenever it considers purging, and -1 is a
    // value it documents ("use -1 for no purging at all").
    #[allow(unsafe_code)]
    unsafe {
        libmimalloc_sys::mi_option_set(PURGE_DELAY, -1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The purge delay mimalloc goes by now, in milliseconds (-1: never).
    fn purge_delay() -> core::ffi::c_long {
        // SAFETY: mi_option_get reads the option table; it takes and returns plain integers.
        #[allow(unsafe_code)]
        unsafe {
            libmimalloc_sys::mi_option_get(PURGE_DELAY)
        }
    }

    #[test]
    fn the_purge_delay_is_the_option_set() {
        // mimalloc v3's default purge delay is 1000 ms; no other option defaults to 1000.
        // (Unless the environment sets it for the test.)
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            assert_eq!(
                purge_delay(),
                1000,
                "index {PURGE_DELAY} is not purge_delay"
            );
        }
        keep_freed_memory();
        assert_eq!(purge_delay(), -1);
        // Memory still comes and goes as it should.
        let big: Vec<u8> = vec![7; 1 << 24];
        assert_eq!(big.iter().map(|&b| usize::from(b)).sum::<usize>(), 7 << 24);
    }
}
