/// What `RepositoryReader` found in one repository.
public struct Repository: Sendable, Equatable {
    public var location: RepositoryLocation
    public var index: RepoMetadataIndex
    public var packages: [RepoPackage]

    public init(location: RepositoryLocation, index: RepoMetadataIndex, packages: [RepoPackage]) {
        self.location = location
        self.index = index
        self.packages = packages
    }

    /// The `<revision>` of repomd.xml.
    public var revision: String? { index.revision }
}
