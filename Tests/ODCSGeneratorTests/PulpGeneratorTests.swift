import Foundation
import Logging
import ODCSCore
import ODCSGenerator
import ODCSTesting
import SystemPackage
import Testing

/// Pulp composes against the Pulp test server, the cases of upstream's
/// `test_generate_pulp_compose*` and `test_pulp.py`.
@Suite struct PulpGeneratorTests {
    typealias Repository = PulpTestServer.Repository

    /// Upstream's general case: three content sets, repo3 both in foo-3 and named directly,
    /// repo4 by id, repo5 by id and unpublished.
    static let repositories: [Repository] = [
        Repository(id: "repo1", contentSet: "foo-1", relativeURL: "content/1/x86_64/os", arch: "x86_64", signatures: "SIG1,SIG2"),
        Repository(id: "repo2", contentSet: "foo-2", relativeURL: "content/2/x86_64/os", arch: "x86_64", signatures: "SIG1,SIG2"),
        Repository(id: "repo3", contentSet: "foo-3", relativeURL: "content/3/ppc64/os", arch: "ppc64", signatures: "SIG1,SIG3"),
        Repository(id: "repo4", contentSet: "foo-100", relativeURL: "content/100/s390/os", arch: "s390", signatures: "SIG2,SIG4"),
        Repository(
            id: "repo5", contentSet: "foo-101", relativeURL: "content/101/x86_64/os", arch: "x86_64", signatures: "SIG1,SIG2",
            published: false),
    ]

    static func compose(_ source: String, flags: ComposeFlags = []) -> Compose {
        Compose(
            id: 1, owner: "me", sourceType: .pulp, source: source, state: .generating, results: .repository, flags: flags,
            timeToExpire: Date(timeIntervalSinceNow: 3600), timeSubmitted: Date())
    }

    struct Outcome: Sendable {
        var result: GenerationResult?
        var failure: String?
        var repoFile: String?
        /// The test server's URL, as configured (`pulp_server_url`, with a trailing slash).
        var serverURL: String
    }

    static func generate(
        _ compose: Compose, server: PulpTestServer = PulpTestServer(repositories: repositories),
        configure: @Sendable (inout PulpGenerator.Configuration) -> Void = { _ in }
    ) async throws -> Outcome {
        try await server.serving { url in
            try await TemporaryDirectory.with(prefix: "pulp-target") { target in
                var configuration = PulpGenerator.Configuration(serverURL: url + "/")
                configure(&configuration)
                let generator = PulpGenerator(configuration: configuration)
                let context = try KojiGeneratorRig.context(compose, target: target)
                var outcome = Outcome(serverURL: configuration.serverURL)
                do {
                    outcome.result = try await generator.generate(context)
                } catch let error as GeneratorError {
                    outcome.failure = error.message
                }
                outcome.repoFile = try? String(
                    contentsOfFile: context.staging.appending("compose/Temporary/odcs-1.repo").string, encoding: .utf8)
                if let repodata = try? FileManager.default.contentsOfDirectory(
                    atPath: context.staging.appending("compose/Temporary/x86_64/os/repodata").string)
                {
                    outcome.repoFile = (outcome.repoFile ?? "") + (repodata.contains("repomd.xml") ? "#empty repodata\n" : "")
                }
                return outcome
            }
        }
    }

