import Foundation
import ODCSCore

/// A worker's claim on one compose: the fencing token every later write must present.
public struct Lease: Sendable, Hashable, CustomStringConvertible {
    public var composeID: Int64
    public var token: UUID
    public var attempt: Int

    public init(composeID: Int64, token: UUID, attempt: Int) {
        self.composeID = composeID
        self.token = token
        self.attempt = attempt
    }

    public var description: String { "compose \(composeID) attempt \(attempt)" }
}

/// A compose just claimed, with its lease and how long it waited to be claimed.
public struct ClaimedCompose: Sendable {
    public var compose: Compose
    public var lease: Lease
    /// Seconds from becoming claimable (submission or back-off end) to the claim.
    public var queuedSeconds: Double
}

/// What the reuse decision made of a claimed compose.
public enum ReuseDecision: Sendable, Equatable {
    /// No usable candidate: generate; the compose is now the candidate for its key.
    case generate
    /// Reused a done compose: this one is done, with the other's files.
    case reusedDone(reusedID: Int64)
    /// Follows a generating compose to its final state; the lease is given up.
    case following(reusedID: Int64)
}
