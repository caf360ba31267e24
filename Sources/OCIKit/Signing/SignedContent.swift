/// What a signature vouches for, byte for byte: a signature covers a manifest's digest, and through it the
/// digests of its config and layers, so a verification that stopped at the manifest would pass a flipped byte
/// in a model. This re-hashes every blob a verified manifest references, streamed (constant memory).
extension ReferenceSource {
    /// Re-hashes the config and every layer of `manifest` (for an index, of each manifest it lists), skipping
    /// digests in `seen` (a blob shared by two manifests is read once) and blobs a delta bundle leaves out.
    /// Fails with one line naming the manifest and the blob. Returns how many blobs were read.
    @discardableResult
    public func checkContent(of manifest: Blob, in repository: String, seen: inout Set<Digest>) throws -> Int {
        guard case .bytes(let bytes) = manifest.content else { return 0 }
        let name = "\(displayName(repository))@\(manifest.descriptor.digest)"
        var checked = 0
        switch try ManifestContent(bytes, mediaType: manifest.descriptor.mediaType) {
        case .index(let index):
            for child in index.manifests where seen.insert(child.digest).inserted {
                let childBytes = try self.manifest(child.digest.string, in: repository).flatMap { blob -> [UInt8]? in
                    guard case .bytes(let bytes) = blob.content else { return nil }
                    return bytes
                } ?? smallBlob(child, in: repository)
                checked += try checkContent(of: Blob(descriptor: child, content: .bytes(childBytes)), in: repository, seen: &seen)
            }
        case .manifest(let manifest):
            for blob in [manifest.config] + manifest.layers where seen.insert(blob.digest).inserted {
                do {
                    if try checkBlob(blob, in: repository) { checked += 1 }
                } catch let error as OCIError where error.code == .digestMismatch || error.code == .sizeMismatch {
                    let title = blob.annotations?[AnnotationKey.title].map { " (\(MessageText.escaped($0)))" } ?? ""
                    let how = error.code == .sizeMismatch ? "is not the \(blob.size) bytes its descriptor says" : "does not hash to its digest"
                    throw OCIError(.digestMismatch, "\(name): blob \(blob.digest)\(title) \(how): it is not what the signature vouches for")
                }
            }
        }
        return checked
    }
}
