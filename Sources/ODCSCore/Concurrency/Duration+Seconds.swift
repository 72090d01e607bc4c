extension Duration {
    /// The duration in seconds, fractions included: for a statement's `make_interval(secs =>)`
    /// and for the wire, where time is counted in seconds.
    public var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }

    /// The duration in whole seconds, rounded down.
    public var wholeSeconds: Int { Int(components.seconds) }
}
