/// A multilib method as ODCS and Pungi name it (`multilib = [(variant, {arch: [methods]})]`).
///
/// Pungi's `multilib_dnf.Multilib` builds python-multilib's method objects with no configuration file,
/// so the methods here carry no built-in white or black lists: only the caller's lists in
/// ``ClosureRequest/multilibWhitelist`` and ``ClosureRequest/multilibBlacklist`` apply.
/// `kernel` and `yaboot` are not offered: ODCS never configures them.
public enum MultilibMethod: String, Sendable, CaseIterable {
    /// Selects nothing.
    case none
    /// Shared libraries and plugins in library directories (python-multilib `RuntimeMultilibMethod`).
    case runtime
    /// `runtime` plus `-devel` and `-static` packages (python-multilib `DevelMultilibMethod`).
    case devel
    /// Every package that has a multilib build.
    case all
}
