import AsyncHTTPClient
import Foundation
import Logging
import ODCSCore
import ODCSRepo
import ODCSVolume
import SystemPackage

/// How a generator fetches and indexes, shared by every native generator.
public struct AssemblyOptions: Sendable {
    /// Packages fetched at once.
    public var fetchWidth: Int
    /// createrepo_c runs at once (each with `createrepoWorkers` threads).
    public var createrepoWidth: Int
    public var createrepoWorkers: Int
    /// For one createrepo_c run.
    public var createrepoTimeout: Duration
    /// For one package download.
    public var downloadTimeout: Duration
    /// For reading one repository's metadata (download and decompression each), or another
    /// compose's rpms.json.
    public var metadataTimeout: Duration

    public init(
        fetchWidth: Int = 8, createrepoWidth: Int = 2, createrepoWorkers: Int = 2, createrepoTimeout: Duration = .seconds(3600),
        downloadTimeout: Duration = .seconds(1800), metadataTimeout: Duration = .seconds(600)
    ) {
        self.fetchWidth = fetchWidth
        self.createrepoWidth = createrepoWidth
        self.createrepoWorkers = createrepoWorkers
        self.createrepoTimeout = createrepoTimeout
        self.downloadTimeout = downloadTimeout
        self.metadataTimeout = metadataTimeout
    }
}

/// The arches a compose's trees are made for: `compose.arches` (space-separated) without
/// `noarch` and `src`, which are not trees of their own, or `defaults` when it names none.
func treeArches(of compose: Compose, defaults: [String]) -> [String] {
    var arches: [String] = []
    for arch in (compose.arches ?? "").split(separator: " ").map(String.init)
    where arch != "noarch" && arch != "src" && !arches.contains(arch) {
        arches.append(arch)
    }
    return arches.isEmpty ? defaults : arches
}

/// Turns a `PackageSelection` into a compose, whatever the source type: links, copies or
/// downloads the package files into the trees, checks them, runs `createrepo_c` on every tree,
/// and writes the `.repo` file, productmd metadata and `COMPOSE_ID`.
struct ComposeAssembler: Sendable {
    var configuration: AssemblyOptions
    var httpClient: HTTPClient
    var now: @Sendable () -> Date

    /// Every tree of the compose, in the order they are indexed: each arch's os and debug
    /// trees, then the source tree. They exist (and get repodata) even when empty, as Pungi's do.
    func trees(of selection: PackageSelection) -> [PackageSelection.Tree] {
        selection.arches.flatMap { [.os(arch: $0), .debug(arch: $0)] } + [.source]
    }

    /// Fetch, check, index, describe. `comps` goes into every os repository's repodata (Pungi's
    /// filtered comps: `FilteredComps.odcsGroup` for the composes ODCS gives a comps.xml, nil
    /// for those without, as module composes). `modular` adds `modules.yaml` to the os
    /// repositories and lists the modules in modules.json.
    func assemble(
        _ selection: PackageSelection, comps: FilteredComps?, modular: ModularMetadata? = nil, context: GenerationContext,
        layout: ComposeLayout, log: StepLog
    ) async throws -> GenerationResult {
        var selection = selection
        try await fetch(selection, layout: layout, log: log, space: context.space, logger: context.logger)
        try Task.checkCancellation()
        selection = try await BlockingIO.bulk.run { [selection] cancel in
            var checked = selection
            try check(&checked, layout: layout, log: log, cancel: cancel)
            return checked
        }
        try await createRepositories(for: selection, comps: comps, layout: layout, log: log)
        try Task.checkCancellation()
        var modules: [ProductmdModules.Entry] = []
        if let modular {
            modules = try await addModules(modular, selection: selection, layout: layout, log: log)
            try Task.checkCancellation()
        }
        let productmd = ProductmdCompose(
            composeName: context.name, composeType: context.compose.composeType, label: context.compose.label, now: now())
        try writeInstallTrees(selection, productmd: productmd, layout: layout)
        try writeMetadata(selection, productmd: productmd, modules: modules, context: context, layout: layout)
        log.info("Wrote \(try layout.repoFile.lastComponent?.string ?? "") and compose metadata \(productmd.id)")
        return GenerationResult(pungiComposeID: productmd.id)
    }

