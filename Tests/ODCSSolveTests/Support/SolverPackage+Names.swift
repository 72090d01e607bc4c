@testable import ODCSSolve

extension Array where Element == SolverPackage {
    /// `name-version-release.arch` of each package, the way the fixtures are named.
    var nvras: [String] { map { "\($0.name)-\($0.version)-\($0.release).\($0.arch)" } }

    func named(_ nvra: String) -> SolverPackage? { first { "\($0.name)-\($0.version)-\($0.release).\($0.arch)" == nvra } }
}
