import Foundation
import Hummingbird
import ODCSCore

/// The HTML index of one directory under `/composes/`. Entries are sorted by last modified,
/// oldest first, by default — the operations guide finds the oldest composes that way when
/// the disk fills up; `?sort=` picks another order (`-modified`, `name`, `-name`, `size`,
/// `-size`), and the column headings link to them.
struct DirectoryListing {
    struct Entry: Equatable {
        var name: String
        var isDirectory: Bool
        var size: Int64
        var modified: Int64
    }

    enum Key: String {
        case modified, name, size
    }

    struct Order: Equatable {
        var key: Key = .modified
        var descending = false

        init(key: Key = .modified, descending: Bool = false) {
            self.key = key
            self.descending = descending
        }

        init(query items: [(name: String, value: String)]) {
            guard var text = items.first(where: { $0.name == "sort" })?.value else { return }
            if text.hasPrefix("-") {
                descending = true
                text.removeFirst()
            }
            guard let key = Key(rawValue: text) else {
                descending = false
                return
            }
            self.key = key
        }

        var parameter: String { (descending ? "-" : "") + key.rawValue }

        /// Entries in this order; ties (same second) fall back to the name, so the order is stable.
        func sorted(_ entries: [Entry]) -> [Entry] {
            entries.sorted { left, right in
                let ascending: Bool
                switch key {
                case .modified where left.modified != right.modified: ascending = left.modified < right.modified
                case .size where left.size != right.size: ascending = left.size < right.size
                default:
                    if left.name == right.name { return false }
                    ascending = left.name < right.name
                }
                return descending ? !ascending : ascending
            }
        }
    }

    /// The resolved directory.
    var directory: String
    /// The request's path, ending in `/`, as the browser sent it.
    var urlPath: String
    var isRoot: Bool
    var order: Order

    /// The entries a client may follow: hidden top-level entries and symlinks that lead
    /// outside the target dir (or nowhere) are left out.
    func entries(base: String) -> [Entry]? {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return nil }
        return names.compactMap { name in
            if isRoot, name.hasPrefix(".") { return nil }
            guard let resolved = TargetDirFiles.realPath(directory + "/" + name), TargetDirFiles.isInside(resolved, base: base) else {
                return nil
            }
            guard let status = FileStatus(resolved), status.kind != .other else { return nil }
            return Entry(name: name, isDirectory: status.kind == .directory, size: status.size, modified: status.modified)
        }
    }

    /// The page listing `entries` (from `entries(base:)`, read on BlockingIO's threads).
    func response(_ entries: [Entry]) -> Response {
        var page = HTMLPage(title: "Index of " + (urlPath.removingPercentEncoding ?? urlPath), servesFiles: true)
        page.raw("<p class=\"note\">Sorted by \(order.key.rawValue), \(order.descending ? "descending" : "ascending").</p>\n")
        page.raw("<table>\n<caption class=\"visually-hidden\">Directory entries</caption>\n<thead><tr>")
        for (key, label) in [(Key.name, "Name"), (.modified, "Last modified"), (.size, "Size")] {
            // A heading links to its ascending order, or to the descending one when already ascending.
            let next = Order(key: key, descending: order.key == key && !order.descending)
            let current = order.key == key ? " aria-sort=\"\(order.descending ? "descending" : "ascending")\"" : ""
            page.raw("<th scope=\"col\"\(current)><a href=\"?sort=\(next.parameter)\">\(label)</a></th>")
        }
        page.raw("</tr></thead>\n<tbody>\n")
        if !isRoot { page.raw("<tr><td><a href=\"../\">../</a></td><td></td><td></td></tr>\n") }
        for entry in order.sorted(entries) {
            let display = entry.name + (entry.isDirectory ? "/" : "")
            page.raw("<tr><td>")
            page.link("./" + URLPath.escape(entry.name) + (entry.isDirectory ? "/" : ""), display)
            page.raw("</td><td>\(DirectoryListing.timestamp(entry.modified))</td>")
            page.raw("<td class=\"num\">\(entry.isDirectory ? "-" : String(entry.size))</td></tr>\n")
        }
        page.raw("</tbody>\n</table>\n")
        return page.response()
    }

    /// `2026-11-27 13:05:09`, UTC.
    static func timestamp(_ seconds: Int64) -> String {
        let iso = ComposeTime.format(Date(timeIntervalSince1970: TimeInterval(seconds)))
        return String(iso.dropLast().map { $0 == "T" ? " " : $0 })
    }
}
