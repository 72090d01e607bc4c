import Foundation
import ODCSCore
import Yams

/// Reads the configuration file and the `ODCS_*` environment, merges them with command-line
/// overrides (flags win over the environment, the environment over the file), and checks
/// every key against `ConfigurationKey.all`.
public struct ConfigurationLoader: Sendable {
    public static let defaultFile = "/etc/odcs/odcs.yaml"

    public var environment: [String: String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    /// `file`: an explicit `--config`, which must exist; nil reads the default file if present.
    public func load(file: String?, overrides: [String: JSONValue] = [:]) throws -> NodeConfiguration {
        var values: [String: (value: JSONValue, origin: String)] = [:]
        if let (text, path) = try readFile(file) {
            for (key, value) in try flatten(parseYAML(text, path: path), origin: path) {
                if ConfigurationKey.named(key)?.kind == .secret {
                    throw ConfigurationError(
                        "configuration key \(key) is a secret and cannot be set in \(path): use the environment variable \(ConfigurationKey.named(key)!.environmentName) or \(key)_file"
                    )
                }
                values[key] = (value, path)
            }
        }
        for (name, text) in environment.sorted(by: { $0.key < $1.key }) where name.hasPrefix("ODCS_") {
            guard let key = ConfigurationKey.all.first(where: { $0.environmentName == name }) else {
                throw ConfigurationError("unknown environment variable \(name): no configuration key has this name")
            }
            values[key.path] = (try Self.parseEnvironment(text, for: key, name: name), "environment variable \(name)")
        }
        for (path, value) in overrides {
            values[path] = (value, "command line")
        }
        var resolved: [String: JSONValue] = [:]
        for key in ConfigurationKey.all {
            guard let (value, origin) = values[key.path] else {
                resolved[key.path] = key.defaultValue
                continue
            }
            resolved[key.path] = try Self.check(value, for: key, origin: origin)
        }
        return try NodeConfiguration(values: resolved)
    }

    func readFile(_ file: String?) throws -> (String, String)? {
        let path = file ?? Self.defaultFile
        guard FileManager.default.fileExists(atPath: path) else {
            if file != nil { throw ConfigurationError("configuration file \(path) does not exist") }
            return nil
        }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError("configuration file \(path) cannot be read as UTF-8 text")
        }
        return (text, path)
    }

    func parseYAML(_ text: String, path: String) throws -> JSONValue {
        let loaded: Any?
        do { loaded = try Yams.load(yaml: text) } catch { throw ConfigurationError("\(path) is not valid YAML: \(error)") }
        guard let loaded else { return .object(JSONObject()) }
        let value = try Self.jsonValue(loaded, at: "", path: path)
        guard case .object = value else { throw ConfigurationError("\(path) must hold a mapping of keys to values") }
        return value
    }

    static func jsonValue(_ any: Any, at key: String, path: String) throws -> JSONValue {
        switch any {
        case let value as Bool: return .bool(value)
        case let value as Int: return .int(value)
        case let value as Double: return .double(value)
        case let value as String: return .string(value)
        case is NSNull: return .null
        case let array as [Any]: return .array(try array.map { try jsonValue($0, at: key, path: path) })
        case let dictionary as [AnyHashable: Any]:
            var object = JSONObject()
            for (name, value) in dictionary.sorted(by: { "\($0.key)" < "\($1.key)" }) {
                let name = "\(name)"
                object[name] = try jsonValue(value, at: key.isEmpty ? name : "\(key).\(name)", path: path)
            }
            return .object(object)
        default:
            throw ConfigurationError("\(path): the value of \(key) has a type YAML configuration does not support")
        }
    }

    /// Nested mappings become dotted keys, except under keys whose value is itself a mapping.
    func flatten(_ value: JSONValue, prefix: String = "", origin: String) throws -> [String: JSONValue] {
        guard case .object(let object) = value else { return [prefix: value] }
        var result: [String: JSONValue] = [:]
        for (name, child) in object.entries {
            let path = prefix.isEmpty ? name : "\(prefix).\(name)"
            if let key = ConfigurationKey.named(path) {
                result[key.path] = child
            } else if case .object = child, ConfigurationKey.all.contains(where: { $0.path.hasPrefix(path + ".") }) {
                result.merge(try flatten(child, prefix: path, origin: origin)) { $1 }
            } else {
                throw ConfigurationError("unknown configuration key \(path) in \(origin)")
            }
        }
        return result
    }

    static func parseEnvironment(_ text: String, for key: ConfigurationKey, name: String) throws -> JSONValue {
        switch key.kind {
        case .integer:
            guard let number = Int(text.trimmingCharacters(in: .whitespaces)) else {
                throw ConfigurationError("\(name) must be an integer, got \"\(text)\"")
            }
            return .int(number)
        case .bool:
            switch text.lowercased() {
            case "1", "true", "yes", "on": return .bool(true)
            case "0", "false", "no", "off": return .bool(false)
            default: throw ConfigurationError("\(name) must be true or false, got \"\(text)\"")
            }
        case .stringList, .object:
            do { return try JSONValue.parse(text) } catch {
                throw ConfigurationError("\(name) must be JSON (\(key.kind == .object ? "an object" : "a list")): \(error)")
            }
        case .string, .optionalString, .choice, .secret:
            return .string(text)
        }
    }

    static func check(_ value: JSONValue, for key: ConfigurationKey, origin: String) throws -> JSONValue {
        func fail(_ expected: String) -> ConfigurationError {
            ConfigurationError("configuration key \(key.path) (from \(origin)) must be \(expected), got \(value.serialized())")
        }
        switch key.kind {
        case .string:
            guard case .string = value else { throw fail("a string") }
        case .optionalString, .secret:
            switch value {
            case .string, .null: break
            default: throw fail("a string")
            }
        case .integer(let range):
            guard case .int(let number) = value, range.contains(number) else {
                throw fail("an integer from \(range.lowerBound) to \(range.upperBound)")
            }
        case .bool:
            guard case .bool = value else { throw fail("true or false") }
        case .stringList:
            guard case .array(let elements) = value, elements.allSatisfy({ $0.stringValue != nil }) else {
                throw fail("a list of strings")
            }
        case .object:
            guard case .object = value else { throw fail("a mapping") }
        case .choice(let choices):
            guard case .string(let text) = value, choices.contains(text) else {
                throw fail("one of \(choices.joined(separator: ", "))")
            }
        }
        return value
    }
}
