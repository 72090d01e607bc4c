import Foundation
import ODCSKoji

/// The data of a `KojiTestHub`: tags with inheritance, builds and their RPMs, tag listings and
/// signatures, each change at a new event, so that "latest", inheritance and event pinning
/// behave as in Koji. Codable, so that a fixture can be saved for the `koji-test-hub` tool.
///
///     var data = KojiHubData()
///     let base = data.addTag("rig-base")
///     let tag = data.addTag("rig-tag", parents: ["rig-base"])
///     let build = data.addBuild(name: "foo", version: "1.1", release: "1", rpms: [...])
///     data.tagBuild(build, into: "rig-tag")       // a new event
public struct KojiHubData: Codable, Sendable {
    public struct Event: Codable, Sendable { public var id: Int64; public var ts: Double }
    public struct Tag: Codable, Sendable { public var id: Int64; public var name: String; public var arches: String? }
    public struct Inheritance: Codable, Sendable {
        public var child: Int64
        public var parent: Int64
        public var priority: Int64
        public var createEvent: Int64
        public var revokeEvent: Int64?
    }
    public struct Build: Codable, Sendable {
        public var id: Int64
        public var name: String
        public var version: String
        public var release: String
        public var epoch: Int64?
        public var volume: String?
        /// A module build (Koji build type `module`): its `extra.typeinfo.module`.
        public var module: Module?
        public var nvr: String { "\(name)-\(version)-\(release)" }
    }
    /// What Koji keeps of a module build, as MBS writes it into the build's `extra`.
    public struct Module: Codable, Sendable {
        public var name: String
        public var stream: String
        public var version: String
        public var context: String
        public var modulemd: String
        /// The tag holding the module's RPMs (`module-<name>-<stream>-<version>-<context>`).
        public var contentTag: String
    }
    public struct RPM: Codable, Sendable {
        public var id: Int64
        public var build: Int64
        public var name: String
        public var arch: String
        public var size: Int64
        public var payloadhash: String
    }
    public struct Listing: Codable, Sendable {
        public var tag: Int64
        public var build: Int64
        public var createEvent: Int64
        public var revokeEvent: Int64?
    }
    public struct Signature: Codable, Sendable {
        public var rpm: Int64
        public var sigkey: String
    }
    /// A file kept with a build besides its RPMs (`listArchives`), under the build's
    /// `files/<btype>/` on the volume: a module build's `modulemd.<arch>.txt`.
    public struct Archive: Codable, Sendable {
        public var id: Int64
        public var build: Int64
        public var filename: String
        public var btype: String
        public var size: Int64
        public var checksum: String
    }

    /// A tag's repository (Koji's `repo` table): made by `addRepo` at a new event; its files
    /// are the caller's to write (`KojiFixture.regenerateRepo`).
    public struct Repo: Codable, Sendable {
        public var id: Int64
        public var tag: Int64
        public var createEvent: Int64
    }

    public var events: [Event] = []
    public var tags: [Tag] = []
    public var inheritance: [Inheritance] = []
    public var builds: [Build] = []
    public var rpms: [RPM] = []
    public var listings: [Listing] = []
    public var signatures: [Signature] = []
    public var archives: [Archive] = []
    /// nil in fixtures saved before repositories were recorded.
    public var repos: [Repo]?

    public init() {
        _ = newEvent()
    }

    public var lastEvent: Int64 { events.last?.id ?? 0 }

    @discardableResult
    public mutating func newEvent() -> Int64 {
        let id = lastEvent + 1
        events.append(Event(id: id, ts: 1_795_700_000 + Double(id) * 10.5))
        return id
    }

    @discardableResult
    public mutating func addTag(_ name: String, parents: [String] = [], arches: String? = nil) -> Int64 {
        let id = Int64(tags.count + 1)
        tags.append(Tag(id: id, name: name, arches: arches))
        let event = newEvent()
        for (index, parent) in parents.enumerated() {
            inheritance.append(
                Inheritance(child: id, parent: tag(named: parent)!.id, priority: Int64(index * 10), createEvent: event))
        }
        return id
    }

