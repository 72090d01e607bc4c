import NIOCore
import NIOSSL

/// Turns ``AMQPConfiguration/TLS`` into NIOSSL's client handler.
enum AMQPTLS {
    /// Builds the SSL context once (it reads the CA and key files) and returns a factory for the
    /// per-connection handler.
    static func makeHandlerFactory(
        _ settings: AMQPConfiguration.TLS,
        host: String
    ) throws -> @Sendable () throws -> NIOSSLClientHandler {
        var tls = TLSConfiguration.makeClientConfiguration()
        switch settings.verification {
        case .full: tls.certificateVerification = .fullVerification
        case .noHostname: tls.certificateVerification = .noHostnameVerification
        case .none: tls.certificateVerification = .none
        }
        do {
            if let caFile = settings.caFile { tls.trustRoots = .file(caFile) }
            if let certificateFile = settings.certificateFile {
                tls.certificateChain = try NIOSSLCertificate.fromPEMFile(certificateFile).map { .certificate($0) }
            }
            if let privateKeyFile = settings.privateKeyFile {
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: privateKeyFile, format: .pem))
            }
        } catch {
            throw AMQPError.invalidConfiguration(key: "tls", reason: "the certificate or key files cannot be read (\(error))")
        }
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: tls)
        } catch {
            throw AMQPError.invalidConfiguration(key: "tls", reason: "\(error)")
        }
        // SNI must be a name: an IP literal is sent as no name, and NIOSSL then checks the
        // certificate against the address.
        let serverName = settings.serverName ?? (isIPAddress(host) ? nil : host)
        return { try NIOSSLClientHandler(context: context, serverHostname: serverName) }
    }

    static func isIPAddress(_ host: String) -> Bool {
        (try? SocketAddress(ipAddress: host, port: 0)) != nil
    }
}
