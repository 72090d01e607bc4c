import Foundation

/// A Koji event: every change to the hub's data happens at one; `id` pins a consistent view.
public struct KojiEvent: Sendable, Equatable {
    public var id: Int64
    /// Seconds since the epoch.
    public var timestamp: Double

    public init(id: Int64, timestamp: Double) {
        self.id = id
        self.timestamp = timestamp
    }

    init(_ value: XMLRPCValue) throws(KojiError) {
        guard let id = value["id"]?.intValue else { throw .malformedResponse("an event needs an integer id") }
        self.init(id: id, timestamp: value["ts"]?.doubleValue ?? 0)
    }
}

public struct KojiTag: Sendable, Equatable {
    public var id: Int64
    public var name: String
    /// Space-separated, as Koji stores it; nil when the tag sets none.
    public var arches: String?

    public init(id: Int64, name: String, arches: String? = nil) {
        self.id = id
        self.name = name
        self.arches = arches
    }

    init(_ value: XMLRPCValue) throws(KojiError) {
        guard let id = value["id"]?.intValue, let name = value["name"]?.stringValue else {
            throw .malformedResponse("a tag needs an integer id and a name")
        }
        self.init(id: id, name: name, arches: value["arches"]?.stringValue)
    }
}

/// A Koji repository of a tag (`getRepo`): the tag's latest builds, with inheritance, at
/// `createEvent`, written as yum metadata per arch under `<topurl>/repos/<tag>/<id>/<arch>/`
/// by Koji's repo regeneration.
public struct KojiRepo: Sendable, Equatable {
    public var id: Int64
    public var createEvent: Int64
    /// Koji's repo state: 0 init, 1 ready, 2 expired, 3 deleted, 4 problem.
    public var state: Int64

    public init(id: Int64, createEvent: Int64, state: Int64 = 1) {
        self.id = id
        self.createEvent = createEvent
        self.state = state
    }

    init(_ value: XMLRPCValue) throws(KojiError) {
        guard let id = value["id"]?.intValue, let event = value["create_event"]?.intValue else {
            throw .malformedResponse("a repo needs an integer id and create_event")
        }
        self.init(id: id, createEvent: event, state: value["state"]?.intValue ?? 1)
    }
}

/// One link of a tag's inheritance (`getInheritanceData`, `getFullInheritance`).
public struct KojiInheritanceLink: Sendable, Equatable {
    public var childID: Int64
    public var parentID: Int64
    public var name: String
    public var priority: Int64
    /// Depth below the queried tag (`getFullInheritance` only; 1 for direct parents).
    public var depth: Int64?

    public init(childID: Int64, parentID: Int64, name: String, priority: Int64, depth: Int64? = nil) {
        self.childID = childID
        self.parentID = parentID
        self.name = name
        self.priority = priority
        self.depth = depth
    }

    init(_ value: XMLRPCValue, queriedTag: Int64?) throws(KojiError) {
        guard let parent = value["parent_id"]?.intValue else { throw .malformedResponse("an inheritance link needs parent_id") }
        let child = value["child_id"]?.intValue ?? value["tag_id"]?.intValue ?? queriedTag ?? 0
        self.init(
            childID: child, parentID: parent, name: value["name"]?.stringValue ?? "", priority: value["priority"]?.intValue ?? 0,
            depth: value["currdepth"]?.intValue)
    }
}

public struct KojiBuild: Sendable, Equatable {
    public var id: Int64
    /// The package name.
    public var name: String
    public var version: String
    public var release: String
    public var epoch: Int64?
    /// `DEFAULT` unless the build lives on another volume (`<topdir>/vol/<volume>/packages/...`).
    public var volumeName: String?
    /// A module build's `extra.typeinfo.module` (only `getBuild` answers a build's `extra`).
    public var module: KojiModule?
    /// The tag a listing found the build in (`listTagged`, `listTaggedRPMS`).
    public var tagName: String?

