import NIOCore

/// Property flags of the basic class, highest bit first in the order the properties follow
/// (spec section 4.2.6.1 and the basic class definition).
private enum PropertyFlag {
    static let contentType: UInt16 = 1 << 15
    static let contentEncoding: UInt16 = 1 << 14
    static let headers: UInt16 = 1 << 13
    static let deliveryMode: UInt16 = 1 << 12
    static let priority: UInt16 = 1 << 11
    static let correlationID: UInt16 = 1 << 10
    static let replyTo: UInt16 = 1 << 9
    static let expiration: UInt16 = 1 << 8
    static let messageID: UInt16 = 1 << 7
    static let timestamp: UInt16 = 1 << 6
    static let type: UInt16 = 1 << 5
    static let userID: UInt16 = 1 << 4
    static let appID: UInt16 = 1 << 3
    /// The deprecated cluster-id; read and dropped.
    static let clusterID: UInt16 = 1 << 2
    /// Set when another flags word follows; the basic class never needs one.
    static let continuation: UInt16 = 1
}

extension ByteBuffer {
    mutating func writeContentHeader(_ header: AMQPFrame.ContentHeader) throws {
        let p = header.properties
        writeInteger(header.classID)
        writeInteger(UInt16(0))  // weight, unused
        writeInteger(header.bodySize)
        var flags: UInt16 = 0
        if p.contentType != nil { flags |= PropertyFlag.contentType }
        if p.contentEncoding != nil { flags |= PropertyFlag.contentEncoding }
        if p.headers != nil { flags |= PropertyFlag.headers }
        if p.deliveryModeRaw != nil { flags |= PropertyFlag.deliveryMode }
        if p.priority != nil { flags |= PropertyFlag.priority }
        if p.correlationID != nil { flags |= PropertyFlag.correlationID }
        if p.replyTo != nil { flags |= PropertyFlag.replyTo }
        if p.expiration != nil { flags |= PropertyFlag.expiration }
        if p.messageID != nil { flags |= PropertyFlag.messageID }
        if p.timestamp != nil { flags |= PropertyFlag.timestamp }
        if p.type != nil { flags |= PropertyFlag.type }
        if p.userID != nil { flags |= PropertyFlag.userID }
        if p.appID != nil { flags |= PropertyFlag.appID }
        writeInteger(flags)
        if let v = p.contentType { try writeShortString(v, field: "content_type") }
        if let v = p.contentEncoding { try writeShortString(v, field: "content_encoding") }
        if let v = p.headers { try writeTable(v) }
        if let v = p.deliveryModeRaw { writeInteger(v) }
        if let v = p.priority { writeInteger(v) }
        if let v = p.correlationID { try writeShortString(v, field: "correlation_id") }
        if let v = p.replyTo { try writeShortString(v, field: "reply_to") }
        if let v = p.expiration { try writeShortString(v, field: "expiration") }
        if let v = p.messageID { try writeShortString(v, field: "message_id") }
        if let v = p.timestamp { writeTimestamp(v) }
        if let v = p.type { try writeShortString(v, field: "type") }
        if let v = p.userID { try writeShortString(v, field: "user_id") }
        if let v = p.appID { try writeShortString(v, field: "app_id") }
    }

    mutating func readContentHeader() throws -> AMQPFrame.ContentHeader {
        let classID = try readAMQPInteger(as: UInt16.self, "content class")
        _ = try readAMQPInteger(as: UInt16.self, "content weight")
        let bodySize = try readAMQPInteger(as: UInt64.self, "body size")
        let flags = try readAMQPInteger(as: UInt16.self, "property flags")
        guard flags & PropertyFlag.continuation == 0 else {
            throw AMQPError.protocolViolation("content header with more than one property flags word")
        }
        var p = AMQPProperties()
        if flags & PropertyFlag.contentType != 0 { p.contentType = try readShortString("content_type") }
        if flags & PropertyFlag.contentEncoding != 0 { p.contentEncoding = try readShortString("content_encoding") }
        if flags & PropertyFlag.headers != 0 { p.headers = try readTable("headers") }
        if flags & PropertyFlag.deliveryMode != 0 { p.deliveryModeRaw = try readAMQPInteger("delivery_mode") }
        if flags & PropertyFlag.priority != 0 { p.priority = try readAMQPInteger("priority") }
        if flags & PropertyFlag.correlationID != 0 { p.correlationID = try readShortString("correlation_id") }
        if flags & PropertyFlag.replyTo != 0 { p.replyTo = try readShortString("reply_to") }
        if flags & PropertyFlag.expiration != 0 { p.expiration = try readShortString("expiration") }
        if flags & PropertyFlag.messageID != 0 { p.messageID = try readShortString("message_id") }
        if flags & PropertyFlag.timestamp != 0 { p.timestamp = try readTimestamp("timestamp") }
        if flags & PropertyFlag.type != 0 { p.type = try readShortString("type") }
        if flags & PropertyFlag.userID != 0 { p.userID = try readShortString("user_id") }
        if flags & PropertyFlag.appID != 0 { p.appID = try readShortString("app_id") }
        if flags & PropertyFlag.clusterID != 0 { _ = try readShortString("cluster_id") }
        return AMQPFrame.ContentHeader(classID: classID, bodySize: bodySize, properties: p)
    }
}
