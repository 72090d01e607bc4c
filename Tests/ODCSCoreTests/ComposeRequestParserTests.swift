import ODCSCore
import Testing

@Suite struct ComposeRequestParserTests {
    let parser = ComposeRequestParser(
        policy: RequestPolicy(
            defaultSigkeys: ["deadbeef", "fd431d51"], defaultTargetDir: "/srv/odcs", extraTargetDirs: ["releng-private": "/srv/private"],
            rawConfigs: ["pungi_cfg": .init(secondsToLive: 345_600, maxSecondsToLive: 604_800)]))

    func parse(_ text: String) throws -> NewCompose {
        try parser.parse(body: try JSONValue.parse(text), owner: "dev")
    }

    func message(_ text: String) -> String? {
        do {
            _ = try parse(text)
            return nil
        } catch let error as RequestError {
            return error.message
        } catch {
            return "\(error)"
        }
    }

    @Test func fillsUpstreamDefaults() throws {
        let compose = try parse(#"{"source": {"type": "module", "source": "testmodule:master"}}"#)
        #expect(compose.sourceType == .module)
        #expect(compose.sigkeys == "deadbeef fd431d51")
        #expect(compose.arches == "x86_64")
        #expect(compose.multilibArches == "")
        #expect(compose.lookasideRepos == "")
        #expect(compose.composeType == "test")
        #expect(compose.targetDir == "/srv/odcs")
        #expect(compose.results == .repository)
        #expect(compose.secondsToLive == 86_400)
    }

    @Test func deduplicatesAndSortsSources() throws {
        #expect(try parse(#"{"source": {"type": "module", "source": "foo:x foo:x foo:y"}}"#).source == "foo:x foo:y")
        #expect(try parse(#"{"source": {"type": "module", "source": "b:x a:y b:x c:z"}}"#).source == "a:y b:x c:z")
    }

    @Test func combinesFlagsResultsAndMultilib() throws {
        let compose = try parse(
            #"{"source": {"type": "tag", "source": "f26"}, "flags": ["no_deps", "check_deps"], "results": ["boot.iso"], "multilib_method": ["runtime", "devel"]}"#
        )
        #expect(compose.flags == [.noDeps, .checkDeps])
        #expect(compose.results == [.repository, .bootISO])
        #expect(compose.multilibMethod == 3)
    }

    @Test func storesModuleDefaultsAsOneString() throws {
        let compose = try parse(
            #"{"source": {"type": "module", "source": "a:b", "module_defaults_url": "git://localhost.tld/x.git", "module_defaults_commit": "master"}}"#
        )
        #expect(compose.moduleDefaultsURL == "git://localhost.tld/x.git master")
    }

    @Test func appliesRawConfigTimeToLive() throws {
        #expect(try parse(#"{"source": {"type": "raw_config", "source": "pungi_cfg#hash"}}"#).secondsToLive == 345_600)
        #expect(
            try parse(#"{"source": {"type": "raw_config", "source": "pungi_cfg#hash"}, "seconds_to_live": 460800}"#).secondsToLive
                == 460_800)
    }

    @Test func capsTheTimeToLiveAndAcceptsTheLegacyKey() throws {
        #expect(try parse(#"{"source": {"type": "tag", "source": "f26"}, "seconds_to_live": 604800}"#).secondsToLive == 259_200)
        #expect(try parse(#"{"source": {"type": "tag", "source": "f26"}, "seconds-to-live": "3600"}"#).secondsToLive == 3600)
        #expect(
            try parse(#"{"source": {"type": "tag", "source": "f26"}, "seconds_to_live": 99999999999999999999999}"#).secondsToLive
                == 259_200)
    }

    @Test func mapsNamedTargetDirsToPaths() throws {
        #expect(try parse(#"{"source": {"type": "tag", "source": "f26"}, "target_dir": "releng-private"}"#).targetDir == "/srv/private")
    }

    @Test func allowsBuildWithoutSourceAndScratchOnlyModules() throws {
        #expect(try parse(#"{"source": {"type": "build", "builds": ["foo-1-1"]}}"#).builds == "foo-1-1")
        #expect(try parse(#"{"source": {"type": "module", "source": "", "scratch_modules": ["a:b:1:c"]}}"#).source == "")
    }

    static let refusals: [(String, String)] = [
        ("{}", "No JSON POST data submitted"),
        (#"{"source": "f26"}"#, "Invalid source configuration provided: {'source': 'f26'}"),
        (#"{"source": {"source": "x"}}"#, "Missing type in source configuration, received: {'source': 'x'}"),
        (#"{"source": {"type": "git", "source": "x"}}"#, #"Unknown source type "git""#),
        (#"{"source": {"type": "repo", "source": ""}}"#, "No source provided for 3"),
        (#"{"source": {"type": "tag"}}"#, "No source provided for 1"),
        (#"{"source": {"type": "tag", "source": "f26"}, "flags": ["bogus"]}"#, "('Unknown flag %s', 'bogus')"),
        (#"{"source": {"type": "tag", "source": "f26"}, "results": ["bogus"]}"#, "('Unknown result %s', 'bogus')"),
        (#"{"source": {"type": "tag", "source": "f26"}, "multilib_method": ["foo"]}"#, #"Unknown multilib method "foo""#),
        (#"{"source": {"type": "tag", "source": "f26", "packages": "bash"}}"#, "packages should be a list"),
        (#"{"source": {"type": "tag", "source": "f26"}, "label": null}"#, "label should be a string"),
        (#"{"source": {"type": "tag", "source": "f26"}, "seconds_to_live": "600s"}"#, "seconds_to_live should be an integer"),
        (#"{"source": {"type": "tag", "source": "f26"}, "seconds_to_live": 1.5}"#, "seconds_to_live should be an integer"),
        (#"{"source": {"type": "tag", "source": "f26", "koji_event": "1"}}"#, "koji_event should be an integer"),
        (
            #"{"source": {"type": "tag", "source": "f26", "koji_event": 1180591620717411303424}}"#,
            "koji_event is an integer beyond the 64 bits ODCS stores"
        ),
        (#"{"source": {"type": "repo", "source": "x", "extra": {"a": 1}}}"#, "Only 'source' key is allowed to contain dict."),
        (#"{"source": {"type": "repo", "source": "x;rm -rf"}}"#, InputValidator.forbiddenCharactersMessage),
        (#"{"source": {"type": "repo", "source": "http://x/?a=b"}}"#, InputValidator.forbiddenCharactersMessage),
        (
            #"{"source": {"type": "module", "source": "testmodule"}}"#,
            #"Module definition must be in "n:s", "n:s:v" or "n:s:v:c" format, but got testmodule"#
        ),
        (
            #"{"source": {"type": "module", "source": "platform:f30"}}"#,
            "ODCS currently cannot create compose with base modules, but platform was requested."
        ),
        (
            #"{"source": {"type": "raw_config", "source": "pungi_cfg"}}"#,
            #"Source must be in "source_name#commit_hash" format for "raw_config" source_type."#
        ),
        (
            #"{"source": {"type": "raw_config", "source": "pungi_cfg#"}}"#,
            #"Source must be in "source_name#commit_hash" format for "raw_config" source_type."#
        ),
        (
            ##"{"source": {"type": "raw_config", "source": "#hash"}}"##,
            #"Source must be in "source_name#commit_hash" format for "raw_config" source_type."#
        ),
        (#"{"source": {"type": "raw_config", "source": "a#1 b#2"}}"#, #"Only single source is allowed for "raw_config" source_type"#),
        (#"{"source": {"type": "raw_config", "source": "foo#abc"}}"#, #"Source "foo" does not exist in server configuration."#),
        (
            #"{"source": {"type": "raw_config", "source": "pungi_cfg#--upload-pack"}}"#,
            #"The commit of a "raw_config" source must be a git commit hash or branch name, but got --upload-pack"#
        ),
        (
            #"{"source": {"type": "raw_config", "source": "pungi_cfg#HEAD~1"}}"#,
            #"The commit of a "raw_config" source must be a git commit hash or branch name, but got HEAD~1"#
        ),
        (
            #"{"source": {"type": "raw_config", "source": "pungi_cfg#$(reboot)"}}"#, InputValidator.forbiddenCharactersMessage
        ),
        (
            #"{"source": {"type": "module", "source": "a:b", "module_defaults_url": "git://x"}}"#,
            #"The "module_defaults_url" and "module_defaults_commit" must be used together."#
        ),
        (#"{"source": {"type": "tag", "source": "f26"}, "target_dir": "nfs"}"#, #"Unknown "target_dir" "nfs""#),
        (#"{"source": {"type": "tag", "source": "f26"}, "arches": "x86_64"}"#, "arches should be a list"),
        // Python's isalnum looks at code points: the combining accent of "cafe\u0301" is not
        // alphanumeric, though Swift's Character "é" is a letter.
        (#"{"source": {"type": "tag", "source": "f26"}, "label": "cafe\u0301"}"#, InputValidator.forbiddenCharactersMessage),
        (#"{"source": {"type": "tag", "source": "f26\u200b"}}"#, InputValidator.forbiddenCharactersMessage),
        (
            #"{"source": {"type": "tag", "source": "f26"}, "sigkeys": [null]}"#,
            "Only dict, list, str, unicode, int, float and bool types are allowed in ODCS input variables, but '0' has '<class 'NoneType'>' type"
        ),
        (
            #"{"source": {"type": "tag", "source": "f26"}, "sigkeys": ["", null]}"#,
            "Only dict, list, str, unicode, int, float and bool types are allowed in ODCS input variables, but '1' has '<class 'NoneType'>' type"
        ),
        (
            #"{"source": {"type": "tag", "source": "f26"}, "foo": null}"#,
            "Only dict, list, str, unicode, int, float and bool types are allowed in ODCS input variables, but 'foo' has '<class 'NoneType'>' type"
        ),
        (
            #"{"source": {"type": "repo", "source": "/srv/repos/../../etc"}}"#,
            #"source: "/srv/repos/../../etc" is not a normal absolute path (no '.', '..' or empty components)"#
        ),
        (
            #"{"source": {"type": "tag", "source": "f26"}, "label": "../x"}"#,
            #"label: "../x" is not a label (letters, digits and '_.+~-', at most 200)"#
        ),
        (
            #"{"source": {"type": "tag", "source": "f26"}, "seconds_to_live": -5}"#,
            "seconds_to_live must be a positive number of seconds, got -5"
        ),
    ]

    @Test(arguments: refusals)
    func refusesBadInputWithUpstreamMessage(_ refusal: (String, String)) {
        #expect(message(refusal.0) == refusal.1)
    }

    @Test func exemptsPackageNamesFromTheCharacterCheck() throws {
        #expect(
            try parse(#"{"source": {"type": "tag", "source": "f26", "packages": ["gcc-c++", "perl(Foo::Bar)"]}}"#).packages
                == "gcc-c++ perl(Foo::Bar)")
    }

    @Test func ignoresUnknownKeys() throws {
        #expect(try parse(#"{"source": {"type": "tag", "source": "f26", "unknown_arg": 1}, "foo": "bar"}"#).source == "f26")
    }
}
