import Foundation
import ODCSRepo
import SystemPackage

extension RepoGenerator {
    /// The `.repo` file, productmd's composeinfo.json and rpms.json, and `COMPOSE_ID`.
    func writeMetadata(
        _ selection: PackageSelection, productmd: ProductmdCompose, context: GenerationContext, layout: RepoComposeLayout
    ) throws {
        let resultRepoURL = context.targetDirURL.isEmpty ? "" : "\(context.targetDirURL)/\(context.name)/compose/\(Self.variant)"
        try layout.write(RepoFile(name: context.name, resultRepoURL: resultRepoURL).text, to: layout.repoFile)

        let composeInfo = ProductmdComposeInfo(compose: productmd, arches: selection.arches, variant: Self.variant)
        try layout.write(composeInfo.json, to: layout.metadata.appending("composeinfo.json"))
        let rpms = ProductmdRPMs(compose: productmd, variant: Self.variant, entries: rpmEntries(selection))
        try layout.write(rpms.json, to: layout.metadata.appending("rpms.json"))
        try layout.write(productmd.id, to: layout.staging.appending("COMPOSE_ID"))
    }

    /// rpms.json lists, under each arch, the arch's binary and debug packages and the source
    /// RPMs they were built from (which live once, in the source tree).
    func rpmEntries(_ selection: PackageSelection) -> [ProductmdRPMs.Entry] {
        var sourcePaths: [String: String] = [:]
        for item in selection.items where item.tree == .source {
            sourcePaths[item.package.nevra] = "\(Self.variant)/\(item.tree.path)/\(item.pathInTree)"
        }
        var entries: [ProductmdRPMs.Entry] = []
        var listedSources = Set<String>()
        for item in selection.items {
            let arch: String
            let category: ProductmdRPMs.Category
            switch item.tree {
            case .os(let treeArch): (arch, category) = (treeArch, .binary)
            case .debug(let treeArch): (arch, category) = (treeArch, .debug)
            case .source: continue
            }
            let source = item.package.sourceNEVRA ?? item.package.nevra
            entries.append(
                ProductmdRPMs.Entry(
                    arch: arch, sourceNEVRA: source, nevra: item.package.nevra, category: category,
                    path: "\(Self.variant)/\(item.tree.path)/\(item.pathInTree)"))
            if let path = sourcePaths[source], listedSources.insert("\(arch) \(source)").inserted {
                entries.append(
                    ProductmdRPMs.Entry(arch: arch, sourceNEVRA: source, nevra: source, category: .source, path: path))
            }
        }
        return entries
    }
}
