import Testing

@testable import ODCSSolve

/// Picks loaded packages by `name-version-release.arch`, failing the test when one is missing.
func pick(_ loaded: [SolverPackage], _ nvras: String..., sourceLocation: SourceLocation = #_sourceLocation) throws
    -> [SolverPackage]
{
    try nvras.map { try #require(loaded.named($0), "\($0) was not loaded", sourceLocation: sourceLocation) }
}
