import ODCSRepo
import Testing

@Suite struct RepoFileTests {
    /// The example of reference §9.4, byte for byte.
    @Test func rendersUpstreamsThreeSections() {
        let expected = """
            [odcs-1]
            name=ODCS repository for compose odcs-1
            baseurl=http://localhost/odcs/odcs-1/compose/Temporary/$basearch/os
            type=rpm-md
            skip_if_unavailable=False
            gpgcheck=0
            repo_gpgcheck=0
            enabled=1
            enabled_metadata=1

            [odcs-1-debuginfo]
            name=ODCS repository for compose odcs-1-debuginfo
            baseurl=http://localhost/odcs/odcs-1/compose/Temporary/$basearch/debug/tree
            type=rpm-md
            skip_if_unavailable=False
            gpgcheck=0
            repo_gpgcheck=0
            enabled=0
            enabled_metadata=1

            [odcs-1-source]
            name=ODCS repository for compose odcs-1-source
            baseurl=http://localhost/odcs/odcs-1/compose/Temporary/source/tree
            type=rpm-md
            skip_if_unavailable=False
            gpgcheck=0
            repo_gpgcheck=0
            enabled=0
            enabled_metadata=1

            """
        let text = RepoFile(name: "odcs-1", resultRepoURL: "http://localhost/odcs/odcs-1/compose/Temporary").text
        #expect(text == expected)
        #expect(text.hasSuffix("enabled_metadata=1\n"))
    }

    @Test func emptyResultURLGivesRelativeBaseURLs() {
        let text = RepoFile(name: "odcs-7", resultRepoURL: "").text
        #expect(text.contains("baseurl=$basearch/os\n"))
        #expect(text.contains("baseurl=$basearch/debug/tree\n"))
        #expect(text.contains("baseurl=source/tree\n"))
    }

    @Test func trailingSlashIsNotDoubled() {
        #expect(RepoFile(name: "odcs-2", resultRepoURL: "http://h/odcs-2/").sections[0].baseURL == "http://h/odcs-2/$basearch/os")
    }
}
