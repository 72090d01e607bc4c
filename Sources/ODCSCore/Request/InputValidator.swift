/// Upstream's `validate_json_data`: type rules for known keys, dicts only under the top-level
/// `source`, and a small character set for every string (except package names), so that no
/// value can smuggle syntax into a Pungi config, a shell or a path.
public enum InputValidator {
    static let listKeys: Set<String> = [
        "builds", "multilib_method", "packages", "scratch_build_tasks", "scratch_modules", "sigkeys", "modules",
    ]
    static let stringKeys: Set<String> = [
        "base_module_br_name", "base_module_br_stream", "compose_type", "label", "target_dir", "type",
    ]
    static let integerKeys: Set<String> = [
        "seconds_to_live", "koji_event", "base_module_br_stream_version_lte", "base_module_br_stream_version_gte",
    ]
    static let allowedPunctuation: Set<Character> = [" ", "-", "/", "_", ".", ":", "#", "+", "?", "$", "~", "^", ","]

    public static let forbiddenCharactersMessage =
        "Only alphanumerical characters and ' -/_.:#+?$~^,' characters are allowed in ODCS input variables"

    public static func validate(_ object: JSONObject) throws(RequestError) {
        try validate(entries: object.entries.map { (key: Optional($0.key), value: $0.value) }, level: 0, parentKey: nil)
    }

    private static func validate(
        entries: [(key: String?, value: JSONValue)], level: Int, parentKey: String?
    ) throws(RequestError) {
        for (key, value) in entries {
            if let key {
                if listKeys.contains(key), value.arrayValue == nil { throw RequestError("\(key) should be a list") }
                if stringKeys.contains(key), value.stringValue == nil { throw RequestError("\(key) should be a string") }
                if integerKeys.contains(key) {
                    switch value {
                    case .int, .bool: break
                    default: throw RequestError("\(key) should be an integer")
                    }
                }
            }
            switch value {
            case .object(let inner):
                guard level == 0, key == "source" else { throw RequestError("Only 'source' key is allowed to contain dict.") }
                try validate(entries: inner.entries.map { (key: Optional($0.key), value: $0.value) }, level: level + 1, parentKey: key)
            case .array(let elements):
                try validate(entries: elements.map { (key: nil, value: $0) }, level: level + 1, parentKey: key)
            case .string(let text):
                // Package names go to comps.xml, never into a config or a path (upstream's exemption).
                if parentKey == "packages", key == nil { continue }
                guard isAllowed(text) else { throw RequestError(forbiddenCharactersMessage) }
            case .int, .double, .bool:
                continue
            case .null:
                throw RequestError(
                    "Only dict, list, str, unicode, int, float and bool types are allowed in ODCS input variables, but '\(key ?? "")' has '<class 'NoneType'>' type"
                )
            }
        }
    }

    /// Python's `str.isalnum()` or one of the allowed punctuation characters.
    public static func isAllowed(_ text: String) -> Bool {
        text.allSatisfy { $0.isLetter || $0.isNumber || allowedPunctuation.contains($0) }
    }
}