    @Test func writesTheRepositoriesOfContentSetsAndIdsSortedByID() async throws {
        let server = PulpTestServer(repositories: Self.repositories)
        let outcome = try await Self.generate(
            Self.compose("foo-1 foo-2 repo4 foo-3 repo3 repo5", flags: .includeUnpublishedPulpRepos), server: server)
        #expect(outcome.failure == nil)
        // The server URL's trailing slash is not doubled.
        let server1 = outcome.serverURL
        #expect(server1.hasPrefix("http://127.0.0.1:") && server1.hasSuffix("/") && !server1.hasSuffix("//"))
        #expect(
            outcome.repoFile
                == """

                [repo1]
                name=repo1
                baseurl=\(server1)content/1/x86_64/os
                enabled=1
                gpgcheck=0

                [repo2]
                name=repo2
                baseurl=\(server1)content/2/x86_64/os
                enabled=1
                gpgcheck=0

                [repo3]
                name=repo3
                baseurl=\(server1)content/3/ppc64/os
                enabled=1
                gpgcheck=0

                [repo4]
                name=repo4
                baseurl=\(server1)content/100/s390/os
                enabled=1
                gpgcheck=0

                [repo5]
                name=repo5
                baseurl=\(server1)content/101/x86_64/os
                enabled=1
                gpgcheck=0

                """)
        #expect(outcome.result?.arches == "ppc64 s390 x86_64")
        #expect(outcome.result?.sigkeys == "SIG1 SIG2 SIG3 SIG4")
        #expect(outcome.result?.source == nil)
        // Upstream's exact query: every source as a content set, no published filter with the flag.
        #expect(
            await server.searches == [
                #"{"criteria":{"fields":["notes","id"],"filters":{"notes.content_set":{"$in":["foo-1","foo-2","repo4","foo-3","repo3","repo5"]}}}}"#
            ])
        #expect(await server.lookups.sorted() == ["repo3", "repo4", "repo5"])
    }

    @Test func searchesOnlyPublishedRepositoriesWithoutTheFlag() async throws {
        let server = PulpTestServer(repositories: Self.repositories)
        let outcome = try await Self.generate(Self.compose("foo-1 repo5"), server: server)
        #expect(
            await server.searches == [
                #"{"criteria":{"fields":["notes","id"],"filters":{"notes.content_set":{"$in":["foo-1","repo5"]},"notes.include_in_download_service":"True"}}}"#
            ])
        // repo5 exists but is unpublished: not found.
        #expect(outcome.failure == "Failed to find all the source(s) ['foo-1', 'repo5'] in Pulp, found only ['foo-1']")
    }

    @Test func aMissingSourceFailsUnlessAbsentReposAreIgnored() async throws {
        let failed = try await Self.generate(Self.compose("foo-1 foo-2 nope"))
        #expect(failed.failure == "Failed to find all the source(s) ['foo-1', 'foo-2', 'nope'] in Pulp, found only ['foo-1', 'foo-2']")
        #expect(failed.repoFile == nil)

        let ignored = try await Self.generate(Self.compose("foo-1 nope", flags: .ignoreAbsentPulpRepos))
        #expect(ignored.failure == nil)
        #expect(ignored.result?.source == "foo-1")
        #expect(ignored.repoFile?.contains("[repo1]") == true)
    }

    @Test func nothingFoundGivesAnEmptyRepositoryForTheAllowedArches() async throws {
        let outcome = try await Self.generate(Self.compose("nope", flags: .ignoreAbsentPulpRepos))
        #expect(outcome.failure == nil)
        #expect(outcome.result?.source == "")
        #expect(outcome.result?.arches == "x86_64")
        #expect(
            outcome.repoFile
                == """
                [odcs-1]
                name=ODCS repository for compose odcs-1
                baseurl=http://localhost/odcs/odcs-1/compose/Temporary/$basearch/os
                type=rpm-md
                skip_if_unavailable=False
                gpgcheck=0
                repo_gpgcheck=0
                enabled=1
                enabled_metadata=1
                #empty repodata

                """)
    }

    @Test func compatibleArchesBecomeBasearch() async throws {
        let outcome = try await Self.generate(Self.compose("foo-3", flags: .useOnlyCompatibleArch))
        let lines = outcome.repoFile?.split(separator: "\n").map(String.init) ?? []
        #expect(lines.contains { $0.hasPrefix("baseurl=") && $0.hasSuffix("/content/3/$basearch/os") })
        #expect(lines.last == "skip_if_unavailable=1")
    }

    @Test func sendsBasicCredentialsWhenConfigured() async throws {
        let server = PulpTestServer(repositories: Self.repositories, credentials: (user: "odcs", password: "s3cret"))
        let refused = try await Self.generate(Self.compose("foo-1"), server: server)
        #expect(refused.failure == "Pulp answered repositories/search/ with HTTP 401.")
        let accepted = try await Self.generate(Self.compose("foo-1"), server: server) {
            $0.username = "odcs"
            $0.password = "s3cret"
        }
        #expect(accepted.failure == nil)
        #expect(accepted.repoFile?.contains("[repo1]") == true)
    }
}
