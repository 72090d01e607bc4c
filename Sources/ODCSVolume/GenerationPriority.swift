import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The CPU priority of a node's generation work, below that of its control plane.
///
/// A node does two kinds of work on the same cores: the control plane (the API, heartbeats,
/// leader checks, lease renewals), which must answer within milliseconds, and generation
/// (copies onto the volume, tree removals, createrepo_c, Pungi), which only needs the CPU that
/// is left. The `bulk` lane of `BlockingIO` and every `ExternalCommand` run at `nice`, so that
/// on a busy machine the kernel's scheduler gives the control plane the CPU first: a task at
/// nice 0 weighs about ten times one at nice 10 (`generation_nice`, 10 by default, set once
/// at start with `set(_:)`). On an idle machine generation still gets
/// every core. (Linux keeps a nice value per thread, so lowering a bulk thread leaves the rest
/// of the node as it was; a process cannot raise its priority again without CAP_SYS_NICE,
/// which is why only threads and processes that do nothing else are lowered.)
public enum GenerationPriority {
    static let value = Atomic<Int32>(10)

    /// The nice value of generation work (0: the same as the rest of the node).
    public static var nice: Int32 { value.load(ordering: .relaxed) }

    /// Sets the nice value for the work started from now on (`generation_nice`), clamped to 0…19.
    public static func set(_ nice: Int) {
        value.store(Int32(min(19, max(0, nice))), ordering: .relaxed)
    }

    /// Lowers the calling thread to `nice`, if it is not there already.
    static func lowerCurrentThread() {
        #if os(Linux)
            let which = __priority_which_t(PRIO_PROCESS.rawValue)
            // `who` 0 is the calling thread (Linux: one nice value per thread).
            let nice = nice
            if nice > 0, getpriority(which, 0) < nice { _ = setpriority(which, 0, nice) }
        #endif
    }

    /// Lowers every process of process group `group` (an external command's) to `nice`.
    public static func lowerProcessGroup(_ group: pid_t) {
        #if os(Linux)
            let nice = nice
            if nice > 0 { _ = setpriority(__priority_which_t(PRIO_PGRP.rawValue), id_t(group), nice) }
        #endif
    }
}
