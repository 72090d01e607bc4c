import Foundation
import ODCSTesting
import SystemPackage

/// A built fixture's hub data, saved as `<directory>/fixture.json` next to its volume
/// (`<directory>/koji`), so that `--reuse` serves it again without running rpmbuild: the
/// 2,000-package benchmark fixture takes minutes to build.
struct SavedFixture: Codable {
    /// The `--fixture` it was built for; a saved fixture of another is not reused.
    var fixture: String
    var sigkey: String
    var data: KojiHubData

    static func path(in directory: FilePath) -> FilePath { directory.appending("fixture.json") }

    /// The saved fixture in `directory` if it was built for `fixture`, else nil.
    static func load(from directory: FilePath, fixture: String) throws -> SavedFixture? {
        let path = path(in: directory)
        guard FileManager.default.fileExists(atPath: path.string) else { return nil }
        let saved = try JSONDecoder().decode(SavedFixture.self, from: Data(contentsOf: URL(fileURLWithPath: path.string)))
        return saved.fixture == fixture ? saved : nil
    }

    /// Written last and renamed into place, so that an interrupted build leaves no saved fixture.
    func save(in directory: FilePath) throws {
        let path = Self.path(in: directory)
        try JSONEncoder().encode(self).write(to: URL(fileURLWithPath: path.string + ".part"))
        guard rename(path.string + ".part", path.string) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path.string])
        }
    }
}
