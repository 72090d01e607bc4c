import Hummingbird
import NIOCore
import ODCSAuth

/// The request context of every route: Hummingbird's basics plus the address of the peer
/// that opened the connection, which decides whether proxy identity headers are trusted.
public struct ODCSRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The peer as an IP address; nil for a unix socket or an in-process test channel.
    var peerAddress: IPAddress? {
        remoteAddress?.ipAddress.flatMap(IPAddress.init)
    }
}
