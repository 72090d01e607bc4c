import Foundation
import ODCSKoji
import ODCSVolume
import SystemPackage

/// Koji's answer to `listTaggedRPMS(tag, event, inherit, latest)`, kept on the shared volume
/// (`<target_dir>/.cache/koji`) so that every later compose of that tag at that event, on any
/// node, reads it from a file instead of asking the hub again (docs/header-cache.md).
///
/// At Fedora scale the answer is the largest part of a warm compose: for 20,000 builds and
/// 87,000 RPMs the hub sends about 140 MB of XML-RPC, which took 5.8 s to get and decode
/// (docs/benchmarks.md, "Fedora-scale Koji tags"); this file holds the same in about 10 MB and
/// reads in a fraction of that. Like the header snapshots, nothing invalidates an entry: a
/// listing at a given event never changes (Koji records tag history by event), and every
/// compose pins its event before it lists.
///
/// The file is one line per RPM (`R`) and per build (`B`), fields separated by tabs, and an
/// `end` line with the counts; it is written to a temporary name, synced and renamed, so a
/// reader sees a whole file or none. A file that does not parse is ignored (and replaced).
/// Values holding a tab or a newline (Koji's names never do) make the listing uncacheable.
struct KojiListingCache: Sendable {
    typealias Listing = (rpms: [KojiRPM], builds: [KojiBuild])

    /// `<target_dir>/.cache/koji` on the shared volume.
    var directory: FilePath
    /// The hub the listing is from (its URL).
    var hub: String

    /// Bumped when the file's layout changes.
    static let format = 1

    /// `<directory>/<2 hex>/<sha256>.listing` for this query.
    func file(tag: String, event: Int64, inherit: Bool, latest: Bool) throws -> ConfinedPath {
        try CacheFile.path(
            in: directory,
            hashing: ["odcs-koji-listing \(Self.format)", "hub \(hub)", "listTaggedRPMS \(tag)", "\(event) \(inherit) \(latest)"],
            suffix: ".listing")
    }

    /// The cached listing, or nil when there is none (or it does not parse). Blocks: call it
    /// on `BlockingIO.bulk`.
    func load(tag: String, event: Int64, inherit: Bool, latest: Bool) -> Listing? {
        guard let path = try? file(tag: tag, event: event, inherit: inherit, latest: latest),
            let data = FileManager.default.contents(atPath: path.path.string), let listing = Self.decode(data)
        else { return nil }
        CachePruner.touch(path.path)
        return listing
    }

    /// Writes the listing (temporary file, fsync, rename); false when it cannot be cached.
    /// Blocks: call it on `BlockingIO.bulk`.
    @discardableResult
    func store(_ listing: Listing, tag: String, event: Int64, inherit: Bool, latest: Bool) -> Bool {
        guard let text = Self.encode(listing), let path = try? file(tag: tag, event: event, inherit: inherit, latest: latest)
        else { return false }
        return CacheFile.write(text, to: path.path)
    }

    static func encode(_ listing: Listing) -> String? {
        var text = "odcs-koji-listing \(format)\n"
        func field(_ value: String) -> String? { value.contains(where: { $0 == "\t" || $0 == "\n" || $0 == "\r" }) ? nil : value }
        func optional(_ value: String?) -> String? { value.map(field) ?? "-" }
        for rpm in listing.rpms {
            guard let name = field(rpm.name), let version = field(rpm.version), let release = field(rpm.release),
                let arch = field(rpm.arch), let hash = field(rpm.payloadhash)
            else { return nil }
            text += "R\t\(rpm.id)\t\(rpm.buildID)\t\(name)\t\(version)\t\(release)\t\(rpm.epoch.map(String.init) ?? "-")\t"
            text += "\(arch)\t\(rpm.size)\t\(hash)\n"
        }
        for build in listing.builds {
            // A listing's builds carry no `extra`: a module's metadata is never in one.
            guard build.module == nil, let name = field(build.name), let version = field(build.version),
                let release = field(build.release), let volume = optional(build.volumeName), let tag = optional(build.tagName),
                volume != "-" || build.volumeName == nil, tag != "-" || build.tagName == nil
            else { return nil }
            text += "B\t\(build.id)\t\(name)\t\(version)\t\(release)\t\(build.epoch.map(String.init) ?? "-")\t\(volume)\t\(tag)\n"
        }
        text += "end\t\(listing.rpms.count)\t\(listing.builds.count)\n"
        return text
    }

    /// Parses a listing file; nil unless it is whole and well formed. Scans the bytes in place
    /// (a Fedora tag's file is 10 MB; splitting it as `Data` slices cost a quarter second).
    static func decode(_ data: Data) -> Listing? {
        data.withUnsafeBytes { raw -> Listing? in
            let bytes = raw.bindMemory(to: UInt8.self)
            var position = 0
            /// The fields of the next line, which must end in a newline; nil at the end or when
            /// the last line has none.
            func nextLine(into fields: inout [String]) -> Bool {
                guard position < bytes.count else { return false }
                fields.removeAll(keepingCapacity: true)
                var fieldStart = position
                while position < bytes.count {
                    let byte = bytes[position]
                    if byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n") {
                        fields.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[fieldStart..<position]), as: UTF8.self))
                        fieldStart = position + 1
                        if byte == UInt8(ascii: "\n") {
                            position += 1
                            return true
                        }
                    }
                    position += 1
                }
                return false
            }
            var fields: [String] = []
            fields.reserveCapacity(10)
            guard nextLine(into: &fields), fields == ["odcs-koji-listing \(format)"] else { return nil }
            var rpms: [KojiRPM] = []
            var builds: [KojiBuild] = []
            while nextLine(into: &fields) {
                func int(_ index: Int) -> Int64? { Int64(fields[index]) }
                func optionalInt(_ index: Int) -> Int64?? { fields[index] == "-" ? .some(nil) : int(index).map { .some($0) } }
                func optional(_ index: Int) -> String? { fields[index] == "-" ? nil : fields[index] }
                switch fields.first {
                case "R":
                    guard fields.count == 10, let id = int(1), let buildID = int(2), let epoch = optionalInt(6), let size = int(8)
                    else { return nil }
                    rpms.append(
                        KojiRPM(
                            id: id, buildID: buildID, name: fields[3], version: fields[4], release: fields[5], epoch: epoch,
                            arch: fields[7], size: size, payloadhash: fields[9]))
                case "B":
                    guard fields.count == 8, let id = int(1), let epoch = optionalInt(5) else { return nil }
                    var build = KojiBuild(
                        id: id, name: fields[2], version: fields[3], release: fields[4], epoch: epoch, volumeName: optional(6))
                    build.tagName = optional(7)
                    builds.append(build)
                case "end":
                    guard fields.count == 3, int(1) == Int64(rpms.count), int(2) == Int64(builds.count), position == bytes.count
                    else { return nil }
                    return (rpms, builds)
                default:
                    return nil
                }
            }
            return nil
        }
    }
}