    public init(
        id: Int64, name: String, version: String, release: String, epoch: Int64? = nil, volumeName: String? = nil,
        module: KojiModule? = nil
    ) {
        self.id = id
        self.name = name
        self.version = version
        self.release = release
        self.epoch = epoch
        self.volumeName = volumeName
        self.module = module
    }

    public var nvr: String { "\(name)-\(version)-\(release)" }

    init(_ value: XMLRPCValue) throws(KojiError) {
        guard let id = value["build_id"]?.intValue ?? value["id"]?.intValue,
            let name = value["package_name"]?.stringValue ?? value["name"]?.stringValue,
            let version = value["version"]?.stringValue, let release = value["release"]?.stringValue
        else { throw .malformedResponse("a build needs id, name, version and release") }
        var module: KojiModule? = nil
        if let typeinfo = value["extra"]?["typeinfo"]?["module"] { module = try KojiModule(typeinfo) }
        self.init(
            id: id, name: name, version: version, release: release, epoch: value["epoch"]?.intValue,
            volumeName: value["volume_name"]?.stringValue, module: module)
        tagName = value["tag_name"]?.stringValue
    }
}

/// What the Module Build Service records in a module build's `extra.typeinfo.module`.
public struct KojiModule: Sendable, Equatable {
    public var name: String
    public var stream: String
    public var version: String
    public var context: String
    /// The module's modulemd document (YAML).
    public var modulemd: String
    /// The tag holding the module's RPMs.
    public var contentTag: String

    public init(name: String, stream: String, version: String, context: String, modulemd: String, contentTag: String) {
        self.name = name
        self.stream = stream
        self.version = version
        self.context = context
        self.modulemd = modulemd
        self.contentTag = contentTag
    }

    public var nsvc: String { "\(name):\(stream):\(version):\(context)" }

    init(_ value: XMLRPCValue) throws(KojiError) {
        guard let name = value["name"]?.stringValue, let stream = value["stream"]?.stringValue,
            let version = value["version"]?.stringValue ?? value["version"]?.intValue.map(String.init),
            let context = value["context"]?.stringValue, let modulemd = value["modulemd_str"]?.stringValue
        else { throw .malformedResponse("a module build's typeinfo needs name, stream, version, context and modulemd_str") }
        self.init(
            name: name, stream: stream, version: version, context: context, modulemd: modulemd,
            contentTag: value["content_koji_tag"]?.stringValue ?? "")
    }
}

public struct KojiRPM: Sendable, Equatable, Hashable {
    public var id: Int64
    public var buildID: Int64
    public var name: String
    public var version: String
    public var release: String
    public var epoch: Int64?
    public var arch: String
    /// Of the unsigned file.
    public var size: Int64
    /// The MD5 of header and payload (rpm's SIGMD5), the same for the unsigned file and every
    /// signed copy.
    public var payloadhash: String

    public init(
        id: Int64, buildID: Int64, name: String, version: String, release: String, epoch: Int64? = nil, arch: String, size: Int64,
        payloadhash: String
    ) {
        self.id = id
        self.buildID = buildID
        self.name = name
        self.version = version
        self.release = release
        self.epoch = epoch
        self.arch = arch
        self.size = size
        self.payloadhash = payloadhash
    }

    public var nvra: String { "\(name)-\(version)-\(release).\(arch)" }
    public var fileName: String { "\(nvra).rpm" }
    public var isSource: Bool { arch == "src" || arch == "nosrc" }

    init(_ value: XMLRPCValue) throws(KojiError) {
        guard let id = value["id"]?.intValue, let build = value["build_id"]?.intValue, let name = value["name"]?.stringValue,
            let version = value["version"]?.stringValue, let release = value["release"]?.stringValue,
            let arch = value["arch"]?.stringValue
        else { throw .malformedResponse("an rpm needs id, build_id, name, version, release and arch") }
        self.init(
            id: id, buildID: build, name: name, version: version, release: release, epoch: value["epoch"]?.intValue, arch: arch,
            size: value["size"]?.intValue ?? -1, payloadhash: value["payloadhash"]?.stringValue ?? "")
    }
}

