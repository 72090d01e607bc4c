/// What a `<methodResponse>` holds: one value or a fault.
public enum XMLRPCResponse: Equatable, Sendable {
    case value(XMLRPCValue)
    /// Koji's `GenericError` is code 1000.
    case fault(code: Int, message: String)

    /// The value, or the fault thrown as ``KojiError/fault(code:message:)``.
    public func get() throws(KojiError) -> XMLRPCValue {
        switch self {
        case .value(let value): return value
        case .fault(let code, let message): throw .fault(code: code, message: message)
        }
    }
}
