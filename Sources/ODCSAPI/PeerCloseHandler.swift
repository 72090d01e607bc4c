import Hummingbird
import HummingbirdCore
import NIOCore

/// Lets a long response notice at once that its client has gone. Hummingbird allows half
/// closure (a client may shut down its sending side and still read the response) and does
/// not cancel a handler when the peer disconnects, so a stream that never reads learns of a
/// closed connection only when a write fails, at its next keep-alive. An event stream arms
/// this handler: from then on the end of the client's input closes the connection, and the
/// stream, which watches `closeFuture`, ends. Other requests keep the half-closure semantics.
///
/// Usage: in every connection's pipeline from the start (`HTTPServerBuilder.guardedHTTP1`), so
/// that an end of input that came before the stream armed it is remembered.
final class PeerCloseHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private var inputClosed = false
    private var armed = false
    private var context: ChannelHandlerContext?

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event {
            inputClosed = true
            if armed { context.close(promise: nil) }
        }
        context.fireUserInboundEventTriggered(event)
    }

    func arm() {
        armed = true
        if inputClosed { context?.close(promise: nil) }
    }

    /// Closes `channel` as soon as its peer closes its side (at once if it already has).
    /// Does nothing on a channel without the handler (an in-process test channel).
    static func closeWhenPeerCloses(_ channel: any Channel) {
        channel.eventLoop.execute {
            (try? channel.pipeline.syncOperations.handler(type: PeerCloseHandler.self))?.arm()
        }
    }
}
