import OCIKit

extension PipelineImage {
    /// The images a bundle (or layout) carries, by their ref names (`engine:TAG`, `sidekicks/MODEL:TAG`): the
    /// engine is the one `engineName` names, a sidekick's the one its deployment names. The cosign images beside
    /// each (`engine:sha256-HEX.sig` …) are its signatures, not images of their own.
    public static func carried(in bundle: some ImageLayoutSource & ContentSource, engineName: String = "engine",
                               sidekicks: [Sidekick] = []) throws -> [PipelineImage] {
        try bundle.index.manifests.compactMap { entry -> PipelineImage? in
            guard let refName = entry.annotations?[AnnotationKey.refName], let colon = refName.lastIndex(of: ":") else { return nil }
            let repository = String(refName[..<colon]), tag = String(refName[refName.index(after: colon)...])
            guard !Cosign.isCosignTag(tag) else { return nil }
            let role: Role, name: String
            if repository == "engine" {
                (role, name) = (.engine, engineName)
            } else if repository.hasPrefix("sidekicks/"), !repository.dropFirst("sidekicks/".count).contains("/") {
                let model = String(repository.dropFirst("sidekicks/".count))
                (role, name) = (.sidekick(model: model), sidekicks.first { $0.model == model }?.image ?? repository)
            } else {
                return nil
            }
            let descriptor = Descriptor(mediaType: entry.mediaType, digest: entry.digest, size: entry.size)
            let (platform, platforms, size) = try ImageResolver.describe(descriptor, in: bundle)
            var signatures = UpstreamSignatures()
            if let references = bundle as? any ReferenceSource {
                let digests = try UpstreamSignatures.signedDigests(of: descriptor, in: bundle, repository: "")
                signatures = try UpstreamSignatures.find(for: digests, in: references, repository: repository)
            }
            return PipelineImage(role: role, name: name, source: name, tag: tag, descriptor: descriptor, platform: platform,
                                 platforms: platforms, size: size, content: bundle, sourceRepository: "", signatures: signatures)
        }
    }
}
