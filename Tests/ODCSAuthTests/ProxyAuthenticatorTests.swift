import ODCSAuth
import ODCSCore
import Testing

@Suite struct ProxyAuthenticatorTests {
    let proxy = ProxyAuthenticator(
        configuration: .init(
            groupsHeader: "X-Remote-Groups", trustedProxies: [IPAddressRange("10.1.0.0/16")!, IPAddressRange("::1")!]))

    func authenticate(_ headers: [(String, String)], from peer: String?) async -> Result<Caller, AuthError> {
        let request = AuthRequest(headers: headers.map { (name: $0.0, value: $0.1) }, peer: peer.flatMap(IPAddress.init))
        do { return .success(try await proxy.authenticate(request)) } catch { return .failure(error) }
    }

    @Test func trustedProxyIdentifiesTheUserAndGroups() async throws {
        let caller = try await authenticate(
            [("X-Remote-User", "alice@EXAMPLE.COM"), ("x-remote-groups", "packagers, qa,,"), ("X-Remote-Groups", "releng")],
            from: "10.1.2.3"
        ).get()
        #expect(caller == .authenticated(Identity(username: "alice", groups: ["packagers", "qa", "releng"])))
        // An IPv4 peer seen through a dual-stack socket, and the IPv6 loopback.
        #expect(try await authenticate([("X-Remote-User", "bob")], from: "::ffff:10.1.0.9").get().owner == "bob")
        #expect(try await authenticate([("X-Remote-User", "carol")], from: "::1").get().owner == "carol")
    }

    @Test func headersFromAnywhereElseAreIgnored() async {
        let missing = AuthError.unauthorized("REMOTE_USER is not present in request.")
        for peer in ["10.2.0.1", "127.0.0.1", "::2", nil] {
            #expect(await authenticate([("X-Remote-User", "root")], from: peer) == .failure(missing), "\(peer ?? "no peer")")
        }
        #expect(await authenticate([], from: "10.1.0.1") == .failure(missing))
        #expect(await authenticate([("X-Remote-User", "@EXAMPLE.COM")], from: "10.1.0.1") == .failure(missing))
        #expect(
            await authenticate([("X-Remote-User", "a"), ("X-Remote-User", "b")], from: "10.1.0.1")
                == .failure(.unauthorized("The proxy passed more than one user.")))
    }

    /// users.username holds 200 characters: a longer name is refused at the door, not a 500
    /// when its first compose is stored.
    @Test func aUserNameLongerThanTheStoredColumnIsRefused() async throws {
        let longest = String(repeating: "é", count: 200)
        #expect(try await authenticate([("X-Remote-User", longest)], from: "10.1.0.1").get().owner == longest)
        #expect(
            await authenticate([("X-Remote-User", longest + "x")], from: "10.1.0.1")
                == .failure(.unauthorized("The user name is longer than the 200 characters ODCS stores.")))
    }

    @Test func distinguishedNamesStayWholeWithoutRealmStripping() async throws {
        let tls = ProxyAuthenticator(
            configuration: .init(userHeader: "X-SSL-Client-S-DN", trustedProxies: [IPAddressRange("127.0.0.1")!], stripRealm: false))
        let request = AuthRequest(
            headers: [(name: "X-SSL-Client-S-DN", value: "CN=builder,O=Example,emailAddress=builder@example.com")],
            peer: IPAddress("127.0.0.1"))
        #expect(try await tls.authenticate(request).owner == "CN=builder,O=Example,emailAddress=builder@example.com")
    }
}

@Suite struct IPAddressRangeTests {
    @Test func parsesAddressesAndRanges() {
        #expect(IPAddressRange("10.0.0.0/8")?.description == "10.0.0.0/8")
        #expect(IPAddressRange("127.0.0.1")?.prefixLength == 32)
        #expect(IPAddressRange("fd00::/8")?.prefixLength == 8)
        for bad in ["10.0.0.0/33", "fd00::/129", "example.com", "10.0.0", "", "10.0.0.0/x", "/8"] {
            #expect(IPAddressRange(bad) == nil, "\(bad)")
        }
    }

    @Test func containsByPrefix() {
        let range = IPAddressRange("192.168.4.0/22")!
        #expect(range.contains(IPAddress("192.168.7.255")!))
        #expect(!range.contains(IPAddress("192.168.8.0")!))
        #expect(!range.contains(IPAddress("::1")!))
        #expect(IPAddressRange("0.0.0.0/0")!.contains(IPAddress("8.8.8.8")!))
        #expect(IPAddressRange("fd00::/8")!.contains(IPAddress("fd12:3456::1")!))
        #expect(!IPAddressRange("fd00::/8")!.contains(IPAddress("fe80::1%eth0")!))
    }
}
