import Foundation
import ODCSCore
import ODCSKoji
import ODCSRepo
import ODCSSolve
import ODCSVolume
import SystemPackage

/// A Koji RPM as a compose candidate: the file picked by sigkey preference, and whether that
/// file is one the compose may ship (a copy signed with an allowed key, or unsigned when
/// unsigned is allowed). A candidate without one still takes part in dependency solving, as
/// in Pungi, and fails the compose only if it is selected.
struct KojiCandidate: Sendable {
    var candidate: PackageSelection.Candidate
    var rpm: KojiRPM
    var buildNVR: String
    var hasAllowedCopy: Bool
}

extension KojiGenerator {
    /// The RPMs and builds the compose draws from: the tag's latest builds at the compose's
    /// event (with inheritance unless `no_inheritance`) plus any listed builds, or for `build`
    /// and `pungi_compose` just the listed builds.
    func packageSet(
        of compose: Compose, layout: ComposeLayout, log: StepLog, cache: KojiListingCache? = nil
    ) async throws -> ([KojiRPM], [KojiBuild]) {
        var rpms: [KojiRPM] = []
        var builds: [KojiBuild] = []
        if compose.sourceType == .tag {
            let tag = compose.source
            guard try await koji.getTag(tag) != nil else { throw GeneratorError("Unknown Koji tag \(tag).") }
            let pinned: Int64
            if let event = compose.kojiEvent { pinned = event } else { pinned = try await koji.getLastEvent().id }
            let event = try await koji.getEvent(pinned)
            try layout.write("{\"id\": \(event.id), \"ts\": \(event.timestamp)}\n", to: layout.work.appending("global/koji-event"))
            let inherit = !compose.flags.contains(.noInheritance)
            let cached = try await listing(tag, event: event.id, inherit: inherit, cache: cache)
            (rpms, builds) = cached.listing
            log.info(
                "Koji tag \(tag) at event \(event.id)\(inherit ? " with inheritance" : ""): \(builds.count) latest builds"
                    + (cached.fromCache ? " (listing cache)" : ""))
        }
        let listed = (compose.builds ?? "").split(separator: " ").map(String.init)
        if !listed.isEmpty {
            let found = try await koji.getBuilds(listed)
            let missing = zip(listed, found).filter { $0.1 == nil }.map(\.0)
            guard missing.isEmpty else { throw GeneratorError("Koji build(s) not found: \(missing.joined(separator: " ")).") }
            let extra = found.compactMap { $0 }
            let extraRPMs = try await koji.listRPMs(buildIDs: extra.map(\.id))
            // A listed build replaces the tag's build of the same package.
            let replaced = Set(extra.map(\.name))
            let dropped = Set(builds.filter { replaced.contains($0.name) }.map(\.id))
            rpms = rpms.filter { !dropped.contains($0.buildID) } + extraRPMs.flatMap { $0 }
            builds = builds.filter { !dropped.contains($0.id) } + extra
            log.info("Listed builds: \(listed.joined(separator: " "))")
        }
        return (rpms, builds)
    }

    /// `listTaggedRPMS(tag, event, inherit, latest: true)`, from the listing cache when it
    /// holds it; a listing the hub gave is stored there for the next compose at that event.
    func listing(
        _ tag: String, event: Int64, inherit: Bool, cache: KojiListingCache?
    ) async throws -> (listing: KojiListingCache.Listing, fromCache: Bool) {
        if let cache, let listing = try await BlockingIO.bulk.run({ cache.load(tag: tag, event: event, inherit: inherit, latest: true) }) {
            return (listing, true)
        }
        let listing = try await koji.listTaggedRPMS(tag, event: event, inherit: inherit, latest: true)
        if let cache {
            _ = try await BlockingIO.bulk.run { cache.store(listing, tag: tag, event: event, inherit: inherit, latest: true) }
        }
        return (listing, false)
    }

