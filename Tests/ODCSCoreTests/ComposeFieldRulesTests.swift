import Foundation
import ODCSCore
import Testing

/// Every field that becomes a path component, a file name, a URL or a command argument is
/// refused with a 400 naming it when it could leave its place: on POST, on PATCH, and for a
/// value stored before the rules existed.
@Suite struct ComposeFieldRulesTests {
    static let policy = RequestPolicy(
        defaultTargetDir: "/srv/odcs", repoSourceRoots: ["/srv/repos"], sourceURLPrefixes: [], maxPackages: 5, maxListItems: 6)
    let parser = ComposeRequestParser(policy: Self.policy)

    func message(_ body: String) -> String? {
        do {
            _ = try parser.parse(body: try JSONValue.parse(body), owner: "dev")
            return nil
        } catch let error as RequestError {
            return error.message
        } catch {
            return "\(error)"
        }
    }

    /// The hostile forms of a path-bearing value, as a fuzzer or an attacker sends them.
    static let hostile = [
        "../../../../odcs-1/compose/Temporary/x86_64", "..", ".", "/etc", "a/b", "x86_64/../../x", "%2e%2e", "a\u{0}b", "-rf", "x86_64\n",
    ]

    /// (field, JSON body with `VALUE` where the hostile value goes).
    static let fields: [(String, String)] = [
        ("arches", #"{"source": {"type": "tag", "source": "f26"}, "arches": ["x86_64", VALUE]}"#),
        ("multilib_arches", #"{"source": {"type": "tag", "source": "f26"}, "multilib_arches": [VALUE]}"#),
        ("sigkeys", #"{"source": {"type": "tag", "source": "f26", "sigkeys": [VALUE]}}"#),
        ("builds", #"{"source": {"type": "build", "builds": [VALUE]}}"#),
        ("modules", #"{"source": {"type": "build", "builds": ["a-1-1"], "modules": [VALUE]}}"#),
        ("scratch_build_tasks", #"{"source": {"type": "build", "builds": ["a-1-1"], "scratch_build_tasks": [VALUE]}}"#),
        ("modular_koji_tags", #"{"source": {"type": "tag", "source": "f26", "modular_koji_tags": [VALUE]}}"#),
        ("parent_pungi_compose_ids", #"{"source": {"type": "tag", "source": "f26"}, "parent_pungi_compose_ids": [VALUE]}"#),
        ("respin_of", #"{"source": {"type": "tag", "source": "f26"}, "respin_of": VALUE}"#),
        ("label", #"{"source": {"type": "tag", "source": "f26"}, "label": VALUE}"#),
        ("compose_type", #"{"source": {"type": "tag", "source": "f26"}, "compose_type": VALUE}"#),
        ("base_module_br_name", #"{"source": {"type": "module", "source": "a:b", "base_module_br_name": VALUE}}"#),
        ("lookaside_repos", #"{"source": {"type": "tag", "source": "f26"}, "lookaside_repos": [VALUE]}"#),
        ("source", #"{"source": {"type": "tag", "source": VALUE}}"#),
        ("source", #"{"source": {"type": "repo", "source": VALUE}}"#),
        ("source", #"{"source": {"type": "pulp", "source": VALUE}}"#),
        ("source", #"{"source": {"type": "pungi_compose", "source": VALUE}}"#),
    ]

    @Test(arguments: fields)
    func refusesEveryHostileFormOfAPathBearingField(_ field: (name: String, body: String)) throws {
        for value in Self.hostile {
            // Values the JSON cannot carry as they are (a NUL) go in escaped.
            let json = JSONValue.string(value).serialized()
            let body = field.body.replacingOccurrences(of: "VALUE", with: json)
            let refusal = try #require(message(body), "\(field.name) accepted \(value.debugDescription)")
            #expect(
                refusal.hasPrefix("\(field.name): ") || refusal == InputValidator.forbiddenCharactersMessage
                    || refusal.hasPrefix("Module definition"),
                "\(field.name) = \(value.debugDescription): \(refusal)")
        }
    }

    @Test func acceptsWhatRealComposesUse() throws {
        let compose = try parser.parse(
            body: try JSONValue.parse(
                #"""
                {"source": {"type": "tag", "source": "f40-build", "sigkeys": ["a15b79cc", ""], "packages": ["gcc-c++", "perl(Foo::Bar)"],
                            "modular_koji_tags": ["f40-modular"], "builds": ["bash-5.2.26-3.fc40", "kernel-6.8.5-301.fc40"]},
                 "arches": ["x86_64", "aarch64", "ppc64le", "s390x", "i686"], "multilib_arches": ["x86_64"],
                 "label": "RC-1.0", "compose_type": "production", "lookaside_repos": ["https://kojipkgs.example.com/repos/f40/latest/$basearch"],
                 "parent_pungi_compose_ids": ["Fedora-40-20240416.0"], "respin_of": "Fedora-40-20240415.n.0"}
                """#), owner: "dev")
        #expect(compose.arches == "x86_64 aarch64 ppc64le s390x i686")
        #expect(compose.sigkeys == "a15b79cc ")
        let module = try parser.parse(
            body: try JSONValue.parse(
                #"{"source": {"type": "module", "source": "nodejs:20:4020240408083524:8d0c2c6f python39:3.9", "base_module_br_name": "platform"}}"#
            ), owner: "dev")
        #expect(module.source == "nodejs:20:4020240408083524:8d0c2c6f python39:3.9")
        #expect(message(#"{"source": {"type": "repo", "source": "/srv/repos/el9/ https://mirror.example.com/el9"}}"#) == nil)
    }

    @Test func refusesLocalRepositoriesOutsideTheRootsBeforeLookingAtThem() {
        #expect(
            message(#"{"source": {"type": "repo", "source": "/etc/pki"}}"#)
                == #"source: "/etc/pki" is not inside an allowed local directory (repo_source_roots)"#)
        #expect(
            message(#"{"source": {"type": "repo", "source": "/srv/repository"}}"#)
                == #"source: "/srv/repository" is not inside an allowed local directory (repo_source_roots)"#)
    }

    @Test func urlsMustBeFetchableAndUnderTheAllowedPrefixes() {
        var policy = Self.policy
        policy.sourceURLPrefixes = ["https://mirror.example.com/repos"]
        let parser = ComposeRequestParser(policy: policy)
        func refusal(_ url: String) -> String? {
            do {
                _ = try parser.parse(
                    body: ["source": ["type": "repo", "source": .string(url)]], owner: "dev")
                return nil
            } catch { return error.message }
        }
        #expect(refusal("https://mirror.example.com/repos/el9") == nil)
        #expect(refusal("HTTPS://Mirror.Example.COM/repos/el9") == nil)
        for url in [
            "https://mirror.example.com/reposx", "https://mirror.example.com.evil.net/repos", "https://mirror.example.com@evil.net/repos",
            "http://mirror.example.com/repos", "https://evil.net/repos", "ftp://mirror.example.com/repos",
        ] {
            let text = refusal(url)
            // '@' is already outside upstream's character set.
            #expect(
                text?.hasPrefix("source: ") == true || text == InputValidator.forbiddenCharactersMessage, "\(url): \(text ?? "accepted")")
        }
    }

    /// A refusal quotes at most 200 characters of the value: a megabyte-long label is not
    /// sent back whole.
    @Test func aLongRefusedValueIsQuotedShort() throws {
        let long = String(repeating: "a", count: 1_000_000)
        let refusal = try #require(message(#"{"source": {"type": "tag", "source": "f26"}, "label": "\#(long)"}"#))
        #expect(refusal == "label: \"\(String(repeating: "a", count: 200))\"… is not \(ComposeFieldRules.Pattern.label.summary)")
    }

    @Test func limitsTheItemsOfListFields() {
        #expect(
            message(#"{"source": {"type": "tag", "source": "f26", "packages": ["a", "b", "c", "d", "e", "f"]}}"#)
                == "packages: 6 names are more than the 5 allowed (max_packages)")
        #expect(
            message(#"{"source": {"type": "build", "builds": ["a-1-1", "b-1-1", "c-1-1", "d-1-1", "e-1-1", "f-1-1", "g-1-1"]}}"#)
                == "builds: 7 items are more than the 6 allowed (max_list_items)")
        #expect(
            message(#"{"source": {"type": "tag", "source": "a b c d e f g"}}"#)
                == "source: 7 items are more than the 6 allowed (max_list_items)")
    }

    @Test func packageNamesMayNotHoldControlCharacters() {
        #expect(
            message(#"{"source": {"type": "tag", "source": "f26", "packages": ["bash\u0000"]}}"#)
                == #"packages: "bash\0" contains a control character"#)
    }

    @Test func aRenewedCopyIsCheckedAgain() throws {
        var old = Compose(
            id: 7, owner: "dev", sourceType: .tag, source: "f26", state: .removed, results: .repository, flags: [],
            timeToExpire: .init(timeIntervalSince1970: 0), timeSubmitted: .init(timeIntervalSince1970: 0))
        old.arches = "x86_64 ../../../../odcs-1/compose/Temporary/x86_64"
        let error = #expect(throws: RequestError.self) {
            try RenewRequestParser(policy: Self.policy).plan(body: nil, old: old, owner: "dev")
        }
        #expect(error?.message.hasPrefix("arches: ") == true)
        old.arches = "x86_64"
        #expect(throws: RequestError.self) {
            try RenewRequestParser(policy: Self.policy).plan(body: ["label": "../x"], old: old, owner: "dev")
        }
    }

    /// Each pattern's regex (in the OpenAPI document) says what its matcher does.
    @Test func theDocumentedRegexesAgreeWithTheMatchers() throws {
        let corpus =
            Self.hostile + [
                "x86_64", "i686", "ppc64le", "a15b79cc", "A15B79CC", "", "deadbeefdeadbeef", "abc", "bash-5.2.26-3.fc40", "gcc-c++",
                "nodejs:20", "nodejs:20:4020240408083524:8d0c2c6f", "a:b:c", "a:b:1:", "a::1", "RC-1.0", "production", "f40-build",
                "Fedora-40-20240416.0", "0123456789", "12345678901234567890", "abcdef0", "main", "f40/branch", "HEAD~1", "a..b", "-x",
                String(repeating: "a", count: 32), String(repeating: "a", count: 33), String(repeating: "b", count: 200),
                String(repeating: "b", count: 201), "ü", "a_b", "a.b", "a~b", "a^b", "a+b",
            ]
        for (path, pattern) in ComposeFieldRules.Pattern.documented {
            // ECMA-262's `$` (JSON Schema's) ends the input; ICU's also matches before a final newline.
            let regex = try NSRegularExpression(pattern: String(pattern.regex.dropLast()) + "\\z")
            for value in corpus {
                let range = NSRange(value.startIndex..., in: value)
                let regexSays = regex.firstMatch(in: value, range: range) != nil
                #expect(regexSays == pattern.accepts(value), "\(path) \(pattern.regex) on \(value.debugDescription)")
            }
        }
    }
}
