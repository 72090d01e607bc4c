// swift-tools-version:6.1
import PackageDescription

// The arrows of docs/architecture.md: Core ← (Store, Repo, Auth); Repo ← Generator; (Store, Generator) ← Services
// ← Node; API depends on Core, Store and Auth only and never sees generators.
let package = Package(
    name: "odcs",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "odcs", targets: ["odcs"])
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.7.1"),
    ],
    targets: [
        .target(name: "ODCSCore"),
        // The shared volume, below everything that touches it: root-checked paths, removal that
        // never follows a symlink (docs/security.md), the target dirs and their layout, and the
        // threads that do its blocking file work off the cooperative pool.
        .target(
            name: "ODCSVolume",
            dependencies: [
                "ODCSCore", .product(name: "NIOPosix", package: "swift-nio"), .product(name: "SystemPackage", package: "swift-system"),
            ]),
        .target(
            name: "ODCSStore",
            dependencies: [
                "ODCSCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "ODCSRepo",
            dependencies: [
                "ODCSCore",
                "ODCSVolume",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        // libsolv from Debian's libsolv-dev; ODCSSolve is its only user.
        .systemLibrary(name: "CLibsolv", pkgConfig: "libsolv", providers: [.apt(["libsolv-dev"])]),
        .target(name: "ODCSSolve", dependencies: ["CLibsolv"]),
        .target(
            name: "ODCSGenerator",
            dependencies: [
                "ODCSCore",
                "ODCSVolume",
                "ODCSKoji",
                "ODCSRepo",
                "ODCSSolve",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // AMQP 0-9-1 (RabbitMQ) over SwiftNIO: no such package is in the mirrors.
        .target(
            name: "ODCSAMQP",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "ODCSServices",
            dependencies: [
                "ODCSCore",
                "ODCSVolume",
                "ODCSStore",
                "ODCSGenerator",
                "ODCSAMQP",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        // Who the caller is: OIDC bearer tokens (jwt-kit, JWKS, introspection) and proxy headers.
        .target(
            name: "ODCSAuth",
            dependencies: [
                "ODCSCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .target(
            name: "ODCSAPI",
            dependencies: [
                "ODCSAuth",
                "ODCSCore",
                "ODCSStore",
                "ODCSVolume",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            // The OpenAPI document: one JSON file, compiled into the binary and read by the docs script.
            resources: [.embedInCode("openapi.json")]
        ),
        .target(
            name: "ODCSNode",
            dependencies: [
                "ODCSAuth",
                "ODCSCore",
                "ODCSAMQP",
                "ODCSKoji",
                "ODCSStore",
                "ODCSAPI",
                "ODCSGenerator",
                "ODCSServices",
                "ODCSTestGenerator",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // What a client of the service uses: the event-stream reader of `odcs compose wait`.
        .target(
            name: "ODCSClientKit",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // Testing only: the no-op journal generator that `test_generator.journal` selects for the
        // multi-node tests and the scheduler benchmark. Never selected by a production setting.
        .target(
            name: "ODCSTestGenerator",
            dependencies: [
                "ODCSCore",
                "ODCSGenerator",
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        .executableTarget(
            name: "odcs",
            dependencies: [
                "ODCSNode",
                "ODCSClientKit",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .target(
            name: "ODCSKoji",
            dependencies: [
                "ODCSCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // The Koji test hub as a process, for tests and benchmarks that run nodes as processes.
        .executableTarget(
            name: "koji-test-hub",
            dependencies: [
                "ODCSTesting",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        .target(
            name: "ODCSTesting",
            dependencies: [
                "ODCSClientKit",
                "ODCSCore",
                "ODCSKoji",
                "ODCSRepo",
                "ODCSStore",
                "ODCSNode",
                "ODCSAPI",
                "ODCSAuth",
                "ODCSGenerator",
                "ODCSServices",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        .testTarget(name: "ODCSCoreTests", dependencies: ["ODCSCore"]),
        .testTarget(name: "ODCSVolumeTests", dependencies: ["ODCSVolume", .product(name: "SystemPackage", package: "swift-system")]),
        .testTarget(
            name: "ODCSSolveTests",
            dependencies: [
                "ODCSSolve",
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        .testTarget(
            name: "ODCSAMQPTests",
            dependencies: [
                "ODCSAMQP",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "ODCSStoreTests", dependencies: ["ODCSStore", "ODCSTesting"]),
        .testTarget(name: "ODCSRepoTests", dependencies: ["ODCSRepo", "ODCSVolume", "ODCSTesting"]),
        .testTarget(name: "ODCSGeneratorTests", dependencies: ["ODCSGenerator", "ODCSRepo", "ODCSVolume", "ODCSTesting"]),
        .testTarget(
            name: "ODCSServicesTests", dependencies: ["ODCSServices", "ODCSStore", "ODCSGenerator", "ODCSVolume", "ODCSTesting"]),
        .testTarget(
            name: "ODCSNodeTests",
            dependencies: ["ODCSNode", "ODCSTesting", .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")]),
        .testTarget(
            name: "ODCSKojiTests",
            dependencies: [
                "ODCSKoji", "ODCSRepo", "ODCSTesting",
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        .testTarget(
            name: "ODCSIntegrationTests",
            dependencies: [
                "ODCSTesting", "ODCSNode", "ODCSAMQP", "ODCSClientKit",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        .testTarget(
            name: "ODCSAuthTests",
            dependencies: ["ODCSAuth", "ODCSTesting", .product(name: "JWTKit", package: "jwt-kit")]
        ),
        .testTarget(
            name: "ODCSAPITests",
            dependencies: [
                "ODCSAPI", "ODCSNode", "ODCSTesting",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