    /// Picks each RPM's file in sigkey order: on a mounted volume the first signed copy that
    /// exists, over HTTP the first key Koji has a signature for (`queryRPMSigs`).
    func candidates(
        rpms: [KojiRPM], builds: [KojiBuild], sigkeys: SigkeyPreference, layout: ComposeLayout, log: StepLog
    ) async throws -> [KojiCandidate] {
        let buildsByID = Dictionary(builds.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let repository: RepositoryLocation
        var signaturesOf: (KojiRPM) -> Set<String>
        if let topdir = configuration.topdir {
            repository = .directory(topdir)
            signaturesOf = { _ in [] }
        } else if let topurl = configuration.topurl {
            repository = .url(KojiPathInfo(top: topurl).top)
            let keys = sigkeys.order.compactMap { $0 }
            var signatures: [Int64: Set<String>] = [:]
            if !keys.isEmpty {
                let results = try await koji.multiCall(
                    rpms.map { XMLRPCCall(methodName: "queryRPMSigs", keywordArguments: [("rpm_id", .int($0.id))]) })
                for (rpm, result) in zip(rpms, results) {
                    let entries = try result.get().arrayValue ?? []
                    signatures[rpm.id] = Set(entries.compactMap { $0["sigkey"]?.stringValue?.lowercased() })
                }
            }
            signaturesOf = { signatures[$0.id] ?? [] }
        } else {
            throw GeneratorError("Neither koji_topdir nor koji_topurl is configured: this node cannot read Koji's files.")
        }
        let top = KojiPathInfo(top: "")
        var result: [KojiCandidate] = []
        result.reserveCapacity(rpms.count)
        for rpm in rpms {
            guard let build = buildsByID[rpm.buildID] else { continue }
            let directory = String(top.buildDirectory(build).dropFirst())  // relative: packages/<n>/<v>/<r>
            var chosen: (href: String, size: Int64)?
            for key in sigkeys.order {
                guard let key else {
                    chosen = ("\(directory)/\(KojiPathInfo.rpm(rpm))", rpm.size)
                    break
                }
                let href = "\(directory)/\(KojiPathInfo.signed(rpm, sigkey: key))"
                if case .directory(let root) = repository {
                    var status = stat()
                    if stat(root.appending(href).string, &status) == 0 {
                        chosen = (href, Int64(status.st_size))
                        break
                    }
                } else if signaturesOf(rpm).contains(key) {
                    chosen = (href, -1)
                    break
                }
            }
            let href = chosen?.href ?? "\(directory)/\(KojiPathInfo.rpm(rpm))"
            let epoch = Int(rpm.epoch ?? build.epoch ?? 0)
            let package = RepoPackage(
                name: rpm.name, evr: RPMVersion(epoch: epoch, version: rpm.version, release: rpm.release), arch: rpm.arch, href: href,
                checksum: nil, size: chosen?.size ?? rpm.size,
                sourceRPM: rpm.isSource ? nil : "\(build.name)-\(build.version)-\(build.release).src.rpm")
            result.append(
                KojiCandidate(
                    candidate: .init(
                        package: package, repository: repository, payloadhash: rpm.payloadhash.isEmpty ? nil : rpm.payloadhash),
                    rpm: rpm, buildNVR: build.nvr, hasAllowedCopy: chosen != nil))
        }
        let missingCopies = result.filter { !$0.hasAllowedCopy }.count
        if missingCopies > 0 {
            log.info("\(missingCopies) RPMs have no copy signed with \(sigkeys.pythonTuple); they fail the compose only if selected")
        }
        return result
    }

    /// Where the solver reads the candidates' headers: on a mounted volume, each candidate's
    /// file. Over HTTP, from the yum metadata of Koji's repository of the tag (`getRepo` at
    /// the compose's event, one directory per arch), downloading only the candidates it does
    /// not list (source and debuginfo RPMs are not solved, so never); without such a
    /// repository (a `build` compose, a tag Koji keeps none of, metadata that cannot be read)
    /// every solved candidate is downloaded. Downloads go to `work/global/koji-pool/`, which
    /// the compose then links its packages from; the volume's space is checked first.
    /// - Returns: where each candidate's file is (resolved when read), and the metadata.
    func headerSources(
        of pool: inout [KojiCandidate], compose: Compose, arches: [String], layout: ComposeLayout, log: StepLog,
        context: GenerationContext
    ) async throws -> (files: DependencyStep.RPMFiles, metadata: [DependencyStep.RepositoryMetadata]) {
        guard case .url = pool.first?.candidate.repository else { return (.init(othersFromRepository: true), []) }
        let found = try await kojiRepositoryMetadata(of: compose, arches: arches, layout: layout, log: log, snapshots: context.headerCache)
        let metadata = found.map(\.metadata)
        let listed = Set(found.flatMap(\.nevras))
        let root = try layout.path("work/global/koji-pool")
        var files = Array(repeating: "", count: pool.count)
        var jobs: [PackageFetcher.Job] = []
        var fetched: [Int] = []
        var directories = Set<String>()
        for (index, entry) in pool.enumerated() {
            let package = entry.candidate.package
            guard !package.isSource, !package.isDebug, !listed.contains(package.nevra) else { continue }
            let destination = try layout.path("work/global/koji-pool/\(package.href)")
            let directory = destination.removingLastComponent().string
            if directories.insert(directory).inserted {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            }
            jobs.append(.init(package: package, repository: entry.candidate.repository, destination: destination))
            fetched.append(index)
            files[index] = destination.string
        }
        guard !jobs.isEmpty else { return (.init(local: files, othersFromRepository: false), metadata) }
        let fetcher = PackageFetcher(
            httpClient: httpClient, width: configuration.assembly.fetchWidth, downloadTimeout: configuration.assembly.downloadTimeout)
        if let space = context.space {
            let cost = fetcher.bytesToWrite(jobs, into: layout.staging)
            try await space.ensure(bytes: cost.bytes, for: "the \(jobs.count) RPMs it downloads to solve", logger: context.logger)
        }
        _ = try await fetcher.fetch(jobs)
        for index in fetched { pool[index].candidate.repository = .directory(root) }
        let bytes = fetched.reduce(Int64(0)) { total, index in
            var status = stat()
            return total + (stat(files[index], &status) == 0 ? Int64(status.st_size) : 0)
        }
        log.info(
            "Downloaded \(jobs.count) RPMs (\(bytes) bytes) from \(configuration.topurl ?? "") to read their headers for dependency solving"
        )
        return (.init(local: files, othersFromRepository: false), metadata)
    }

    /// The metadata of Koji's repository of a tag compose's tag, per arch directory the solve
    /// needs (Koji's canonical arch: i686 → i386), with the NEVRAs it lists: from its snapshot
    /// in the header cache when an earlier compose wrote one (a Koji repo id never changes
    /// content), else primary and filelists downloaded into the compose's work dir (the solve
    /// then writes the snapshot). Empty when there is no repository or it cannot be read,
    /// which only means more downloads.
    func kojiRepositoryMetadata(
        of compose: Compose, arches: [String], layout: ComposeLayout, log: StepLog, snapshots: FilePath?
    ) async throws -> [(metadata: DependencyStep.RepositoryMetadata, nevras: [String])] {
        guard compose.sourceType == .tag, let topurl = configuration.topurl else { return [] }
        guard let repo = try await koji.getRepo(compose.source, event: compose.kojiEvent) else {
            log.info(
                "Koji has no repository of tag \(compose.source)\(compose.kojiEvent.map { " at event \($0)" } ?? ""): downloading the candidates to solve"
            )
            return []
        }
        var result: [(metadata: DependencyStep.RepositoryMetadata, nevras: [String])] = []
        var seen = Set<String>()
        for arch in arches.map(KojiPathInfo.canonicalArch) where seen.insert(arch).inserted {
            let snapshot = snapshots.flatMap {
                HeaderSnapshots.repositorySnapshot(in: $0, hub: koji.configuration.url, repo: repo.id, arch: arch)
            }
            if let snapshot, let nevras = try await BlockingIO.bulk.run({ DependencySolver.packageNEVRAs(snapshot: snapshot.string) }) {
                result.append((.init(snapshot: snapshot), nevras))
                log.info("Koji repository \(repo.id) of tag \(compose.source) (event \(repo.createEvent)), \(arch): from the header cache")
                continue
            }
            guard let location = RepositoryLocation(KojiPathInfo(top: topurl).repository(tag: compose.source, id: repo.id, arch: arch))
            else {
                continue
            }
            let reader = RepositoryReader(
                httpClient: httpClient, workDirectory: try layout.path("work/global/koji-repo/\(arch)"),
                timeout: configuration.assembly.metadataTimeout)
            do {
                let files = try await reader.metadataFiles(of: location)
                let nevras = try await BlockingIO.bulk.run { try DependencySolver.packageNEVRAs(primaryXML: files.primary.string) }
                result.append((.init(snapshot: snapshot, primary: files.primary, filelists: files.filelists), nevras))
                log.info("Koji repository \(repo.id) of tag \(compose.source) (event \(repo.createEvent)), \(arch): metadata read")
            } catch let error as RepoError {
                log.info("Koji repository \(repo.id) of tag \(compose.source), \(arch): not used (\(error))")
            }
        }
        return result
    }
}
