import Foundation

/// A directory under the system temp dir, removed when the value is released.
public final class TemporaryDirectory: @unchecked Sendable {
    public let path: String

    public init(_ label: String = "edgepack-test", unique: String = UUID().uuidString) throws {
        path = NSTemporaryDirectory() + "\(label)-\(unique)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    public func file(_ name: String) -> String { path + "/" + name }

    @discardableResult
    public func write(_ name: String, _ text: String) throws -> String {
        try write(name, Data(text.utf8))
    }

    @discardableResult
    public func write(_ name: String, _ data: Data) throws -> String {
        let full = file(name)
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try data.write(to: URL(fileURLWithPath: full))
        return full
    }
}

public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
    public var succeeded: Bool { status == 0 }
}

/// Runs a program found on PATH (or at an absolute path) and collects its output.
public func run(_ program: String, _ arguments: [String], environment: [String: String]? = nil, directory: String? = nil, input: String? = nil) throws -> ProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: program.hasPrefix("/") ? program : "/usr/bin/env")
    process.arguments = program.hasPrefix("/") ? arguments : [program] + arguments
    if let environment {
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    }
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    // Output goes to files, so a chatty process can never block on a full pipe.
    let scratch = NSTemporaryDirectory() + "edgepack-run-\(UUID().uuidString)"
    guard FileManager.default.createFile(atPath: scratch + ".out", contents: nil),
          FileManager.default.createFile(atPath: scratch + ".err", contents: nil)
    else { throw TestFailure("cannot create \(scratch).out/.err") }
    defer {
        try? FileManager.default.removeItem(atPath: scratch + ".out")
        try? FileManager.default.removeItem(atPath: scratch + ".err")
    }
    let out = try FileHandle(forWritingTo: URL(fileURLWithPath: scratch + ".out"))
    let err = try FileHandle(forWritingTo: URL(fileURLWithPath: scratch + ".err"))
    process.standardOutput = out
    process.standardError = err
    let stdin = Pipe()
    process.standardInput = input == nil ? FileHandle.nullDevice : stdin
    try process.run()
    if let input {
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try? stdin.fileHandleForWriting.close()
    }
    process.waitUntilExit()
    try? out.close()
    try? err.close()
    let stdoutData = FileManager.default.contents(atPath: scratch + ".out") ?? Data()
    let stderrData = FileManager.default.contents(atPath: scratch + ".err") ?? Data()
    return ProcessResult(
        status: process.terminationStatus,
        stdout: String(decoding: stdoutData, as: UTF8.self),
        stderr: String(decoding: stderrData, as: UTF8.self)
    )
}

/// The repository root (where Package.swift is).
public let repositoryRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    while url.path != "/" {
        url.deleteLastPathComponent()
        if FileManager.default.fileExists(atPath: url.path + "/Package.swift") { return url.path }
    }
    fatalError("Package.swift not found above \(#filePath)")
}()

public func fixture(_ relative: String) -> String { repositoryRoot + "/fixtures/" + relative }

/// Copies a fixture directory to a new temporary directory (tests that change files work on copies).
public func copyFixture(_ name: String, into directory: TemporaryDirectory) throws -> String {
    let destination = directory.file(name)
    try FileManager.default.copyItem(atPath: fixture(name), toPath: destination)
    return destination
}

/// Whether a command is on PATH.
public func isInstalled(_ program: String) -> Bool {
    (try? run("sh", ["-c", "command -v \(program)"]))?.succeeded ?? false
}

/// The `edgepack` binary built beside the test bundle.
public let edgepackBinary: String = {
    let candidates = [
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path,
        Bundle.main.bundleURL.deletingLastPathComponent().path,
        repositoryRoot + "/.build/debug",
    ]
    for directory in candidates where FileManager.default.isExecutableFile(atPath: directory + "/edgepack") {
        return directory + "/edgepack"
    }
    fatalError("edgepack binary not found in \(candidates)")
}()

/// Runs `edgepack` with a private digest cache, so tests never touch the user's.
public func edgepack(_ arguments: [String], environment: [String: String] = [:], directory: String? = nil, input: String? = nil) throws -> ProcessResult {
    try run(edgepackBinary, arguments, environment: isolatedEnvironment.merging(environment) { $1 }, directory: directory, input: input)
}

/// Starts `edgepack` (isolated as `edgepack(_:)` runs it) without waiting, for tests that kill it midway.
/// Its standard output goes to `output` when given; `program` runs instead of edgepack (with the same environment).
public func startEdgepack(_ arguments: [String], environment: [String: String] = [:], output: String? = nil, program: String? = nil) throws -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: program ?? edgepackBinary)
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(isolatedEnvironment.merging(environment) { $1 }) { $1 }
    if let output {
        guard FileManager.default.createFile(atPath: output, contents: nil) else { throw TestFailure("cannot create \(output)") }
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
    } else {
        process.standardOutput = FileHandle.nullDevice
    }
    process.standardError = FileHandle.nullDevice
    process.standardInput = FileHandle.nullDevice
    try process.run()
    return process
}

/// A digest cache (and upload/download state) of the tests' own; no credentials leak in from the developer's
/// shell or docker config unless a test sets them.
private let isolatedEnvironment = [
    "EDGEPACK_CACHE_DIR": NSTemporaryDirectory() + "edgepack-test-cache", "OCI_USERNAME": "", "OCI_PASSWORD": "",
    "EDGEPACK_USERNAME": "", "EDGEPACK_PASSWORD": "", "DOCKER_CONFIG": NSTemporaryDirectory() + "edgepack-test-no-docker-config",
]

/// A tool that `scripts/setup` installs into `.tools/bin` (helm), else one on PATH.
public func tool(_ name: String) -> String {
    let local = repositoryRoot + "/.tools/bin/" + name
    return FileManager.default.isExecutableFile(atPath: local) ? local : name
}
