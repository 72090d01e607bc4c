extension AMQPConfiguration {
    /// Parses RabbitMQ's URI format: `amqp[s]://[user[:password]@]host[:port][/vhost][?key=value&…]`.
    ///
    /// - User, password, host and vhost are percent-decoded, so the default vhost "/" is written
    ///   `%2F`. A missing path or a lone "/" also means "/".
    /// - Query keys (RabbitMQ's names): `heartbeat` (seconds), `connection_timeout` (milliseconds),
    ///   `frame_max`, `channel_max`, `connection_name`, and for amqps `cacertfile`, `certfile`,
    ///   `keyfile`, `verify` (`verify_peer` or `verify_none`) and `server_name_indication`
    ///   (a host name, or `disable` to skip the host name check).
    /// - Errors name the part that is wrong and never repeat the password.
    public init(url: String) throws {
        guard let schemeEnd = url.firstRange(of: "://") else {
            throw AMQPError.invalidConfiguration(key: "url", reason: "it does not start with amqp:// or amqps://")
        }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "amqp" || scheme == "amqps" else {
            throw AMQPError.invalidConfiguration(key: "url", reason: "scheme '\(scheme)' is neither amqp nor amqps")
        }
        var rest = url[schemeEnd.upperBound...]
        var query: Substring = ""
        if let q = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: q)...]
            rest = rest[..<q]
        }
        var authority = rest
        var path: Substring = ""
        if let slash = rest.firstIndex(of: "/") {
            authority = rest[..<slash]
            path = rest[rest.index(after: slash)...]
        }

        self.init()
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            authority = authority[authority.index(after: at)...]
            if let colon = userInfo.firstIndex(of: ":") {
                username = try Self.percentDecoded(userInfo[..<colon], key: "url username")
                password = try Self.percentDecoded(userInfo[userInfo.index(after: colon)...], key: "url password")
            } else {
                username = try Self.percentDecoded(userInfo, key: "url username")
            }
        }
        let (host, port) = try Self.splitHostPort(authority)
        if !host.isEmpty { self.host = host }
        if scheme == "amqps" { tls = TLS() }
        self.port = port ?? (scheme == "amqps" ? Self.defaultTLSPort : Self.defaultPort)
        if !path.isEmpty {
            guard !path.contains("/") else {
                throw AMQPError.invalidConfiguration(key: "url virtual host", reason: "it contains '/'; write it as %2F")
            }
            virtualHost = try Self.percentDecoded(path, key: "url virtual host")
        }
        for pair in query.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(parts[0])
            let value = try Self.percentDecoded(parts.count > 1 ? parts[1] : "", key: "url query '\(key)'")
            try apply(queryKey: key, value: value)
        }
        try validate()
    }

    private mutating func apply(queryKey key: String, value: String) throws {
        func number<T: FixedWidthInteger>(_: T.Type) throws -> T {
            guard let n = T(value) else {
                throw AMQPError.invalidConfiguration(key: "url query '\(key)'", reason: "'\(value)' is not a whole number in range")
            }
            return n
        }
        func requireTLS() throws {
            guard tls != nil else {
                throw AMQPError.invalidConfiguration(key: "url query '\(key)'", reason: "it only applies to amqps:// URLs")
            }
        }
        switch key {
        case "heartbeat": heartbeat = .seconds(try number(UInt16.self))
        case "connection_timeout": connectTimeout = .milliseconds(try number(UInt32.self))
        case "frame_max": frameMax = try number(UInt32.self)
        case "channel_max": channelMax = try number(UInt16.self)
        case "connection_name": connectionName = value
        case "cacertfile":
            try requireTLS()
            tls?.caFile = value
        case "certfile":
            try requireTLS()
            tls?.certificateFile = value
        case "keyfile":
            try requireTLS()
            tls?.privateKeyFile = value
        case "verify":
            try requireTLS()
            switch value {
            case "verify_peer": tls?.verification = .full
            case "verify_none": tls?.verification = .none
            default:
                throw AMQPError.invalidConfiguration(key: "url query 'verify'", reason: "'\(value)' is neither verify_peer nor verify_none")
            }
        case "server_name_indication":
            try requireTLS()
            if value == "disable" {
                let current = tls?.verification
                tls?.verification = current == TLS.Verification.none ? .none : .noHostname
            } else {
                tls?.serverName = value
            }
        default:
            throw AMQPError.invalidConfiguration(key: "url query '\(key)'", reason: "it is not a known AMQP URI parameter")
        }
    }

    /// Splits `host[:port]` or `[v6]:port`; the port is nil when absent.
    private static func splitHostPort(_ authority: Substring) throws -> (String, Int?) {
        var hostPart = authority
        var portPart: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else {
                throw AMQPError.invalidConfiguration(key: "url host", reason: "an IPv6 address lacks its closing ']'")
            }
            hostPart = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") { portPart = after.dropFirst() }
        } else if let colon = authority.lastIndex(of: ":") {
            hostPart = authority[..<colon]
            portPart = authority[authority.index(after: colon)...]
        }
        var port: Int?
        if let portPart, !portPart.isEmpty {
            guard let p = Int(portPart), (1...65535).contains(p) else {
                throw AMQPError.invalidConfiguration(key: "url port", reason: "'\(portPart)' is not a port number")
            }
            port = p
        }
        return (try percentDecoded(hostPart, key: "url host"), port)
    }

    /// `%XX` to bytes, then UTF-8; `key` names the part in errors without quoting it, since it
    /// may be the password.
    static func percentDecoded(_ text: Substring, key: String) throws -> String {
        guard text.contains("%") else { return String(text) }
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                throw AMQPError.invalidConfiguration(key: key, reason: "it has a '%' that is not followed by two hex digits")
            }
            bytes.append(high << 4 | low)
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else {
            throw AMQPError.invalidConfiguration(key: key, reason: "its percent-encoding is not valid UTF-8")
        }
        return decoded
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
