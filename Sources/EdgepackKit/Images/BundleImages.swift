import OCIKit

extension PipelineImage {
    /// The images a bundle (or layout) carries, by their ref names (`engine:TAG`, `sidekicks/MODEL:TAG`): the
    /// engine is the one `engineName` names, a sidekick's the one its deployment names. The cosign images beside
    /// each (`engine:sha256-HEX.sig` …) are its signatures, not images of their own.
    public static func carried(in bundle: some ImageLayoutSource & ContentSource, engineName: String = "engine",
                               sidekicks: [Sidekick] = []) throws -> [PipelineImage] {
        let listings = try referrerListings(in: bundle)
        return try bundle.index.manifests.compactMap { entry -> PipelineImage? in
            guard let refName = entry.annotations?[AnnotationKey.refName], let colon = refName.lastIndex(of: ":") else { return nil }
            let repository = String(refName[..<colon]), tag = String(refName[refName.index(after: colon)...])
            guard !Cosign.isCosignTag(tag), listings[refName] == nil else { return nil }
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
            let digests = try UpstreamSignatures.signedDigests(of: descriptor, in: bundle, repository: .unnamed)
            var signatures = UpstreamSignatures()
            if let references = bundle as? any ReferenceSource {
                signatures = try UpstreamSignatures.find(for: digests, in: references, repository: repository)
            }
            let carried = digests.compactMap { listings["\(repository):\(ReferrersIndex.tag(for: $0))"] }
            let referrers = UpstreamReferrers(listings: carried, content: bundle, size: try carried.reduce(0) { try $0 + ImageResolver.describe($1.index, in: bundle).size })
            return PipelineImage(role: role, name: name, source: name, tag: tag, descriptor: descriptor, platform: platform,
                                 platforms: platforms, size: size, content: bundle, sourceRepository: .unnamed, signatures: signatures, referrers: referrers)
        }
    }

    /// The referrers-tag indexes a bundle carries beside its images, by ref name: `REPOSITORY:sha256-HEX` naming
    /// an index other than the manifest `sha256:HEX` itself, where that manifest is an image's (or a platform of
    /// an image's index) in the same repository. An image mirrored under its own digest's tag stays an image.
    static func referrerListings(in bundle: some ImageLayoutSource & ContentSource) throws -> [String: UpstreamReferrers.Listing] {
        var held: [String: Set<Digest>] = [:]
        for entry in bundle.index.manifests {
            guard let refName = entry.annotations?[AnnotationKey.refName] else { continue }
            let descriptor = Descriptor(mediaType: entry.mediaType, digest: entry.digest, size: entry.size)
            held[Artifact.split(refName).repository, default: []].formUnion(try UpstreamSignatures.signedDigests(of: descriptor, in: bundle, repository: .unnamed))
        }
        var listings: [String: UpstreamReferrers.Listing] = [:]
        for entry in bundle.index.manifests where MediaType.isIndex(entry.mediaType) {
            guard let refName = entry.annotations?[AnnotationKey.refName] else { continue }
            let (repository, tag) = Artifact.split(refName)
            guard tag.hasPrefix("sha256-"), let subject = try? Digest(parsing: "sha256:" + tag.dropFirst("sha256-".count)),
                  subject != entry.digest, held[repository]?.contains(subject) == true else { continue }
            listings[refName] = .init(subject: subject, index: Descriptor(mediaType: entry.mediaType, digest: entry.digest, size: entry.size))
        }
        return listings
    }
}
