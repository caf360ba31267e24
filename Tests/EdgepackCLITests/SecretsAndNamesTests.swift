import Foundation
import Testing
import TestSupport

/// Every byte of a bundle as text, with the DSSE envelopes' base64 payloads (the signed statements) decoded beside them.
private func bundleText(_ bundle: String, in dir: TemporaryDirectory) throws -> String {
    let unpacked = dir.file("unpacked-\(UUID().uuidString.prefix(6))")
    try FileManager.default.createDirectory(atPath: unpacked, withIntermediateDirectories: true)
    let untar = try run("tar", ["-xf", bundle, "-C", unpacked])
    guard untar.succeeded else { throw TestFailure("tar: \(untar.stderr)") }
    var text = ""
    for relative in try FileManager.default.subpathsOfDirectory(atPath: unpacked) {
        guard let data = FileManager.default.contents(atPath: unpacked + "/" + relative) else { continue }
        text += String(decoding: data, as: UTF8.self) + "\n"
        if let envelope = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let payload = envelope["payload"] as? String,
           let decoded = Data(base64Encoded: payload) {
            text += String(decoding: decoded, as: UTF8.self) + "\n"
        }
    }
    return text
}

@Suite(.serialized) struct SecretsAndNamesTests {
    @Test func signedProvenanceCarriesNoSecretFromTheGitRemoteOrTheCIVariables() throws {
        let dir = try TemporaryDirectory()
        let copy = try copyFixture("ccfraud", into: dir)
        let remote = "https://x:ghp_remotesecret@github.com/acme/edge.git?access_token=querysecret&ref=main"
        for arguments in [["init", "-q"], ["add", "."], ["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "models"],
                          ["remote", "add", "origin", remote]] {
            let result = try run("git", ["-C", copy] + arguments)
            #expect(result.succeeded, "git \(arguments): \(result.stderr)")
        }
        let key = try TestKeyPair(in: dir, name: "builder")
        let environment = [
            "EDGEPACK_SIGN_KEY": key.privatePath, "SOURCE_DATE_EPOCH": "1700000000",
            "BUILD_URL": "https://jenkins:buildsecret@ci.example.com/job/edge/7/",
            "CI_JOB_URL": "https://gitlab-ci-token:jobsecret@gitlab.example.com/acme/edge/-/jobs/9?private_token=jobtokensecret",
            "GITHUB_SERVER_URL": "https://bot:serversecret@github.example.com", "GITHUB_REPOSITORY": "acme/edge", "GITHUB_RUN_ID": "42",
        ]
        let export = try edgepack(["export", copy + "/edgepack.yaml", "-o", dir.file("bundle.tar")], environment: environment)
        #expect(export.succeeded, "\(export.stderr)")

        let text = try bundleText(dir.file("bundle.tar"), in: dir)
        for secret in ["ghp_remotesecret", "querysecret", "buildsecret", "jobsecret", "jobtokensecret", "serversecret", "gitlab-ci-token:", "bot:"] {
            #expect(!text.contains(secret), "\(secret) is in the bundle")
        }
        // What is not secret is still there: the provenance names the remote, the CI run and the job.
        #expect(text.contains("git+https://github.com/acme/edge.git?access_token=REDACTED&ref=main@"))
        #expect(text.contains("https://github.example.com/acme/edge/actions/runs/42"))
        #expect(text.contains("https://gitlab.example.com/acme/edge/-/jobs/9?private_token=REDACTED"))
        #expect(text.contains("https://ci.example.com/job/edge/7/"))
    }

    @Test func namesThatLeaveTheirRepositoryAreRefusedBeforeAnyRequest() throws {
        // Nothing listens on port 1: reaching the network would say "cannot connect", not the name's error.
        let dir = try TemporaryDirectory()
        let key = try TestKeyPair(in: dir)
        let registry = "127.0.0.1:1/acme"
        let version = "2c5968b7-62fa-49f8-9489-aaf84cfb80aa"
        let cases: [([String], String)] = [
            (["pull", "\(registry)/pipelines/../../x:v1", "-o", dir.file("out")], "not an OCI repository name"),
            (["pull", "\(registry)/pipelines/..", "-o", dir.file("out")], "not an OCI repository name"),
            (["pull", "\(registry)/pipelines/p:..", "-o", dir.file("out")], "'..' is not a valid tag"),
            (["verify", "\(registry)/pipelines/../../x:v1", "--key", key.publicPath], "not an OCI repository name"),
            (["inspect", "\(registry)/pipelines/../../x:v1"], "not a registry reference"),
            (["publishes", "../x", "--registry", registry], "invalid pipeline name '../x'"),
            (["sites", "../x", "--registry", registry], "invalid pipeline name '../x'"),
            (["promote", "../x", version, "--channel", "prod", "--registry", registry], "invalid pipeline name '../x'"),
            (["promote", "p", "../../x", "--channel", "prod", "--registry", registry], "'../../x' is not a version of p"),
            (["promote", "p", version, "--channel", "../x", "--registry", registry], "'../x' cannot be a channel"),
            (["publishes", "p", "--registry", "127.0.0.1:1/acme/../x"], "invalid registry prefix"),
        ]
        for (arguments, message) in cases {
            let result = try edgepack(arguments + ["--plain-http"].filter { _ in arguments[0] != "inspect" }, environment: pusher)
            // 1 for a name found wrong while running, 64 for one the command line's own checks refuse.
            #expect([1, 64].contains(result.status) && result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(message) && !result.stderr.contains("cannot connect"), "\(arguments): \(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.file("out")))
        let definition = try dir.write("edgepack.yaml", "name: ../x\nregistry: \(registry)\nengine: {image: a/b:c}\n")
        let named = try edgepack(["validate", definition])
        #expect(named.status == 1 && named.stderr.contains(":1:7: name '../x' is not a valid OCI path component"), "\(named.stderr)")
    }

    @Test func aModelPathThatIsEmptyHasANulOrIsTheDefinitionsFolderIsRefused() throws {
        let cases = [("''", ":17:11: model path is empty"), ("\"models/ccfraud.onnx\\0.txt\"", ":17:11: model path 'models/ccfraud.onnx\\u{0}.txt' contains a NUL byte"),
                     ("./", ":17:11: model path './' is the definition's own folder"), ("models/..", "model path 'models/..' is the definition's own folder"),
                     ("../ccfraud", "model path '../ccfraud' is the definition's own folder")]
        for (path, message) in cases {
            let dir = try TemporaryDirectory()
            let copy = try copyFixture("ccfraud", into: dir)
            let definition = copy + "/edgepack.yaml"
            let text = try String(contentsOfFile: definition, encoding: .utf8)
            try text.replacingOccurrences(of: "path: models/ccfraud.onnx", with: "path: \(path)").write(toFile: definition, atomically: true, encoding: .utf8)
            let validate = try edgepack(["validate", definition])
            let export = try edgepack(["export", definition, "-o", dir.file("b.tar")])
            for result in [validate, export] {
                #expect(result.status == 1 && result.stderr.split(separator: "\n").count == 1, "\(path): \(result.stderr)")
                #expect(result.stderr.contains(message), "\(path): \(result.stderr)")
            }
            #expect(!FileManager.default.fileExists(atPath: dir.file("b.tar")))
        }
    }

    @Test func aFolderThatCannotBeWrittenIsOneEdgepackLine() throws {
        let dir = try TemporaryDirectory()
        // Root writes anywhere: run edgepack as nobody, with a cache and TMPDIR it may use and a folder it may not.
        chmod(dir.path, 0o755)
        for writable in ["cache", "tmp"] {
            try FileManager.default.createDirectory(atPath: dir.file(writable), withIntermediateDirectories: true)
            chmod(dir.file(writable), 0o777)
        }
        try FileManager.default.createDirectory(atPath: dir.file("locked"), withIntermediateDirectories: true)
        chmod(dir.file("locked"), 0o555)
        let asNobody = { (arguments: [String]) in
            try run("/usr/bin/setpriv", ["--reuid=nobody", "--regid=nogroup", "--clear-groups", edgepackBinary] + arguments,
                    environment: pusher.merging(["EDGEPACK_CACHE_DIR": dir.file("cache"), "TMPDIR": dir.file("tmp"), "HOME": dir.file("tmp"),
                                                 "DOCKER_CONFIG": dir.file("tmp")]) { $1 })
        }
        let probe = try asNobody(["--version"])
        try #require(probe.succeeded, "nobody cannot run edgepack here: \(probe.stderr)")
        let definition = fixture("vgg16-clustering/edgepack.yaml")
        let (published, record) = try publish("vgg16-clustering/edgepack.yaml", registry: "\(registries.token)/locked\(UUID().uuidString.prefix(6).lowercased())")
        #expect(published.succeeded, "\(published.stderr)")
        let runs = [["export", definition, "-o", dir.file("locked/b.tar")], ["build", definition, "-o", dir.file("locked/layout")],
                    ["render", definition, "-o", dir.file("locked/chart")], ["pull", try #require(record).pipeline_url, "-o", dir.file("locked/edge")]]
        for arguments in runs {
            let result = try asNobody(arguments)
            // 1 for a name found wrong while running, 64 for one the command line's own checks refuse.
            #expect([1, 64].contains(result.status) && result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
            #expect(result.stderr.hasPrefix("edgepack: error: cannot ") && result.stderr.contains(dir.file("locked")) && result.stderr.contains(": permission denied")
                    && !result.stderr.contains(".edgepack-") && !result.stderr.contains("Domain="), "\(arguments): \(result.stderr)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("locked")).isEmpty)
    }

    @Test func aHugeValueIsNotEchoedBackWhole() throws {
        let dir = try TemporaryDirectory()
        let name = String(repeating: "Q", count: 5_000_000)
        let definition = try dir.write("edgepack.yaml", "name: \(name)\nengine: {image: a/b:c}\n")
        let result = try edgepack(["validate", definition])
        #expect(result.status == 1 && result.stderr.utf8.count < 2_000, "\(result.stderr.prefix(300))")
        #expect(result.stderr.contains("name 'QQQQ") && result.stderr.contains("bytes)"), "\(result.stderr.prefix(300))")
    }

    /// Downloads are private (0600) while partial; what pull writes keeps a file's usual mode.
    @Test func pulledFilesKeepTheirUsualMode() throws {
        let (published, record) = try publish("ccfraud/edgepack.yaml", registry: "\(registries.token)/modes\(UUID().uuidString.prefix(6).lowercased())")
        #expect(published.succeeded, "\(published.stderr)")
        let dir = try TemporaryDirectory()
        let pull = try edgepack(["pull", try #require(record).pipeline_url, "-o", dir.file("edge")], environment: pusher)
        #expect(pull.succeeded, "\(pull.stderr)")
        let attributes = try FileManager.default.subpathsOfDirectory(atPath: dir.file("edge")).map { ($0, try FileManager.default.attributesOfItem(atPath: dir.file("edge/" + $0))) }
        let files = attributes.filter { $0.1[.type] as? FileAttributeType == .typeRegular }
        #expect(files.contains { $0.0 == "pipeline.json" } && files.count > 3, "\(files.map(\.0))")
        for (file, attributes) in files {
            #expect(attributes[.posixPermissions] as? Int == 0o644, "\(file): \(attributes[.posixPermissions] ?? "")")
        }
    }
}
