import Foundation
import ODCSRepo
import SystemPackage

extension RepoGenerator {
    /// Every tree of the compose, in the order they are indexed: each arch's os and debug
    /// trees, then the source tree. They exist (and get repodata) even when empty, as Pungi's do.
    func trees(of selection: PackageSelection) -> [PackageSelection.Tree] {
        selection.arches.flatMap { [.os(arch: $0), .debug(arch: $0)] } + [.source]
    }

    /// Fetches each package file once; a noarch package that several arch trees hold is
    /// then linked (or copied) from the first copy rather than fetched again.
    func fetch(_ selection: PackageSelection, layout: RepoComposeLayout, log: StepLog) async throws {
        for tree in trees(of: selection) {
            try FileManager.default.createDirectory(atPath: layout.tree(tree).string, withIntermediateDirectories: true)
        }
        var firstCopies: [PackageFetcher.Job] = []
        var duplicates: [(job: PackageFetcher.Job, from: FilePath)] = []
        var firstDestination: [String: FilePath] = [:]
        for item in selection.items {
            let destination = layout.tree(item.tree).appending(item.pathInTree)
            try FileManager.default.createDirectory(
                atPath: destination.removingLastComponent().string, withIntermediateDirectories: true)
            let job = PackageFetcher.Job(package: item.package, repository: item.repository, destination: destination)
            let key = job.source.description
            if let first = firstDestination[key] {
                duplicates.append((job, first))
            } else {
                firstDestination[key] = destination
                firstCopies.append(job)
            }
        }
        let fetcher = PackageFetcher(
            httpClient: httpClient, width: configuration.fetchWidth, downloadTimeout: configuration.downloadTimeout)
        let methods = try await fetcher.fetch(firstCopies)
        for (job, first) in duplicates {
            try Task.checkCancellation()
            _ = try fetcher.place(localFile: first, size: job.package.size, at: job.destination)
        }
        let counts = Dictionary(grouping: methods, by: { $0 }).mapValues(\.count)
        log.info(
            "Fetched \(firstCopies.count) package files (\(counts[.hardLink] ?? 0) hard-linked, \(counts[.copy] ?? 0) copied, "
                + "\(counts[.download] ?? 0) downloaded), linked \(duplicates.count) more into other trees")
    }

    func createRepositories(for selection: PackageSelection, layout: RepoComposeLayout, log: StepLog) async throws {
        let createrepo = CreateRepo(timeout: configuration.createrepoTimeout, workers: configuration.createrepoWorkers)
        let trees = trees(of: selection)
        for tree in trees {
            try FileManager.default.createDirectory(
                atPath: layout.createrepoLog(tree).removingLastComponent().string, withIntermediateDirectories: true)
        }
        let width = max(1, configuration.createrepoWidth)
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            func addNext() {
                guard next < trees.count else { return }
                let tree = trees[next]
                next += 1
                group.addTask {
                    try await createrepo.run(in: layout.tree(tree), log: layout.createrepoLog(tree))
                    log.info("Created repodata for \(tree)")
                }
            }
            for _ in 0..<min(width, trees.count) { addNext() }
            while try await group.next() != nil { addNext() }
        }
    }
}
