import Foundation
import PostgresNIO

/// `postgres://user:password@host:port/database` (also `postgresql://`), with libpq's
/// `?host=/socket/dir` for unix sockets and `?sslmode=disable|prefer|require`.
public struct DatabaseURL: Sendable, Equatable {
    public enum Endpoint: Sendable, Equatable {
        case tcp(host: String, port: Int)
        case unixSocket(path: String)
    }

    public var endpoint: Endpoint
    public var username: String
    public var password: String?
    public var database: String?
    public var sslMode: String

    public init(endpoint: Endpoint, username: String, password: String? = nil, database: String? = nil, sslMode: String = "disable") {
        self.endpoint = endpoint
        self.username = username
        self.password = password
        self.database = database
        self.sslMode = sslMode
    }

    public init(parsing text: String) throws {
        guard let url = URLComponents(string: text), let scheme = url.scheme, ["postgres", "postgresql"].contains(scheme) else {
            throw ConfigurationError("database.url must look like postgres://user:password@host:port/database")
        }
        let query = Dictionary((url.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        username = url.user?.removingPercentEncoding ?? "postgres"
        password = url.password?.removingPercentEncoding
        let path = url.path.hasPrefix("/") ? String(url.path.dropFirst()) : url.path
        database = path.isEmpty ? query["dbname"] : path
        sslMode = query["sslmode"] ?? "prefer"
        let port = query["port"].flatMap(Int.init) ?? url.port ?? 5432
        if let socketDir = query["host"], socketDir.hasPrefix("/") {
            endpoint = .unixSocket(path: "\(socketDir)/.s.PGSQL.\(port)")
        } else {
            endpoint = .tcp(host: url.host ?? query["host"] ?? "127.0.0.1", port: port)
        }
        guard ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"].contains(sslMode) else {
            throw ConfigurationError("database.url: unknown sslmode \(sslMode)")
        }
    }

    /// The URL without its password, for logs.
    public var redacted: String {
        switch endpoint {
        case .tcp(let host, let port): "postgres://\(username)@\(host):\(port)/\(database ?? "")"
        case .unixSocket(let path): "postgres://\(username)@/\(database ?? "")?socket=\(path)"
        }
    }

    public func clientConfiguration(maxConnections: Int, connectTimeout: Int, startupParameters: [(String, String)] = [])
        -> PostgresClient.Configuration
    {
        var configuration: PostgresClient.Configuration
        switch endpoint {
        case .tcp(let host, let port):
            let tls: PostgresClient.Configuration.TLS
            switch sslMode {
            case "disable", "allow": tls = .disable
            case "prefer": tls = .prefer(.makeClientConfiguration())
            default: tls = .require(.makeClientConfiguration())
            }
            configuration = .init(host: host, port: port, username: username, password: password, database: database, tls: tls)
        case .unixSocket(let path):
            configuration = .init(unixSocketPath: path, username: username, password: password, database: database)
        }
        configuration.options.maximumConnections = maxConnections
        configuration.options.connectTimeout = .seconds(Int64(connectTimeout))
        configuration.options.additionalStartupParameters = startupParameters
        return configuration
    }

    /// The same server for one dedicated connection (LISTEN, leader locks).
    public func connectionConfiguration(connectTimeout: Int, startupParameters: [(String, String)] = []) throws
        -> PostgresConnection.Configuration
    {
        var configuration: PostgresConnection.Configuration
        switch endpoint {
        case .tcp(let host, let port):
            let tls: PostgresConnection.Configuration.TLS
            switch sslMode {
            case "disable", "allow": tls = .disable
            case "prefer": tls = .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
            default: tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            }
            configuration = .init(host: host, port: port, username: username, password: password, database: database, tls: tls)
        case .unixSocket(let path):
            configuration = .init(unixSocketPath: path, username: username, password: password, database: database)
        }
        configuration.options.connectTimeout = .seconds(Int64(connectTimeout))
        configuration.options.additionalStartupParameters = startupParameters
        return configuration
    }
}
