import Foundation
import Testing
import TestSupport

/// The signing flags as users run them: export with a key, carry the bundle to a site registry, verify there,
/// and pull with the wrong key (nothing written).
@Suite(.serialized) struct SigningFlagsTests {
    @Test func exportSignedPushVerifyAndPullWithTheWrongKeyWritesNothing() throws {
        let dir = try TemporaryDirectory()
        let builder = try TestKeyPair(in: dir, name: "builder", password: "builder pass"), other = try TestKeyPair(in: dir, name: "other")
        let signing = ["EDGEPACK_SIGN_KEY": builder.privatePath, "EDGEPACK_SIGN_KEY_PASSWORD": builder.password ?? ""]
        let export = try edgepack(["export", fixture("ccfraud/edgepack.yaml"), "-o", dir.file("bundle.tar")], environment: signing)
        #expect(export.succeeded, "\(export.stderr)")
        let offline = try edgepack(["inspect", dir.file("bundle.tar"), "--verify-key", builder.publicPath])
        #expect(offline.succeeded && offline.stderr.contains("verified "), "\(offline.stderr)")
        let refused = try edgepack(["inspect", dir.file("bundle.tar"), "--verify-key", other.publicPath])
        #expect(refused.status == 1 && refused.stderr.split(separator: "\n").count == 1, "\(refused.stderr)")

        let site = "\(registries.token)/signed/\(UUID().uuidString.prefix(8).lowercased())"
        let push = try edgepack(["push", dir.file("bundle.tar"), "--registry", site, "--json"], environment: pusher)
        #expect(push.succeeded, "\(push.stderr)")
        let record = try JSONDecoder().decode(Record.self, from: Data(push.stdout.utf8))
        let verify = try edgepack(["verify", record.pipeline_url, "--key", builder.publicPath, "--plain-http"], environment: pusher)
        #expect(verify.succeeded, "\(verify.stderr)")
        #expect(verify.stdout.contains("verified \(site)/pipelines/"), "\(verify.stdout)")

        let wrong = try edgepack(["pull", record.pipeline_url, "-o", dir.file("edge"), "--verify-key", other.publicPath], environment: pusher)
        #expect(wrong.status == 1 && wrong.stderr.split(separator: "\n").count == 1, "\(wrong.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.file("edge")))
        let right = try edgepack(["pull", record.pipeline_url, "-o", dir.file("edge"), "--verify-key", builder.publicPath], environment: pusher)
        #expect(right.succeeded && FileManager.default.fileExists(atPath: dir.file("edge/pipeline.json")), "\(right.stderr)")
    }
}
