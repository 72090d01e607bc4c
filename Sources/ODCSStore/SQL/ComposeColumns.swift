import Foundation
import ODCSCore
import PostgresNIO

/// The column list every compose SELECT and RETURNING uses, and its decoder. The order here
/// and in `decode` must match.
enum ComposeColumns {
    static let list = """
        id, owner, source_type, source, modular_koji_tags, module_defaults_url, koji_event, sigkeys, \
        state, state_reason, results, packages, builds, flags, time_to_expire, time_submitted, \
        time_started, time_done, time_removed, removed_by, reused_id, koji_task_id, arches, \
        multilib_arches, multilib_method, lookaside_repos, label, compose_type, pungi_compose_id, \
        pungi_config_dump, target_dir, scratch_modules, scratch_build_tasks, parent_pungi_compose_ids, \
        modules, respin_of, base_module_br_name, base_module_br_stream, \
        base_module_br_stream_version_lte, base_module_br_stream_version_gte
        """

    /// The same list with `pungi_config_dump` read as NULL, for lists: their JSON leaves the
    /// dump out, and it may be the largest value of a row.
    static let listWithoutConfigDump = list.replacingOccurrences(of: "pungi_config_dump", with: "NULL::text")

    /// The same list qualified by the table name, for UPDATE ... FROM ... RETURNING.
    static let qualifiedList = list.split(separator: ",").map { "composes." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        .joined(separator: ", ")

    /// How many columns `decode` reads; extra RETURNING columns start here.
    static let count = 40

    static func decode(_ row: PostgresRow) throws -> Compose {
        let cells = row.makeRandomAccess()
        func value<T: PostgresDecodable>(_ index: Int, _ type: T.Type = T.self) throws -> T {
            try cells[index].decode(T.self)
        }
        let id: Int64 = try value(0)
        guard let sourceType = SourceType(rawValue: try value(2)) else { throw StoreError.corruptRow("source_type of \(id)") }
        guard let state = ComposeState(rawValue: try value(8)) else { throw StoreError.corruptRow("state of \(id)") }
        var compose = Compose(
            id: id, owner: try value(1), sourceType: sourceType, source: try value(3), state: state,
            results: ComposeResults(rawValue: try value(10)),
            flags: ComposeFlags(rawValue: try value(13, Int?.self) ?? 0),
            timeToExpire: try value(14), timeSubmitted: try value(15))
        compose.modularKojiTags = try value(4)
        compose.moduleDefaultsURL = try value(5)
        compose.kojiEvent = try value(6)
        compose.sigkeys = try value(7)
        compose.stateReason = try value(9)
        compose.packages = try value(11)
        compose.builds = try value(12)
        compose.timeStarted = try value(16)
        compose.timeDone = try value(17)
        compose.timeRemoved = try value(18)
        compose.removedBy = try value(19)
        compose.reusedID = try value(20)
        compose.kojiTaskID = try value(21)
        compose.arches = try value(22)
        compose.multilibArches = try value(23)
        compose.multilibMethod = try value(24)
        compose.lookasideRepos = try value(25)
        compose.label = try value(26)
        compose.composeType = try value(27)
        compose.pungiComposeID = try value(28)
        compose.pungiConfigDump = try value(29)
        compose.targetDir = try value(30)
        compose.scratchModules = try value(31)
        compose.scratchBuildTasks = try value(32)
        compose.parentPungiComposeIDs = try value(33)
        compose.modules = try value(34)
        compose.respinOf = try value(35)
        compose.baseModuleBrName = try value(36)
        compose.baseModuleBrStream = try value(37)
        compose.baseModuleBrStreamVersionLte = try value(38)
        compose.baseModuleBrStreamVersionGte = try value(39)
        return compose
    }
}
