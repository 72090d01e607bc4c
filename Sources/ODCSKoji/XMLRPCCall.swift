/// One XML-RPC method call the way Koji makes it: positional arguments, then keyword
/// arguments, which travel as a final struct param marked `__starstar: true`.
public struct XMLRPCCall: Equatable, Sendable {
    public var methodName: String
    public var arguments: [XMLRPCValue]
    public var keywordArguments: [(String, XMLRPCValue)]

    public init(methodName: String, arguments: [XMLRPCValue] = [], keywordArguments: [(String, XMLRPCValue)] = []) {
        self.methodName = methodName
        self.arguments = arguments
        self.keywordArguments = keywordArguments
    }

    /// The member Koji's client adds to a keyword struct and its hub pops off again
    /// (`koji.encode_args` / `koji.decode_args`).
    public static let keywordMarker = "__starstar"

    /// The params as sent: the arguments, then the keyword struct when there are keywords.
    public var params: [XMLRPCValue] {
        guard !keywordArguments.isEmpty else { return arguments }
        return arguments + [.struct(keywordArguments + [(Self.keywordMarker, .bool(true))])]
    }

    /// A call from params as received: a final struct whose `__starstar` member is true
    /// (or 1) becomes the keyword arguments, as in Koji's `decode_args`.
    public init(methodName: String, params: [XMLRPCValue]) {
        self.init(methodName: methodName, arguments: params)
        guard case .struct(let members) = params.last,
            let marker = members.first(where: { $0.0 == Self.keywordMarker })?.1,
            marker == .bool(true) || marker == .int(1)
        else { return }
        arguments.removeLast()
        keywordArguments = members.filter { $0.0 != Self.keywordMarker }
    }

    public static func == (lhs: XMLRPCCall, rhs: XMLRPCCall) -> Bool {
        lhs.methodName == rhs.methodName && lhs.arguments == rhs.arguments
            && XMLRPCValue.struct(lhs.keywordArguments) == XMLRPCValue.struct(rhs.keywordArguments)
    }
}