    /// Fetches each package file once; a noarch package that several arch trees hold is
    /// then linked (or copied) from the first copy rather than fetched again.
    /// Before the first file is placed, `space` is asked for what the copies and downloads
    /// will write (hard links write nothing) plus the metadata allowance.
    func fetch(
        _ selection: PackageSelection, layout: ComposeLayout, log: StepLog, space: (any SpaceCheck)? = nil, logger: Logger? = nil
    ) async throws {
        for tree in trees(of: selection) {
            try FileManager.default.createDirectory(atPath: try layout.tree(tree).string, withIntermediateDirectories: true)
        }
        var firstCopies: [PackageFetcher.Job] = []
        var duplicates: [(job: PackageFetcher.Job, from: FilePath)] = []
        var firstDestination: [String: FilePath] = [:]
        var directories = Set<String>()
        for item in selection.items {
            let destination = try layout.file(of: item)
            let directory = destination.removingLastComponent().string
            if directories.insert(directory).inserted {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            }
            let job = PackageFetcher.Job(package: item.package, repository: item.repository, destination: destination)
            let key = try job.source.description
            if let first = firstDestination[key] {
                duplicates.append((job, first))
            } else {
                firstDestination[key] = destination
                firstCopies.append(job)
            }
        }
        let fetcher = PackageFetcher(
            httpClient: httpClient, width: configuration.fetchWidth, downloadTimeout: configuration.downloadTimeout)
        if let space, let logger {
            let cost = fetcher.bytesToWrite(firstCopies, into: layout.staging)
            let total = cost.bytes + MetadataAllowance.bytes(trees: trees(of: selection).count, packages: selection.items.count)
            log.info(
                "The packages need \(total) bytes on the volume (\(cost.written) files copied or downloaded, \(cost.linked) hard-linked)")
            let count = selection.items.count
            try await space.ensure(bytes: total, for: "its \(count) package\(count == 1 ? "" : "s")", logger: logger)
        }
        let methods = try await fetcher.fetch(firstCopies)
        try await BlockingIO.bulk.run { [duplicates] cancel in
            for (job, first) in duplicates {
                try cancel.check()
                _ = try fetcher.place(localFile: first, size: job.package.size, at: job.destination, cancel: cancel)
            }
        }
        let counts = Dictionary(grouping: methods, by: { $0 }).mapValues(\.count)
        log.info(
            "Fetched \(firstCopies.count) package files (\(counts[.hardLink] ?? 0) hard-linked, \(counts[.copy] ?? 0) copied, "
                + "\(counts[.download] ?? 0) downloaded), linked \(duplicates.count) more into other trees")
    }

    /// Reads each placed file's signature header: its payload hash must be the one the source
    /// promised (Koji's `payloadhash`), and its signing key goes into rpms.json, as Pungi
    /// reads it from the linked file. It reads every file: call it on `BlockingIO.bulk`.
    func check(_ selection: inout PackageSelection, layout: ComposeLayout, log: StepLog, cancel: BlockingIO.Cancellation) throws {
        var signed = 0
        for index in selection.items.indices {
            try cancel.check()
            let item = selection.items[index]
            let path = try layout.file(of: item)
            let header: RPMSignatureHeader
            do {
                header = try RPMSignatureHeader(file: path)
            } catch {
                throw GeneratorError("Package \(item.package.fileName) is not a valid RPM: \(error.description)")
            }
            if let expected = item.payloadhash, !expected.isEmpty, header.payloadMD5 != expected {
                throw GeneratorError(
                    "Package \(item.package.fileName) does not match its build: payload hash \(header.payloadMD5 ?? "none"), "
                        + "expected \(expected).")
            }
            selection.items[index].sigkey = header.sigkey
            if header.sigkey != nil { signed += 1 }
        }
        log.info("Checked \(selection.items.count) package headers, \(signed) signed")
    }