    /// A build and its RPMs; `rpms` are (name, arch, size, payloadhash).
    @discardableResult
    public mutating func addBuild(
        name: String, version: String, release: String, epoch: Int64? = nil,
        rpms files: [(name: String, arch: String, size: Int64, payloadhash: String)]
    ) -> Int64 {
        let id = Int64(builds.count + 1)
        builds.append(Build(id: id, name: name, version: version, release: release, epoch: epoch, volume: nil))
        for file in files {
            rpms.append(
                RPM(id: Int64(rpms.count + 1), build: id, name: file.name, arch: file.arch, size: file.size, payloadhash: file.payloadhash))
        }
        newEvent()
        return id
    }

    /// A module build as MBS imports it into Koji: named after the module, the stream as its
    /// version (`-` → `_`), `<version>.<context>` as its release, no RPMs of its own.
    @discardableResult
    public mutating func addModuleBuild(
        name: String, stream: String, version: Int64, context: String, modulemd: String, contentTag: String
    ) -> Int64 {
        let id = Int64(builds.count + 1)
        let module = Module(
            name: name, stream: stream, version: String(version), context: context, modulemd: modulemd, contentTag: contentTag)
        builds.append(
            Build(
                id: id, name: name, version: stream.replacingOccurrences(of: "-", with: "_"), release: "\(version).\(context)",
                epoch: nil, volume: nil, module: module))
        newEvent()
        return id
    }

    /// Tags the build at a new event and returns the event.
    @discardableResult
    public mutating func tagBuild(_ build: Int64, into tagName: String) -> Int64 {
        let event = newEvent()
        listings.append(Listing(tag: tag(named: tagName)!.id, build: build, createEvent: event))
        return event
    }

    @discardableResult
    public mutating func untagBuild(_ build: Int64, from tagName: String) -> Int64 {
        let event = newEvent()
        let tagID = tag(named: tagName)!.id
        for index in listings.indices
        where listings[index].tag == tagID && listings[index].build == build && listings[index].revokeEvent == nil {
            listings[index].revokeEvent = event
        }
        return event
    }

    /// Records an archive of the build (its file is the caller's to write); no event, as a
    /// content generator import adds the archives with the build.
    public mutating func addArchive(build: Int64, filename: String, btype: String, size: Int64, checksum: String) {
        archives.append(
            Archive(id: Int64(archives.count + 1), build: build, filename: filename, btype: btype, size: size, checksum: checksum))
    }

    /// Records a ready repository of the tag at a new event (Koji's `repo_init`), numbered
    /// after the last one unless `id` is given.
    public mutating func addRepo(tag tagName: String, id: Int64? = nil) -> Repo {
        let number = id ?? ((repos ?? []).map(\.id).max() ?? 0) + 1
        let repo = Repo(id: number, tag: tag(named: tagName)!.id, createEvent: newEvent())
        repos = (repos ?? []) + [repo]
        return repo
    }

    /// Koji's `getRepo`: the tag's newest repository created at or before `event` (any event
    /// when nil).
    func repo(ofTag tagID: Int64, event: Int64?) -> Repo? {
        (repos ?? []).filter { $0.tag == tagID && $0.createEvent <= (event ?? .max) }.max { $0.createEvent < $1.createEvent }
    }

    /// Signing writes no event in Koji, so it writes none here.
    public mutating func addSignature(rpm: Int64, sigkey: String) {
        signatures.append(Signature(rpm: rpm, sigkey: sigkey.lowercased()))
    }

    public func tag(named name: String) -> Tag? { tags.first { $0.name == name } }
    public func tag(id: Int64) -> Tag? { tags.first { $0.id == id } }
    /// Builds are numbered from 1 in the order added, so the id is the index; the scan is for
    /// data made otherwise (a fixture saved by another generator).
    public func build(id: Int64) -> Build? {
        if id >= 1, id <= builds.count, builds[Int(id - 1)].id == id { return builds[Int(id - 1)] }
        return builds.first { $0.id == id }
    }
    public func build(nvr: String) -> Build? { builds.first { $0.nvr == nvr } }

