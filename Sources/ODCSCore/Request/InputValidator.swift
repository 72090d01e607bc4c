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
    static let allowedPunctuation: Set<Unicode.Scalar> = [" ", "-", "/", "_", ".", ":", "#", "+", "?", "$", "~", "^", ","]

    public static let forbiddenCharactersMessage =
        "Only alphanumerical characters and ' -/_.:#+?$~^,' characters are allowed in ODCS input variables"

    public static func validate(_ object: JSONObject) throws(RequestError) {
        try validate(.object(object))
    }

    /// A whole body, as upstream walks it: a dict by its items, anything else as Python's
    /// `enumerate` would (a list by index, a string by character); a number or null, which
    /// `enumerate` cannot take, is left to the caller's own type check.
    public static func validate(_ body: JSONValue) throws(RequestError) {
        switch body {
        case .object(let object):
            try validate(entries: object.entries.map { Entry(key: $0.key, value: $0.value) }, level: 0, parentKey: nil)
        case .array(let elements): try validate(entries: Entry.enumerated(elements), level: 0, parentKey: nil)
        case .string(let text):
            try validate(entries: Entry.enumerated(text.unicodeScalars.map { .string(String($0)) }), level: 0, parentKey: nil)
        case .int, .double, .bool, .null: return
        }
    }

    /// A dict item (`key` set) or a list element (`index`): Python's `k` either way.
    struct Entry {
        var key: String?
        var index = 0
        var value: JSONValue

        /// `k` as `'%s' % k` prints it.
        var name: String { key ?? String(index) }

        static func enumerated(_ elements: [JSONValue]) -> [Entry] {
            elements.enumerated().map { Entry(key: nil, index: $0.offset, value: $0.element) }
        }
    }

    private static func validate(entries: [Entry], level: Int, parentKey: String?) throws(RequestError) {
        for entry in entries {
            let value = entry.value
            if let key = entry.key {
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
                guard level == 0, entry.key == "source" else { throw RequestError("Only 'source' key is allowed to contain dict.") }
                try validate(entries: inner.entries.map { Entry(key: $0.key, value: $0.value) }, level: level + 1, parentKey: entry.key)
            case .array(let elements):
                try validate(entries: Entry.enumerated(elements), level: level + 1, parentKey: entry.key)
            case .string(let text):
                // Package names go to comps.xml, never into a config or a path (upstream's exemption).
                if parentKey == "packages" { continue }
                guard isAllowed(text) else { throw RequestError(forbiddenCharactersMessage) }
            case .int, .double, .bool:
                continue
            case .null:
                throw RequestError(
                    "Only dict, list, str, unicode, int, float and bool types are allowed in ODCS input variables, but '\(entry.name)' has '<class 'NoneType'>' type"
                )
            }
        }
    }

    /// Python's `str.isalnum()` or one of the allowed punctuation characters, code point by
    /// code point (`PythonText`): a combining accent is neither.
    public static func isAllowed(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { PythonText.isAlphanumeric($0) || allowedPunctuation.contains($0) }
    }
}
