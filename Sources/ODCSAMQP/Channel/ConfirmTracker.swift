import NIOCore

/// Publisher-confirm bookkeeping for one channel: which delivery tags wait for basic.ack or
/// basic.nack, in publish order.
///
/// In confirm mode the broker numbers the channel's publishes 1, 2, 3… and confirms them with
/// single or `multiple` acks (spec extension "confirms"). Tags only grow, so the pending tags stay
/// sorted and a `multiple` ack takes a prefix.
struct ConfirmTracker<Token> {
    private(set) var nextDeliveryTag: UInt64 = 1
    private var pending = CircularBuffer<(tag: UInt64, token: Token)>()

    var count: Int { pending.count }

    /// Gives the next publish its tag.
    mutating func register(_ token: Token) -> UInt64 {
        let tag = nextDeliveryTag
        nextDeliveryTag += 1
        pending.append((tag, token))
        return tag
    }

    /// Removes what a basic.ack or basic.nack settles: every tag up to `tag` when `multiple`,
    /// else just `tag`. Tags no longer pending (a returned message's ack) settle nothing.
    mutating func settle(_ tag: UInt64, multiple: Bool) -> [(tag: UInt64, token: Token)] {
        if multiple {
            var settled: [(tag: UInt64, token: Token)] = []
            while let first = pending.first, first.tag <= tag {
                settled.append(pending.removeFirst())
            }
            return settled
        }
        if pending.first?.tag == tag { return [pending.removeFirst()] }
        guard let index = pending.firstIndex(where: { $0.tag == tag }) else { return [] }
        return [pending.remove(at: index)]
    }

    /// Removes the oldest pending publish that matches, e.g. the one a basic.return is about.
    mutating func removeFirst(where matches: (Token) -> Bool) -> (tag: UInt64, token: Token)? {
        guard let index = pending.firstIndex(where: { matches($0.token) }) else { return nil }
        return pending.remove(at: index)
    }

    /// Everything still pending, for failing it when the channel or connection goes away.
    mutating func removeAll() -> [(tag: UInt64, token: Token)] {
        let all = Array(pending)
        pending.removeAll()
        return all
    }
}