    static func isActive(create: Int64, revoke: Int64?, at event: Int64) -> Bool {
        create <= event && (revoke.map { $0 > event } ?? true)
    }

    /// Direct parents at `event`, by priority.
    func parents(of tag: Int64, at event: Int64) -> [Inheritance] {
        inheritance.filter { $0.child == tag && Self.isActive(create: $0.createEvent, revoke: $0.revokeEvent, at: event) }
            .sorted { $0.priority < $1.priority }
    }

    /// Koji's `readFullInheritance`: depth first, parents by priority, each tag once.
    func fullInheritance(of tag: Int64, at event: Int64) -> [(link: Inheritance, depth: Int64)] {
        var seen: Set<Int64> = [tag]
        var result: [(Inheritance, Int64)] = []
        func walk(_ child: Int64, depth: Int64) {
            for link in parents(of: child, at: event) where seen.insert(link.parent).inserted {
                result.append((link, depth))
                walk(link.parent, depth: depth + 1)
            }
        }
        walk(tag, depth: 1)
        return result
    }

    /// Koji's `readTaggedBuilds`: the tag then (with `inherit`) its inheritance in order; in
    /// each tag the most recently tagged first; with `latest`, the first build seen of each
    /// package, so a child tag's build hides an inherited one.
    func taggedBuilds(tag: Int64, event: Int64, inherit: Bool, latest: Bool) -> [(build: Build, tag: Tag, listing: Listing)] {
        let order = [tag] + (inherit ? fullInheritance(of: tag, at: event).map(\.link.parent) : [])
        var seen = Set<String>()
        var result: [(Build, Tag, Listing)] = []
        for tagID in order {
            let active = listings.enumerated().filter {
                $0.element.tag == tagID && Self.isActive(create: $0.element.createEvent, revoke: $0.element.revokeEvent, at: event)
            }
            .sorted { ($0.element.createEvent, $0.offset) > ($1.element.createEvent, $1.offset) }
            for (_, listing) in active {
                guard let build = build(id: listing.build) else { continue }
                if latest, !seen.insert(build.name).inserted { continue }
                result.append((build, self.tag(id: tagID)!, listing))
            }
        }
        return result
    }

    func changed(since event: Int64, tags tagIDs: [Int64]) -> Bool {
        let ids = Set(tagIDs)
        let listingChanged = listings.contains {
            ids.contains($0.tag) && ($0.createEvent > event || ($0.revokeEvent.map { $0 > event } ?? false))
        }
        let inheritanceChanged = inheritance.contains {
            ids.contains($0.child) && ($0.createEvent > event || ($0.revokeEvent.map { $0 > event } ?? false))
        }
        return listingChanged || inheritanceChanged
    }
}

/// The hub's answers, field for field as Koji's hub spells them.
extension KojiHubData {
    func value(_ event: Event) -> XMLRPCValue { .struct([("id", .int(event.id)), ("ts", .double(event.ts))]) }

