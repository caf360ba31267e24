/// An OCI image layout to read from: a bundle (a layout tar) or a layout directory.
public protocol ImageLayoutSource: Sendable {
    /// The bundle file or the layout directory, for messages.
    var path: String { get }
    var index: Index { get }
    /// A blob the layout holds, its content pointing into the layout (not read yet).
    func blob(_ descriptor: Descriptor) throws -> Blob
    /// A small blob's bytes (a manifest or config), checked against its digest.
    func bytes(_ descriptor: Descriptor) throws -> [UInt8]
}

extension ImageLayoutSource {
    /// Every artifact (image manifest) the index names, rebuilt with blob contents that point into the layout.
    /// Entries that are indexes themselves (multi-platform images) are not artifacts.
    public func artifacts() throws -> [Artifact] {
        try index.manifests.filter { !MediaType.isIndex($0.mediaType) }.map { entry in
            guard let reference = entry.annotations?[AnnotationKey.refName] else {
                throw OCIError(.invalidLayout, "\(path): an index entry has no \(AnnotationKey.refName)")
            }
            let manifestBytes = try bytes(entry)
            let manifest = try CanonicalJSON.decode(Manifest.self, from: manifestBytes, what: "manifest \(entry.digest)")
            try BundleValidation.checkManifest(manifest, where: "\(path): manifest \(reference)")
            let manifestBlob = Blob(descriptor: Descriptor(mediaType: entry.mediaType, digest: entry.digest, size: entry.size, artifactType: manifest.artifactType),
                                    content: .bytes(manifestBytes))
            return Artifact(reference: reference, manifestBlob: manifestBlob, manifest: manifest,
                            config: try blobOrStandIn(manifest.config), layers: try manifest.layers.map(blobOrStandIn))
        }
    }
}

extension ImageLayoutBundle: ImageLayoutSource {}

extension LayoutDirectorySource: ImageLayoutSource {
    public var path: String { directory }

    public func blob(_ descriptor: Descriptor) throws -> Blob {
        try blob(descriptor, in: .unnamed)
    }

    public func bytes(_ descriptor: Descriptor) throws -> [UInt8] {
        let bytes = try manifestBytes(descriptor, in: .unnamed)
        guard SHA256Hasher.digest(bytes) == descriptor.digest else {
            throw OCIError(.digestMismatch, "\(directory): blob \(descriptor.digest) is corrupt")
        }
        return bytes
    }
}
