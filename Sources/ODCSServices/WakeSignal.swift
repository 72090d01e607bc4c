/// A level-triggered wake-up for an idle loop: any number of signals before the loop looks
/// collapse into one, none is lost.
final class WakeSignal: Sendable {
    let stream: AsyncStream<Void>
    let continuation: AsyncStream<Void>.Continuation

    init() {
        (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    func signal() { continuation.yield() }

    func finish() { continuation.finish() }
}
