// swift-tools-version: 6.0
// Tally: a team's records as plain text in git.
// Module layout and dependency direction: see ../shared/DESIGN.md and docs/architecture.md.
import PackageDescription

// The record format and the validator are called per value, hundreds of thousands of times
// per check, from other modules: let the optimiser specialise and inline their generic
// helpers across module boundaries (release builds only).
let hotPath: [SwiftSetting] = [.unsafeFlags(["-cross-module-optimization"], .when(configuration: .release))]

let package = Package(
  name: "Tally",
  platforms: [.macOS(.v14)],
  products: [
    .executable(name: "tally", targets: ["tally"]),
    .executable(name: "tally-merge-driver", targets: ["tally-merge-driver"]),
    .library(name: "TallyText", targets: ["TallyText"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
    .package(url: "https://github.com/jpsim/Yams.git", exact: "6.2.2"),
    .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.0"),
    .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0"),
    .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.30.0"),
    .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
    .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.0"),
    .package(url: "https://github.com/apple/swift-http-types.git", from: "1.0.0"),
    // HMAC-SHA256 for the CSRF tokens of `tally serve`'s forms (postgres-nio uses it already).
    .package(url: "https://github.com/apple/swift-crypto.git", "3.0.0"..<"5.0.0"),
  ],
  targets: [
    // libgit2, from the system (Debian: libgit2-dev). Only TallyGit imports it.
    .systemLibrary(
      name: "CLibGit2",
      pkgConfig: "libgit2",
      providers: [.apt(["libgit2-dev"]), .brew(["libgit2"])]
    ),
    // The async-signal-safe half of interrupt handling (Ctrl-C during a write): the signal
    // handler and the files to remove when the process dies. TallyGit's writes and
    // TallyRecords' public Interrupts use it.
    .target(name: "CTallyInterrupts"),
    // The record format: lossless parse with positions, canonical printing, edits.
    .target(name: "TallyText", swiftSettings: hotPath),
    // Schema files -> types; validating one record, then a whole record set.
    .target(name: "TallySchema", dependencies: ["TallyText"], swiftSettings: hotPath),
    // Realistic, seeded sample data for the telesales team: the example repository, the
    // demo history and the benchmark corpora.
    .target(name: "TallySampleData", dependencies: ["TallyText", "TallySchema"]),
    // The only code that touches libgit2.
    .target(name: "TallyGit", dependencies: ["CLibGit2", "CTallyInterrupts"]),
    // A records repository on disk and in git: files, formatting, loading, committing.
    .target(name: "TallyRecords", dependencies: ["TallyText", "TallySchema", "TallyGit", "CTallyInterrupts"]),
    // History as data: per-commit record and field changes, as-of snapshots, caches.
    .target(name: "TallyHistory", dependencies: ["TallyText", "TallySchema", "TallyGit", "TallyRecords"]),
    // SQLite, from the system (Debian: libsqlite3-dev). Only TallyQuery imports it.
    .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"]), .brew(["sqlite"])]),
    // The records and their history as SQL tables: the SQLite database, queries, exports.
    .target(
      name: "TallyQuery", dependencies: ["CSQLite", "TallyText", "TallySchema", "TallyRecords", "TallyHistory"]),
    // The SQL layout loaded into a PostgreSQL server (`tally export postgres`): bulk COPY in
    // one transaction over postgres-nio, the only module that speaks to PostgreSQL.
    .target(
      name: "TallyPostgres",
      dependencies: [
        "TallyQuery", "TallySchema", .product(name: "PostgresNIO", package: "postgres-nio"),
        .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
        .product(name: "Logging", package: "swift-log"),
      ]),
    // `tally serve`: the team's web app on Hummingbird 2 (pages, their JSON and CSV, the
    // calendar feed), reading a ref, never the working tree.
    .target(
      name: "TallyServe",
      dependencies: [
        "TallyText", "TallySchema", "TallyRecords", "TallyHistory", "TallyReports", "TallyQuery",
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "HTTPTypes", package: "swift-http-types"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "Crypto", package: "swift-crypto"),
      ]),
    // The reports for the team and their renderers (table, JSON, CSV, Markdown, HTML).
    .target(
      name: "TallyReports", dependencies: ["TallyText", "TallySchema", "TallyRecords", "TallyHistory"]),
    // The command-line tool: argument parsing and printing, no logic of its own.
    .executableTarget(
      name: "tally",
      dependencies: [
        "TallyText",
        "TallySchema",
        "TallyRecords",
        "TallyHistory",
        "TallyReports",
        "TallyQuery",
        "TallyPostgres",
        "TallyServe",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    // git's merge driver for records, started once per file: `tally merge-driver` without
    // libgit2 and Foundation, so it starts fast.
    .executableTarget(name: "tally-merge-driver", dependencies: ["TallyText", "TallySchema"]),
    // Benchmarks (`make bench-*`): each prints its figures and the ratio to its baseline.
    .executableTarget(
      name: "tally-bench",
      dependencies: [
        "TallyText",
        "TallySchema",
        "TallySampleData",
        .product(name: "Yams", package: "Yams"),
      ]
    ),
    .target(
      name: "TallyTestSupport",
      dependencies: ["TallyText"],
      path: "Tests/TallyTestSupport"
    ),
    .testTarget(
      name: "TallyTextTests",
      dependencies: [
        "TallyText", "TallyTestSupport",
        .product(name: "Yams", package: "Yams"),
      ],
      exclude: ["Golden"]
    ),
    .testTarget(name: "TallySchemaTests", dependencies: ["TallySchema", "TallySampleData", "TallyTestSupport"]),
    .testTarget(
      name: "TallySampleDataTests",
      dependencies: ["TallySampleData", "TallyText", "TallySchema", "TallyRecords"]),
    .testTarget(name: "TallyGitTests", dependencies: ["TallyGit", "TallyTestSupport"]),
    .testTarget(
      name: "TallyRecordsTests", dependencies: ["TallyRecords", "TallySchema", "TallyText", "TallyTestSupport"],
      exclude: ["Merge/Golden"]),
    .testTarget(
      name: "TallyHistoryTests",
      dependencies: ["TallyHistory", "TallyRecords", "TallyGit", "TallySchema", "TallyText", "TallyTestSupport"]),
    .testTarget(
      name: "TallyReportsTests",
      dependencies: [
        "TallyReports", "TallyHistory", "TallyRecords", "TallyGit", "TallySchema", "TallyText", "TallyTestSupport",
      ],
      exclude: ["Golden"]),
    .testTarget(name: "TallyQueryTests", dependencies: ["TallyQuery", "TallySchema", "TallyText"]),
    .testTarget(
      name: "TallyServeTests",
      dependencies: [
        "TallyServe", .product(name: "HTTPTypes", package: "swift-http-types"),
        .product(name: "NIOCore", package: "swift-nio"),
      ]),
    .testTarget(
      name: "TallyEndToEndTests",
      dependencies: ["TallyTestSupport", "TallySchema", "TallyText", "TallySampleData", "tally"],
      exclude: ["Golden", "Twins", "Scripts"]
    ),
  ]
)
