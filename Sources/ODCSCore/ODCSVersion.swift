/// The version this build reports. `/about` sends it as a PEP 440 local version of the
/// upstream release whose API it implements, so version checks written for 0.9.2 pass.
public enum ODCSVersion {
    public static let implementation = "0.1.0"
    public static let upstreamAPI = "0.9.2"
    public static var wire: String { "\(upstreamAPI)+swift.\(implementation)" }
}
