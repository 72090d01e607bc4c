/// `PUNGI_SOURCE_TYPE_NAMES` with their wire numbers.
public enum SourceType: Int, Sendable, CaseIterable, Codable {
    case tag = 1
    case module = 2
    case repo = 3
    case pulp = 4
    case rawConfig = 5
    case build = 6
    case pungiCompose = 7

    public var name: String {
        switch self {
        case .tag: "tag"
        case .module: "module"
        case .repo: "repo"
        case .pulp: "pulp"
        case .rawConfig: "raw_config"
        case .build: "build"
        case .pungiCompose: "pungi_compose"
        }
    }

    public init?(name: String) {
        guard let type = SourceType.allCases.first(where: { $0.name == name }) else { return nil }
        self = type
    }
}
