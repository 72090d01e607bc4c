/// The one error type of ODCSKoji.
///
/// A hub that answers with an XML-RPC fault becomes `.fault`; anything on the wire that is not
/// the XML-RPC Koji speaks becomes `.malformedResponse` (from a hub) or `.malformedCall` (to a
/// test hub), with a sentence saying what was wrong.
public enum KojiError: Error, Equatable, Sendable {
    /// The hub answered with an XML-RPC fault; Koji's `GenericError` is code 1000.
    case fault(code: Int, message: String)
    /// A method response (or one result of a multicall) that is not valid XML-RPC.
    case malformedResponse(String)
    /// A method call that is not valid XML-RPC.
    case malformedCall(String)
    /// The hub could not be reached or answered with an HTTP error, after the retries.
    case transport(String)
}

extension KojiError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .fault(let code, let message): "Koji fault \(code): \(message)"
        case .malformedResponse(let reason): "malformed XML-RPC response: \(reason)"
        case .malformedCall(let reason): "malformed XML-RPC call: \(reason)"
        case .transport(let reason): "Koji hub unreachable: \(reason)"
        }
    }
}