    func value(_ repo: Repo) -> XMLRPCValue {
        let tag = tag(id: repo.tag)!
        let ts = events.first { $0.id == repo.createEvent }?.ts ?? 0
        return .struct([
            ("id", .int(repo.id)), ("state", .int(1)), ("create_event", .int(repo.createEvent)), ("create_ts", .double(ts)),
            ("creation_time", .string(ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: ts)))),
            ("tag_id", .int(tag.id)), ("tag_name", .string(tag.name)), ("dist", .bool(false)), ("task_id", .nil),
        ])
    }

    func value(_ tag: Tag) -> XMLRPCValue {
        .struct([
            ("id", .int(tag.id)), ("name", .string(tag.name)), ("arches", tag.arches.map { .string($0) } ?? .nil),
            ("perm", .nil), ("perm_id", .nil), ("locked", .bool(false)), ("maven_support", .bool(false)),
            ("maven_include_all", .bool(false)), ("extra", .struct([])),
        ])
    }

    func value(_ link: Inheritance, depth: Int64?) -> XMLRPCValue {
        var members: [(String, XMLRPCValue)] = [
            ("child_id", .int(link.child)), ("parent_id", .int(link.parent)), ("name", .string(tag(id: link.parent)?.name ?? "")),
            ("priority", .int(link.priority)), ("maxdepth", .nil), ("intransitive", .bool(false)), ("noconfig", .bool(false)),
            ("pkg_filter", .string("")),
        ]
        if let depth {
            members += [("currdepth", .int(depth)), ("filter", .array([])), ("nextdepth", .nil), ("tag_id", .int(link.child))]
        }
        return .struct(members)
    }

    func value(_ build: Build, listing: (tag: Tag, listing: Listing)? = nil) -> XMLRPCValue {
        var members: [(String, XMLRPCValue)] = [
            ("build_id", .int(build.id)), ("id", .int(build.id)), ("name", .string(build.name)),
            ("package_name", .string(build.name)), ("package_id", .int(build.id * 1000)), ("version", .string(build.version)),
            ("release", .string(build.release)), ("epoch", build.epoch.map { .int($0) } ?? .nil), ("nvr", .string(build.nvr)),
            ("state", .int(1)), ("owner_name", .string("fixture")), ("volume_name", .string(build.volume ?? "DEFAULT")),
            ("volume_id", .int(0)), ("draft", .bool(false)), ("extra", build.module.map(Self.extra) ?? .nil), ("task_id", .nil),
        ]
        if let listing {
            members += [
                ("tag_name", .string(listing.tag.name)), ("tag_id", .int(listing.tag.id)),
                ("create_event", .int(listing.listing.createEvent)),
            ]
        }
        return .struct(members)
    }

    /// A module build's `extra`, as MBS sets it.
    static func extra(_ module: Module) -> XMLRPCValue {
        .struct([
            (
                "typeinfo",
                .struct([
                    (
                        "module",
                        .struct([
                            ("name", .string(module.name)), ("stream", .string(module.stream)), ("version", .string(module.version)),
                            ("context", .string(module.context)), ("modulemd_str", .string(module.modulemd)),
                            ("content_koji_tag", .string(module.contentTag)), ("module_build_service_id", .int(1)),
                        ])
                    )
                ])
            )
        ])
    }

    /// An archive as `listArchives` answers it: `btype` is the build type (`module`), the
    /// archive type comes from the file's extension (`txt` for modulemd files).
    func value(_ archive: Archive) -> XMLRPCValue {
        .struct([
            ("id", .int(archive.id)), ("build_id", .int(archive.build)), ("filename", .string(archive.filename)),
            ("size", .int(archive.size)), ("checksum", .string(archive.checksum)), ("checksum_type", .int(0)),
            ("type_id", .int(archive.btype == "module" ? 48 : 0)), ("type_name", .string(archive.btype == "module" ? "txt" : "")),
            ("type_description", .string("Text file")), ("type_extensions", .string("txt")), ("buildroot_id", .nil),
            ("btype", .string(archive.btype)), ("btype_id", .int(archive.btype == "module" ? 4 : 0)), ("metadata_only", .bool(false)),
            ("compressed_size", .nil), ("extra", .nil),
        ])
    }

    func value(_ rpm: RPM) -> XMLRPCValue {
        let build = build(id: rpm.build)!
        return .struct([
            ("id", .int(rpm.id)), ("build_id", .int(rpm.build)), ("name", .string(rpm.name)), ("version", .string(build.version)),
            ("release", .string(build.release)), ("epoch", build.epoch.map { .int($0) } ?? .nil), ("arch", .string(rpm.arch)),
            ("size", .int(rpm.size)), ("payloadhash", .string(rpm.payloadhash)), ("buildtime", .int(1_795_700_000)),
            ("buildroot_id", .nil), ("external_repo_id", .int(0)), ("external_repo_name", .string("INTERNAL")),
            ("metadata_only", .bool(false)), ("draft", .bool(false)), ("extra", .nil),
        ])
    }
}
