import ODCSRepo

/// Which packages go into which tree of a compose, the way Pungi gathers: per arch the wanted
/// binary packages (for `nodeps`, the newest version of each wanted name among the arch's and
/// noarch packages; for `deps`, what the dependency solver chose); the debug packages of the
/// chosen builds into the arch's debug tree; the source RPMs of everything chosen into the
/// source tree.
///
/// With no names, every name is wanted (Pungi's `additional_packages '*'`).
public struct PackageSelection: Sendable {
    /// The trees of the `Temporary` variant.
    public enum Tree: Sendable, Hashable, CustomStringConvertible {
        case os(arch: String)
        case debug(arch: String)
        case source

        /// Relative to `compose/Temporary/`.
        public var path: String { components.joined(separator: "/") }

        /// The components of `path`; the arch is one of them, whatever it holds (the layout
        /// refuses one that is not a plain name).
        public var components: [String] {
            switch self {
            case .os(let arch): [arch, "os"]
            case .debug(let arch): [arch, "debug", "tree"]
            case .source: ["source", "tree"]
            }
        }

        public var description: String { path }
    }

    /// A package a compose could take, and where its file is.
    public struct Candidate: Sendable, Hashable {
        public var package: RepoPackage
        public var repository: RepositoryLocation
        /// The MD5 of header and payload the file must have (Koji's `payloadhash`), when known.
        public var payloadhash: String?

        public init(package: RepoPackage, repository: RepositoryLocation, payloadhash: String? = nil) {
            self.package = package
            self.repository = repository
            self.payloadhash = payloadhash
        }
    }

    public struct Item: Sendable, Hashable {
        public var package: RepoPackage
        public var repository: RepositoryLocation
        public var tree: Tree
        public var payloadhash: String?
        /// The key the placed file is signed with, read from its header (nil: unsigned, or not read yet).
        public var sigkey: String?

        public init(package: RepoPackage, repository: RepositoryLocation, tree: Tree, payloadhash: String? = nil, sigkey: String? = nil) {
            self.package = package
            self.repository = repository
            self.tree = tree
            self.payloadhash = payloadhash
            self.sigkey = sigkey
        }

        init(_ candidate: Candidate, tree: Tree) {
            self.init(package: candidate.package, repository: candidate.repository, tree: tree, payloadhash: candidate.payloadhash)
        }

        /// `Packages/<first letter, lower-cased>/<file>`: Pungi's hashed directories.
        public var pathInTree: String { componentsInTree.joined(separator: "/") }

        public var componentsInTree: [String] {
            let file = package.fileName
            return ["Packages", file.prefix(1).lowercased(), file]
        }
    }

    public var items: [Item]
    /// Requested names found in no binary or debug tree, sorted.
    public var missing: [String]
    public var arches: [String]

    /// Without dependency solving: the newest of each wanted name per arch.
    public init(repositories: [Repository], names: [String], arches: [String]) {
        self.init(candidates: Self.candidates(of: repositories), names: names, arches: arches)
    }

    public init(candidates: [Candidate], names: [String], arches: [String]) {
        let binaries = Dictionary(uniqueKeysWithValues: arches.map { ($0, Self.initial(candidates, names: names, arch: $0)) })
        self.init(candidates: candidates, binaries: binaries, names: names, arches: arches)
    }

    /// With the binary packages of each arch's os tree already chosen (by the solver, with
    /// multilib): adds the debug packages and the source RPMs.
    public init(candidates: [Candidate], binaries: [String: [Candidate]], names: [String], arches: [String]) {
        self.arches = arches
        let sources = Dictionary(
            candidates.filter { $0.package.isSource }.map { ($0.package.nevra, $0) }, uniquingKeysWith: { first, _ in first })
        let wanted = Set(names)

        var items: [Item] = []
        var found = Set<String>()
        var chosenSources: [String] = []
        var chosen = Set<String>()
        for arch in arches {
            let chosenBinaries = binaries[arch] ?? []
            let builds = Set(chosenBinaries.compactMap { $0.package.sourceNEVRA })
            let binaryArches = Set(chosenBinaries.map(\.package.arch)).union([arch, "noarch"])
            let debugPool = Self.newestByName(candidates.filter { $0.package.isDebug && binaryArches.contains($0.package.arch) })
            let debug = debugPool.filter { candidate in
                if wanted.contains(candidate.package.name) && (candidate.package.arch == arch || candidate.package.arch == "noarch") {
                    return true
                }
                return candidate.package.sourceNEVRA.map(builds.contains) ?? false
            }
            items += chosenBinaries.map { Item($0, tree: .os(arch: arch)) }
            items += debug.map { Item($0, tree: .debug(arch: arch)) }
            for candidate in chosenBinaries + debug {
                found.insert(candidate.package.name)
                if let source = candidate.package.sourceNEVRA, chosen.insert(source).inserted { chosenSources.append(source) }
            }
        }
        for nevra in chosenSources {
            if let candidate = sources[nevra] { items.append(Item(candidate, tree: .source)) }
        }
        self.items = items
        self.missing = wanted.subtracting(found).sorted()
    }

    /// Every package of the repositories once; the same file in two repositories is one
    /// package, the first repository's.
    public static func candidates(of repositories: [Repository]) -> [Candidate] {
        var seen = Set<String>()
        var all: [Candidate] = []
        for repository in repositories {
            for package in repository.packages where seen.insert(package.nevra).inserted {
                all.append(Candidate(package: package, repository: repository.location))
            }
        }
        return all
    }

    /// Pungi's initial packages of an arch: the newest binary package of each wanted name
    /// (every name when none is given) among the arch's and noarch packages; no debug packages.
    public static func initial(_ candidates: [Candidate], names: [String], arch: String) -> [Candidate] {
        let wanted = Set(names)
        let newest = newestByName(
            candidates.filter { !$0.package.isSource && !$0.package.isDebug && ($0.package.arch == arch || $0.package.arch == "noarch") })
        return newest.filter { wanted.isEmpty || wanted.contains($0.package.name) }
    }

    /// Per name, the packages with the highest epoch-version-release (several when one name
    /// is built for the arch and for noarch at the same version), in input order.
    static func newestByName(_ candidates: [Candidate]) -> [Candidate] {
        var best: [String: RPMVersion] = [:]
        for candidate in candidates {
            let package = candidate.package
            if let current = best[package.name], RPMVersion.compare(current, package.evr) >= 0 { continue }
            best[package.name] = package.evr
        }
        var taken = Set<String>()
        return candidates.filter { candidate in
            let package = candidate.package
            guard let top = best[package.name], RPMVersion.compare(top, package.evr) == 0 else { return false }
            // Equal versions spelled differently (1.0 and 1.00) are one package per arch.
            return taken.insert("\(package.name).\(package.arch)").inserted
        }
    }
}
