import ODCSCore
import ODCSNode
import Testing

/// `source_type_generators` and the raw_config sources, as the node reads them.
@Suite struct PungiSettingsTests {
    func load(_ overrides: [String: JSONValue]) throws -> NodeConfiguration {
        try ConfigurationLoader(environment: [:]).load(file: nil, overrides: overrides)
    }

    func message(_ overrides: [String: JSONValue]) -> String? {
        do {
            _ = try load(overrides)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func rawConfigIsAlwaysPungiAndOtherTypesWhenRouted() throws {
        #expect(try load([:]).pungi.sourceTypes == [.rawConfig])
        let routed = try load(["source_type_generators": ["tag": "pungi", "build": "pungi", "repo": "native"]])
        #expect(routed.pungi.sourceTypes == [.rawConfig, .tag, .build])
    }

    @Test func impossibleRoutesStopStartUp() {
        #expect(
            message(["source_type_generators": ["raw_config": "native"]])
                == "configuration key source_type_generators.raw_config can only be pungi")
        #expect(
            message(["source_type_generators": ["pulp": "pungi"]]) == "configuration key source_type_generators.pulp can only be native")
        #expect(
            message(["source_type_generators": ["tag": "fast"]]) == "configuration key source_type_generators.tag must be native or pungi")
        #expect(
            message(["source_type_generators": ["tags": "pungi"]]) == "configuration key source_type_generators.tags: no such source type")
    }

    @Test func rawConfigSourcesAreReadWithTheirOptions() throws {
        let configuration = try load([
            "raw_config_urls": [
                "pungi_cfg": ["url": "https://example.com/x.git", "config_filename": "sub/x.conf", "pungi_timeout": 7200]
            ],
            "raw_config_pungi_koji_args": ["pungi_cfg": ["--debug"]], "pungi_koji": "/usr/bin/pungi-koji", "koji_profile": "stg",
        ])
        let generator = configuration.pungi.generator
        #expect(generator.rawConfigs["pungi_cfg"]?.path == "sub")
        #expect(generator.rawConfigs["pungi_cfg"]?.pungiTimeout == 7200)
        #expect(generator.rawConfigPungiKojiArgs == ["pungi_cfg": ["--debug"]])
        #expect(generator.pungiKoji == "/usr/bin/pungi-koji")
        #expect(generator.kojiProfile == "stg")
        #expect(
            message(["raw_config_urls": ["x": ["url": "https://example.com/x.git", "config_filename": "../x.conf"]]])
                == "configuration key raw_config_urls.x: path and config_filename must stay inside the repository")
    }
}
