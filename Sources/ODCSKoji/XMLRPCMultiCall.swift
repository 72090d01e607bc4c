import Foundation

/// Koji's `multiCall` (what `koji.ClientSession.multiCall` sends; the hub also answers the
/// standard `system.multicall`): many calls in one request, answered by one array holding, per
/// call, either a one-element array with its result or a `{faultCode, faultString}` struct.
///
/// ```swift
/// let body = XMLRPCMultiCall.encodeCall([XMLRPCCall(methodName: "getBuild", arguments: [.int(1)])])
/// let results = try XMLRPCMultiCall.decodeResponse(reply)  // [Result<XMLRPCValue, KojiError>]
/// ```
public enum XMLRPCMultiCall {
    public static let methodName = "multiCall"
    /// The standard XML-RPC spelling, which Koji's hub accepts too.
    public static let standardMethodName = "system.multicall"

    /// The `multiCall` request: one array param of `{methodName, params}` structs.
    public static func encodeCall(_ calls: [XMLRPCCall]) -> String {
        let entries: [XMLRPCValue] = calls.map {
            .struct([("methodName", .string($0.methodName)), ("params", .array($0.params))])
        }
        return XMLRPCEncoder().encodeCall(method: methodName, arguments: [.array(entries)])
    }

    /// The results in call order. A fault of the whole request is thrown as
    /// ``KojiError/fault(code:message:)``; an entry that is neither shape becomes a
    /// ``KojiError/malformedResponse(_:)`` failure in its place.
    public static func decodeResponse(_ data: Data) throws(KojiError) -> [Result<XMLRPCValue, KojiError>] {
        let value = try XMLRPCDecoder().decodeResponse(data).get()
        guard case .array(let entries) = value else {
            throw .malformedResponse("a multicall answer must be an array")
        }
        return entries.enumerated().map { index, entry in
            if case .array(let wrapped) = entry, wrapped.count == 1 { return .success(wrapped[0]) }
            if case .int(let code) = entry["faultCode"], let code = Int(exactly: code),
                let message = entry["faultString"]?.stringValue
            {
                return .failure(.fault(code: code, message: message))
            }
            return .failure(.malformedResponse("multicall result \(index) is neither [value] nor a fault struct"))
        }
    }

    public static func decodeResponse(_ text: String) throws(KojiError) -> [Result<XMLRPCValue, KojiError>] {
        try decodeResponse(Data(text.utf8))
    }

    /// The calls of a `multiCall` (or `system.multicall`) request (for a test hub), keyword structs split off.
    public static func decodeCall(_ call: XMLRPCCall) throws(KojiError) -> [XMLRPCCall] {
        guard call.methodName == methodName || call.methodName == standardMethodName, call.arguments.count == 1,
            case .array(let entries) = call.arguments[0]
        else { throw .malformedCall("\(methodName) takes one array of calls") }
        var calls: [XMLRPCCall] = []
        for entry in entries {
            guard let name = entry["methodName"]?.stringValue, case .array(let params) = entry["params"] else {
                throw .malformedCall("a multicall entry needs a string methodName and an array params")
            }
            calls.append(XMLRPCCall(methodName: name, params: params))
        }
        return calls
    }

    /// A hub's answer to a multicall: `[value]` per success, a fault struct per fault.
    public static func encodeResponse(_ responses: [XMLRPCResponse]) -> String {
        let entries: [XMLRPCValue] = responses.map {
            switch $0 {
            case .value(let value): .array([value])
            case .fault(let code, let message): XMLRPCEncoder.faultStruct(code: code, message: message)
            }
        }
        return XMLRPCEncoder().encode(.value(.array(entries)))
    }
}
