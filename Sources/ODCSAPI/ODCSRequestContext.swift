import Hummingbird
import NIOCore
import ODCSAuth

/// The request context of every route: Hummingbird's basics plus the address of the peer
/// that opened the connection, which decides whether proxy identity headers are trusted, and
/// the connection itself, whose closing ends an event stream.
public struct ODCSRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    public let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
        channel = source.channel
    }

    /// The peer as an IP address; nil for a unix socket or an in-process test channel.
    var peerAddress: IPAddress? {
        remoteAddress?.ipAddress.flatMap(IPAddress.init)
    }
}
