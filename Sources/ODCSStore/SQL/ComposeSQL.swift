import ODCSCore
import PostgresNIO

/// Every statement on `composes`, named `<Table><Verb><Qualifier>`. Values only as binds;
/// the only text spliced in is from this file's own constants.
enum ComposeSQL {
    static func composeInsert(_ c: NewCompose, state: ComposeState = .wait) -> PostgresQuery {
        let ttl = Double(c.secondsToLive)
        return """
            INSERT INTO composes (
                owner, source_type, source, modular_koji_tags, module_defaults_url, koji_event, sigkeys,
                state, results, packages, builds, flags, time_submitted, time_to_expire, arches,
                multilib_arches, multilib_method, lookaside_repos, label, compose_type, pungi_config_dump,
                target_dir, scratch_modules, scratch_build_tasks, parent_pungi_compose_ids, modules, respin_of,
                base_module_br_name, base_module_br_stream, base_module_br_stream_version_lte,
                base_module_br_stream_version_gte)
            VALUES (
                \(c.owner), \(c.sourceType.rawValue), \(c.source), \(c.modularKojiTags), \(c.moduleDefaultsURL),
                \(c.kojiEvent), \(c.sigkeys), \(state.rawValue), \(c.results.rawValue), \(c.packages), \(c.builds),
                \(c.flags.rawValue), now(), now() + make_interval(secs => \(ttl)), \(c.arches),
                \(c.multilibArches), \(c.multilibMethod), \(c.lookasideRepos), \(c.label), \(c.composeType),
                \(c.pungiConfigDump), \(c.targetDir), \(c.scratchModules), \(c.scratchBuildTasks),
                \(c.parentPungiComposeIDs), \(c.modules), \(c.respinOf), \(c.baseModuleBrName),
                \(c.baseModuleBrStream), \(c.baseModuleBrStreamVersionLte), \(c.baseModuleBrStreamVersionGte))
            RETURNING \(unescaped: ComposeColumns.list)
            """
    }

    /// `max(tte, now + ttl)` for the compose, the one it reuses and the ones reusing it
    /// (one level, as upstream). Never shortens an expiry. Locks the rows in id order, as
    /// the queue's statements do (a compose's finish locks it and its followers).
    static func composeExtendExpiry(_ id: Int64, secondsToLive: Int) -> PostgresQuery {
        let ttl = Double(secondsToLive)
        return """
            WITH l AS MATERIALIZED (
                SELECT id FROM composes
                WHERE id = \(id)
                   OR reused_id = \(id)
                   OR id = (SELECT reused_id FROM composes WHERE id = \(id))
                ORDER BY id FOR NO KEY UPDATE)
            UPDATE composes
            SET time_to_expire = greatest(time_to_expire, now() + make_interval(secs => \(ttl)))
            FROM l WHERE composes.id = l.id
            """
    }

    /// wait → failed; the TTL restarts at the failure, as for any finished compose.
    static func composeCancelIfWaiting(_ id: Int64, reason: String) -> PostgresQuery {
        """
        UPDATE composes
        SET state = \(ComposeState.failed.rawValue), state_reason = \(reason),
            time_to_expire = now() + (time_to_expire - time_submitted)
        WHERE id = \(id) AND state = \(ComposeState.wait.rawValue)
        RETURNING \(unescaped: ComposeColumns.list)
        """
    }

    /// An admin's DELETE: expire now; the removal sweep does the rest.
    static func composeExpireIfFinished(_ id: Int64, removedBy: String) -> PostgresQuery {
        """
        UPDATE composes SET time_to_expire = now(), removed_by = \(removedBy)
        WHERE id = \(id) AND state IN (\(ComposeState.done.rawValue), \(ComposeState.failed.rawValue))
        RETURNING \(unescaped: ComposeColumns.list)
        """
    }

    /// From the counts of migration 6, not the rows.
    static let composeCountBySourceTypeAndState: PostgresQuery = """
        SELECT source_type, state, sum(delta)::bigint FROM compose_count_deltas GROUP BY source_type, state HAVING sum(delta) <> 0
        """

    static let composeCountRawConfigBySourceAndState: PostgresQuery = """
        SELECT source, state, count(*)::bigint FROM composes
        WHERE source_type = \(unescaped: SourceType.rawConfig.sql) GROUP BY source, state
        """
}

/// Statements on `users`.
enum UserSQL {
    static func userInsertIfMissing(_ username: String) -> PostgresQuery {
        "INSERT INTO users (username) VALUES (\(username)) ON CONFLICT (username) DO NOTHING"
    }
}
