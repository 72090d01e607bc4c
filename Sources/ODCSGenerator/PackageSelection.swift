import ODCSRepo

/// Which packages of a set of repositories go into which tree of a compose, the way Pungi
/// gathers without dependency solving: per arch the newest version of each wanted name among
/// that arch's and noarch packages; debug packages of the chosen builds into the arch's debug
/// tree; the source RPMs of everything chosen into the source tree.
///
/// With no names, every name is wanted (Pungi's `additional_packages '*'`).
public struct PackageSelection: Sendable {
    /// The trees of the `Temporary` variant.
    public enum Tree: Sendable, Hashable, CustomStringConvertible {
        case os(arch: String)
        case debug(arch: String)
        case source

        /// Relative to `compose/Temporary/`.
        public var path: String {
            switch self {
            case .os(let arch): "\(arch)/os"
            case .debug(let arch): "\(arch)/debug/tree"
            case .source: "source/tree"
            }
        }

        public var description: String { path }
    }

    public struct Item: Sendable, Hashable {
        public var package: RepoPackage
        public var repository: RepositoryLocation
        public var tree: Tree

        public init(package: RepoPackage, repository: RepositoryLocation, tree: Tree) {
            self.package = package
            self.repository = repository
            self.tree = tree
        }

        /// `Packages/<first letter, lower-cased>/<file>`: Pungi's hashed directories.
        public var pathInTree: String {
            let file = package.fileName
            return "Packages/\(file.prefix(1).lowercased())/\(file)"
        }
    }

    public var items: [Item]
    /// Requested names found in no binary or debug tree, sorted.
    public var missing: [String]
    public var arches: [String]

    public init(repositories: [Repository], names: [String], arches: [String]) {
        self.arches = arches
        var seen = Set<String>()
        var all: [(RepoPackage, RepositoryLocation)] = []
        // The same file in two repositories is one package; the first repository wins.
        for repository in repositories {
            for package in repository.packages where seen.insert(package.nevra).inserted {
                all.append((package, repository.location))
            }
        }
        let sources = Dictionary(
            all.filter { $0.0.isSource }.map { ($0.0.nevra, $0) }, uniquingKeysWith: { first, _ in first })
        let wanted = Set(names)

        var items: [Item] = []
        var found = Set<String>()
        var chosenSources: [String] = []
        var chosen = Set<String>()
        for arch in arches {
            let newest = Self.newestByName(all.filter { !$0.0.isSource && ($0.0.arch == arch || $0.0.arch == "noarch") })
            let binaries = newest.filter { !$0.0.isDebug && (wanted.isEmpty || wanted.contains($0.0.name)) }
            let builds = Set(binaries.compactMap { $0.0.sourceNEVRA })
            let debug = newest.filter { candidate in
                guard candidate.0.isDebug else { return false }
                if wanted.isEmpty || wanted.contains(candidate.0.name) { return true }
                return candidate.0.sourceNEVRA.map(builds.contains) ?? false
            }
            for (package, repository) in binaries {
                items.append(Item(package: package, repository: repository, tree: .os(arch: arch)))
            }
            for (package, repository) in debug {
                items.append(Item(package: package, repository: repository, tree: .debug(arch: arch)))
            }
            for (package, _) in binaries + debug {
                found.insert(package.name)
                if let source = package.sourceNEVRA, chosen.insert(source).inserted { chosenSources.append(source) }
            }
        }
        for nevra in chosenSources {
            if let (package, repository) = sources[nevra] {
                items.append(Item(package: package, repository: repository, tree: .source))
            }
        }
        self.items = items
        self.missing = wanted.subtracting(found).sorted()
    }

    /// Per name, the packages with the highest epoch-version-release (several when one name
    /// is built for the arch and for noarch at the same version), in input order.
    static func newestByName(_ packages: [(RepoPackage, RepositoryLocation)]) -> [(RepoPackage, RepositoryLocation)] {
        var best: [String: RPMVersion] = [:]
        for (package, _) in packages {
            if let current = best[package.name], RPMVersion.compare(current, package.evr) >= 0 { continue }
            best[package.name] = package.evr
        }
        var taken = Set<String>()
        return packages.filter { package, _ in
            guard let top = best[package.name], RPMVersion.compare(top, package.evr) == 0 else { return false }
            // Equal versions spelled differently (1.0 and 1.00) are one package per arch.
            return taken.insert("\(package.name).\(package.arch)").inserted
        }
    }
}
