import Foundation
import Hummingbird
import ODCSCore
import ODCSStore
import ODCSVolume

extension WebRoutes {
    func detail(_ context: ODCSRequestContext) async throws -> Response {
        guard let text = context.parameters.get("id"), !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }),
            let id = Int64(text)
        else { return errorPage(.notFound, "There is no such compose.") }
        guard let compose = try await store.compose(id: id) else { return errorPage(.notFound, "There is no compose \(id).") }

        let active = compose.state == .wait || compose.state == .generating
        var page = makePage(
            title: "Compose \(compose.id)", refreshSeconds: active ? Self.activeRefreshSeconds : Self.finishedRefreshSeconds)
        page.raw("<p>State: <strong class=\"state-\(compose.state.name)\">\(compose.state.name)</strong>")
        if let reason = compose.stateReason, !reason.isEmpty {
            page.raw(" — ")
            page.text(reason)
        }
        page.raw("</p>\n<h2>Links</h2>\n<ul>\n")
        // The volume is looked at on BlockingIO's threads: a slow mount must not stall the API.
        let (hasDirectory, logs) = try await BlockingIO.lookup.run { (composeDirectory(compose) != nil, logFiles(compose)) }
        for (label, url) in links(compose, hasDirectory: hasDirectory) {
            page.raw("<li>")
            page.text(label)
            page.raw(": ")
            page.link(url, url)
            page.raw("</li>\n")
        }
        page.raw("</ul>\n")
        if !logs.isEmpty {
            page.raw("<h2>Log files</h2>\n<ul>\n")
            for log in logs {
                page.raw("<li>")
                page.link(fileURL(compose, log), log)
                page.raw("</li>\n")
            }
            page.raw("</ul>\n")
        }
        page.raw("<h2>Fields</h2>\n<table>\n<caption class=\"visually-hidden\">Fields of compose \(compose.id)</caption>\n<tbody>\n")
        for (name, value) in fields(compose) {
            page.raw("<tr><th scope=\"row\">\(name)</th><td class=\"wrap\">")
            if name == "reused_id", let reused = compose.reusedID {
                page.link("/ui/composes/\(reused)", String(reused))
            } else {
                page.text(value)
            }
            page.raw("</td></tr>\n")
        }
        page.raw("</tbody>\n</table>\n")
        return page.response()
    }

    /// The compose's directory, when it is in the default target dir and exists on disk
    /// (a compose still waiting, failed before publishing, or removed has none).
    func composeDirectory(_ compose: Compose) -> String? {
        guard configuration.renderer.isDefaultTargetDir(compose) else { return nil }
        let path = configuration.renderer.defaultTargetDir + "/" + compose.name
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else { return nil }
        return path
    }

    /// The URL of a file in the compose's directory: through this node's `/composes/` when it
    /// serves the target dir, else under `target_dir_url`.
    func fileURL(_ compose: Compose, _ relativePath: String) -> String {
        let path = ([compose.name] + relativePath.split(separator: "/").map(String.init)).map(URLPath.escape).joined(separator: "/")
        if configuration.servedTargetDir != nil { return "/composes/" + path }
        let base = configuration.renderer.targetDirURL
        return (base.hasSuffix("/") ? base : base + "/") + path
    }

    func links(_ compose: Compose, hasDirectory: Bool) -> [(String, String)] {
        var links: [(String, String)] = [("JSON", "/api/1/composes/\(compose.id)")]
        guard hasDirectory else { return links }
        links.append(("Compose directory", fileURL(compose, "") + "/"))
        let repo = configuration.renderer.resultRepo(compose)
        if compose.state == .done, !repo.isEmpty {
            links.append(("Repository", repo + "/"))
            links.append((".repo file", configuration.renderer.resultRepofile(compose)))
        }
        return links
    }

    /// Log files in the compose directory (`*.log` at its top and under `logs/`), as paths
    /// relative to it, sorted.
    func logFiles(_ compose: Compose) -> [String] {
        guard let directory = composeDirectory(compose) else { return [] }
        var found: [String] = []
        let manager = FileManager.default
        for name in (try? manager.contentsOfDirectory(atPath: directory)) ?? [] where name.hasSuffix(".log") {
            found.append(name)
        }
        if let walker = manager.enumerator(atPath: directory + "/logs") {
            while let relative = walker.nextObject() as? String, found.count < Self.maximumLogFiles {
                guard relative.hasSuffix(".log") else { continue }
                var isDirectory: ObjCBool = false
                if manager.fileExists(atPath: directory + "/logs/" + relative, isDirectory: &isDirectory), !isDirectory.boolValue {
                    found.append("logs/" + relative)
                }
            }
        }
        return found.sorted()
    }

    static let maximumLogFiles = 200

    func fields(_ compose: Compose) -> [(String, String)] {
        func time(_ date: Date?) -> String { date.map(ComposeTime.format) ?? "" }
        func number<T: BinaryInteger>(_ value: T?) -> String { value.map { String($0) } ?? "" }
        return [
            ("owner", compose.owner), ("source_type", compose.sourceType.name), ("source", compose.source),
            ("packages", compose.packages ?? ""), ("builds", compose.builds ?? ""), ("sigkeys", compose.sigkeys ?? ""),
            ("arches", compose.arches ?? ""), ("flags", compose.flags.names.joined(separator: " ")),
            ("results", compose.results.names.joined(separator: " ")), ("koji_event", number(compose.kojiEvent)),
            ("label", compose.label ?? ""), ("compose_type", compose.composeType ?? ""),
            ("lookaside_repos", compose.lookasideRepos ?? ""), ("modular_koji_tags", compose.modularKojiTags ?? ""),
            ("multilib_arches", compose.multilibArches ?? ""), ("reused_id", number(compose.reusedID)),
            ("pungi_compose_id", compose.pungiComposeID ?? ""), ("target_dir", configuration.renderer.targetDirName(compose)),
            ("time_submitted", time(compose.timeSubmitted)), ("time_started", time(compose.timeStarted)),
            ("time_done", time(compose.timeDone)), ("time_to_expire", time(compose.timeToExpire)),
            ("time_removed", time(compose.timeRemoved)), ("removed_by", compose.removedBy ?? ""),
        ]
    }
}

/// Percent-encoding of one URL path segment.
enum URLPath {
    static func escape(_ segment: String) -> String {
        var out = ""
        for byte in segment.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "+"), UInt8(ascii: ","),
                UInt8(ascii: "="), UInt8(ascii: "@"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count < 2 ? "0" : "") + hex
            }
        }
        return out
    }
}