    func createRepositories(for selection: PackageSelection, comps: FilteredComps?, layout: ComposeLayout, log: StepLog) async throws {
        let trees = trees(of: selection)
        for tree in trees {
            try FileManager.default.createDirectory(
                atPath: try layout.createrepoLog(tree).removingLastComponent().string, withIntermediateDirectories: true)
        }
        var groupFiles: [String: FilePath] = [:]
        if let comps {
            for arch in selection.arches {
                let file = try layout.comps(arch: arch)
                try layout.write(comps.xml, to: file)
                groupFiles[arch] = file
            }
        }
        let base = CreateRepo(timeout: configuration.createrepoTimeout, workers: configuration.createrepoWorkers)
        let width = max(1, configuration.createrepoWidth)
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            func addNext() {
                guard next < trees.count else { return }
                let tree = trees[next]
                next += 1
                var createrepo = base
                if case .os(let arch) = tree { createrepo.groupFile = groupFiles[arch] }
                group.addTask {
                    try await createrepo.run(in: try layout.tree(tree), log: try layout.createrepoLog(tree))
                    log.info("Created repodata for \(tree)")
                }
            }
            for _ in 0..<min(width, trees.count) { addNext() }
            while try await group.next() != nil { addNext() }
        }
    }

    /// Writes each arch's `modules.yaml` into that os repository's repodata (`modifyrepo_c
    /// --mdtype=modules`); answers the modules.json entries: per arch, each module with the
    /// repodata file and the artifacts its modulemd of that arch lists (source RPMs too, as
    /// Pungi takes them from libmodulemd's `get_rpm_artifacts`).
    func addModules(
        _ modular: ModularMetadata, selection: PackageSelection, layout: ComposeLayout, log: StepLog
    ) async throws -> [ProductmdModules.Entry] {
        var entries: [ProductmdModules.Entry] = []
        for arch in selection.arches {
            guard let text = modular.modulesYAML[arch] else { continue }
            let file = try layout.path(components: ["work", arch, "module", "modules.yaml"])
            try layout.write(text, to: file)
            let repodata = try layout.tree(.os(arch: arch)).appending("repodata")
            try await ExternalCommand(
                ["modifyrepo_c", "--mdtype=modules", "--unique-md-filenames", file.string, repodata.string],
                log: try layout.path(components: ["logs", arch, "modifyrepo-\(ComposeLayout.variant).\(arch).log"]),
                timeout: configuration.createrepoTimeout
            ).run()
            let added = try FileManager.default.contentsOfDirectory(atPath: repodata.string).first { $0.contains("modules.yaml") }
            let path = "\(ComposeLayout.variant)/\(PackageSelection.Tree.os(arch: arch).path)/repodata/\(added ?? "modules.yaml")"
            for module in modular.modules {
                guard let artifacts = module.artifacts[arch] else { continue }
                entries.append(
                    ProductmdModules.Entry(arch: arch, uid: module.nsvc, kojiTag: module.kojiTag, modulemdPath: path, rpms: artifacts))
            }
        }
        log.info("Added modules.yaml with \(modular.modules.count) modules and \(modular.defaults) defaults to the os repositories")
        return entries
    }

    /// `.treeinfo`, `.discinfo` and `media.repo` in each arch's os tree and in the source tree,
    /// as Pungi writes them once the repositories exist.
    func writeInstallTrees(_ selection: PackageSelection, productmd: ProductmdCompose, layout: ComposeLayout) throws {
        let trees = selection.arches.map { (PackageSelection.Tree.os(arch: $0), $0) } + [(.source, "src")]
        for (tree, arch) in trees {
            let files = InstallTreeFiles(compose: productmd, variant: ComposeLayout.variant, arch: arch, time: now())
            let directory = try layout.tree(tree)
            try layout.write(files.treeInfo, to: directory.appending(".treeinfo"))
            try layout.write(files.discInfo, to: directory.appending(".discinfo"))
            try layout.write(files.mediaRepo, to: directory.appending("media.repo"))
        }
    }

    /// The `.repo` file, productmd's composeinfo.json, rpms.json and modules.json, and `COMPOSE_ID`.
    func writeMetadata(
        _ selection: PackageSelection, productmd: ProductmdCompose, modules: [ProductmdModules.Entry] = [],
        context: GenerationContext, layout: ComposeLayout
    ) throws {
        let variant = ComposeLayout.variant
        let resultRepoURL = context.targetDirURL.isEmpty ? "" : "\(context.targetDirURL)/\(context.name)/compose/\(variant)"
        try layout.write(RepoFile(name: context.name, resultRepoURL: resultRepoURL).text, to: try layout.repoFile)

        let composeInfo = ProductmdComposeInfo(compose: productmd, arches: selection.arches, variant: variant)
        try layout.write(composeInfo.json, to: layout.metadata.appending("composeinfo.json"))
        let rpms = ProductmdRPMs(compose: productmd, variant: variant, entries: rpmEntries(selection))
        try layout.write(rpms.json, to: layout.metadata.appending("rpms.json"))
        let modulesJSON = ProductmdModules(compose: productmd, variant: variant, entries: modules)
        try layout.write(modulesJSON.json, to: layout.metadata.appending("modules.json"))
        try layout.write(productmd.id, to: layout.staging.appending("COMPOSE_ID"))
    }

    /// rpms.json lists, under each arch, the arch's binary and debug packages and the source
    /// RPMs they were built from (which live once, in the source tree).
    func rpmEntries(_ selection: PackageSelection) -> [ProductmdRPMs.Entry] {
        let variant = ComposeLayout.variant
        var sources: [String: PackageSelection.Item] = [:]
        for item in selection.items where item.tree == .source {
            sources[item.package.nevra] = item
        }
        var entries: [ProductmdRPMs.Entry] = []
        var listedSources = Set<String>()
        for item in selection.items {
            let arch: String
            let category: ProductmdRPMs.Category
            switch item.tree {
            case .os(let treeArch): (arch, category) = (treeArch, .binary)
            case .debug(let treeArch): (arch, category) = (treeArch, .debug)
            case .source: continue
            }
            let source = item.package.sourceNEVRA ?? item.package.nevra
            entries.append(
                ProductmdRPMs.Entry(
                    arch: arch, sourceNEVRA: source, nevra: item.package.nevra, category: category,
                    path: "\(variant)/\(item.tree.path)/\(item.pathInTree)", sigkey: item.sigkey))
            if let sourceItem = sources[source], listedSources.insert("\(arch) \(source)").inserted {
                entries.append(
                    ProductmdRPMs.Entry(
                        arch: arch, sourceNEVRA: source, nevra: source, category: .source,
                        path: "\(variant)/\(sourceItem.tree.path)/\(sourceItem.pathInTree)", sigkey: sourceItem.sigkey))
            }
        }
        return entries
    }
}