/// Where Koji keeps a build's files, under its top directory or top URL (`koji.PathInfo`).
public struct KojiPathInfo: Sendable {
    /// A directory (`/mnt/koji`) or a URL (`https://kojipkgs.example.com`), no trailing slash.
    public var top: String

    public init(top: String) {
        var top = top
        while top.count > 1 && top.hasSuffix("/") { top.removeLast() }
        self.top = top
    }

    /// `<top>/packages/<name>/<version>/<release>`, or under `vol/<volume>/` off the default volume.
    public func buildDirectory(_ build: KojiBuild) -> String {
        let volume = build.volumeName.flatMap { $0 == "DEFAULT" || $0.isEmpty ? nil : "/vol/\($0)" } ?? ""
        return "\(top)\(volume)/packages/\(build.name)/\(build.version)/\(build.release)"
    }

    /// The unsigned file, relative to the build directory: `<arch>/<nvra>.rpm`.
    public static func rpm(_ rpm: KojiRPM) -> String { "\(rpm.arch)/\(rpm.fileName)" }

    /// A copy signed with `sigkey` (lower-cased short key id), relative to the build directory.
    public static func signed(_ rpm: KojiRPM, sigkey: String) -> String {
        "data/signed/\(sigkey.lowercased())/\(rpm.arch)/\(rpm.fileName)"
    }

    /// One arch's directory of a tag's repository (`koji.PathInfo.repo`):
    /// `<top>/repos/<tag>/<repo id>/<arch>`, the arch by its `canonicalArch` name.
    public func repository(tag: String, id: Int64, arch: String) -> String { "\(top)/repos/\(tag)/\(id)/\(arch)" }

    /// Koji's `canonArch`: the name a repository gives an arch's directory (the i?86 family is
    /// `i386`, armv7hl `armhfp`).
    public static func canonicalArch(_ arch: String) -> String {
        switch arch {
        case "i386", "i486", "i586", "i686", "athlon", "geode": "i386"
        case "armv7hl", "armv7hnl": "armhfp"
        default: arch
        }
    }

    /// An archive of a build type (`koji.PathInfo.typedir`), relative to the build directory:
    /// `files/<btype>/<filename>`, e.g. a module build's `files/module/modulemd.x86_64.txt`.
    public static func archive(_ archive: KojiArchive) -> String { "files/\(archive.btype)/\(archive.filename)" }
}

/// A file Koji keeps with a build besides its RPMs (`listArchives`): for a module build, the
/// modulemd documents MBS imports, `modulemd.txt` and one `modulemd.<arch>.txt` per arch.
public struct KojiArchive: Sendable, Equatable {
    public var id: Int64
    public var buildID: Int64
    public var filename: String
    /// The build type the archive belongs to (`module`, `maven`, `image`, ...).
    public var btype: String
    public var size: Int64?
    public var checksum: String?
    public var checksumType: Int64?

    public init(
        id: Int64, buildID: Int64, filename: String, btype: String, size: Int64? = nil, checksum: String? = nil,
        checksumType: Int64? = nil
    ) {
        self.id = id
        self.buildID = buildID
        self.filename = filename
        self.btype = btype
        self.size = size
        self.checksum = checksum
        self.checksumType = checksumType
    }

    init(_ value: XMLRPCValue) throws(KojiError) {
        guard let id = value["id"]?.intValue, let build = value["build_id"]?.intValue, let filename = value["filename"]?.stringValue,
            let btype = value["btype"]?.stringValue
        else { throw .malformedResponse("an archive needs id, build_id, filename and btype") }
        self.init(
            id: id, buildID: build, filename: filename, btype: btype, size: value["size"]?.intValue,
            checksum: value["checksum"]?.stringValue, checksumType: value["checksum_type"]?.intValue)
    }
}
