import ArgumentParser
import EdgepackKit
import Foundation
import OCIKit

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify the cosign signatures and attestations of a pipeline and of every model it lists, or an image's signature.",
        discussion: "REF is a registry reference (ghcr.io/acme/edge/pipelines/NAME:VERSION), a bundle's (bundle.tar:pipelines/NAME:VERSION), or a bundle (its one pipeline). Every blob the signatures vouch for is read and hashed (from a registry, downloaded). Exits non-zero on any missing or bad signature, attestation or blob.\n\nA REF that is not a pipeline (a mirrored engine: ghcr.io/acme/edge/engine@sha256:…, bundle.tar:engine:TAG) has its cosign signature verified, e.g. with its vendor's key: the signatures found beside an image where it was mirrored from travel with it."
    )

    @Argument(help: "The pipeline: HOST/PREFIX/pipelines/NAME:VERSION (or @sha256:…), BUNDLE.tar:pipelines/NAME:VERSION, or BUNDLE.tar; or an image: HOST/PREFIX/engine@sha256:…, BUNDLE.tar:engine:TAG.")
    var reference: String

    @Option(help: "The public key (PEM) the signatures must verify with, e.g. cosign.pub.", completion: .file())
    var key: String

    @OptionGroup var attestations: AttestationRequirement
    @OptionGroup var connection: ConnectionOptions

    func run() throws {
        let publicKey = try loadPublicKey(key)
        let policy = PipelineVerifier.Policy(requireAttestations: attestations.requireAttestations)
        if try reference.hasSuffix(".tar") || SplitBundle.listPath(for: reference) != nil {
            let bundle = try ImageLayoutBundle(path: reference)
            printVerified(try PipelineVerifier.verify(bundle: bundle, key: publicKey, keyName: key, policy: policy), source: bundle)
            return
        }
        let source: any ReferenceSource
        let repository: String, tagOrDigest: String
        var registryReference: ImageReference?  // a version it cannot find names the command that lists them
        if let range = reference.range(of: ".tar:") {
            let bundle = String(reference[..<range.lowerBound]) + ".tar"
            let inside = String(reference[range.upperBound...])
            source = try ImageLayoutBundle(path: bundle)
            (repository, tagOrDigest) = try Self.split(inside)
        } else {
            let parsed = try ImageReference(parsing: reference)
            registryReference = parsed
            source = try connection.client(host: parsed.registry, resolver: try connection.credentials())
            repository = parsed.repository
            tagOrDigest = parsed.digest?.string ?? parsed.tag ?? "latest"
        }
        guard PipelineVerifier.prefix(ofPipelineRepository: repository) != nil else {
            if attestations.requireAttestations {
                throw CommandError("--require-attestations applies to pipelines; \(reference) is an image, whose signature alone is verified: drop the option")
            }
            printVerified([try CosignVerifier(source: source, key: publicKey, keyName: key).verifyImage(tagOrDigest, in: repository)], source: source)
            return
        }
        let verifier = PipelineVerifier(source: source, key: publicKey, keyName: key, policy: policy)
        let verified = try registryReference.map { parsed in
            try PullTarget.explainingMissing(parsed) { try verifier.verify(repository: repository, reference: tagOrDigest) }
        } ?? verifier.verify(repository: repository, reference: tagOrDigest)
        printVerified(verified, source: source)
    }

    /// `pipelines/NAME:VERSION` or `pipelines/NAME@sha256:…` inside a bundle.
    static func split(_ text: String) throws -> (String, String) {
        if let at = text.firstIndex(of: "@") { return (String(text[..<at]), String(text[text.index(after: at)...])) }
        guard let colon = text.lastIndex(of: ":") else {
            throw CommandError("'\(text)' names no version: write BUNDLE.tar:pipelines/NAME:VERSION")
        }
        return (String(text[..<colon]), String(text[text.index(after: colon)...]))
    }
}
