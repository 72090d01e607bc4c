/// The LISTEN/NOTIFY channels, named once: who notifies and who listens.
public enum NotifyChannel: String, CaseIterable, Sendable {
    /// A compose entered `wait` (`ComposeInsert`); the compose workers listen.
    case wait = "odcs_wait"
    /// A compose was created or changed state: the outbox trigger of migration 4 notifies
    /// (a released migration keeps its literal; a test checks it names this channel); the
    /// outbox publishers and each node's event hub listen.
    case outbox = "odcs_outbox"
}
