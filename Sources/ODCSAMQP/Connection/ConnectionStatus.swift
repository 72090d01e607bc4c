import Synchronization

/// Whether the connection is still open, readable from any thread without hopping to the event loop.
final class ConnectionStatus: Sendable {
    private let open = Atomic<Bool>(true)

    var isOpen: Bool { open.load(ordering: .acquiring) }

    func markClosed() { open.store(false, ordering: .releasing) }
}
