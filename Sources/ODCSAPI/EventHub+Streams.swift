import NIOCore

extension EventHub {
    /// A stream the hub accepted: its id and the wake-ups it waits on.
    struct Ticket: Sendable {
        var id: Int
        var wakeups: AsyncStream<Void>
    }

    /// Opens a stream after `after` (nil: after the newest event), or throws the cap it would
    /// exceed. `abort` closes its connection: the hub calls it for a stream that fell behind,
    /// whose writer may be stuck on a client that stopped reading.
    func open(client: String, composeID: Int64?, after: Int64?, abort: @escaping @Sendable () -> Void) throws(EventFanout.Refusal)
        -> Ticket
    {
        let (wakeups, waker) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let opened = state.withLock { state -> Result<Int, EventFanout.Refusal> in
            do throws(EventFanout.Refusal) {
                let id = try state.fanout.open(client: client, composeID: composeID, after: after)
                state.wakers[id] = waker
                state.aborts[id] = abort
                return .success(id)
            } catch {
                return .failure(error)
            }
        }
        switch opened {
        case .success(let id):
            recordOpen()
            return Ticket(id: id, wakeups: wakeups)
        case .failure(let refusal):
            (refusal == .node ? refusedByNodeCap : refusedByClientCap).increment()
            throw refusal
        }
    }

    /// Ends a stream: its loop sees `.ended` at its next look. Idempotent.
    func end(_ id: Int) {
        let removed = state.withLock { state in
            guard state.fanout.remove(id) else { return false }
            _ = state.release(id)
            return true
        }
        if removed { recordOpen() }
    }

    func take(_ id: Int) -> EventFanout.Next {
        state.withLock { $0.fanout.take(id) }
    }

    func advance(_ id: Int, to cursor: Int64) {
        state.withLock { $0.fanout.advance(id, to: cursor) }
    }

    /// One page of a resuming stream's events from the outbox, up to where the reader has
    /// settled (`upTo`, never past an id still being written), rendered; `full` when there
    /// may be more.
    func catchUp(after: Int64, upTo: Int64, composeID: Int64?) async throws -> (frames: [EventFanout.Frame], full: Bool) {
        let events = try await outbox.events(after: after, upTo: upTo, composeID: composeID, limit: configuration.catchUpPage)
        return (events.map(frame), events.count == configuration.catchUpPage)
    }
}
