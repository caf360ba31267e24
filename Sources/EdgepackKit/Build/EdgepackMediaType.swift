import OCIKit

/// edgepack's own media types (documented in docs/media-types.md).
public enum EdgepackMediaType {
    public static let pipelineArtifact = "application/vnd.edgepack.pipeline.v1"
    public static let pipelineConfig = "application/vnd.edgepack.pipeline.config.v1+json"
}

/// Layer annotation keys a Wallaroo-style edge engine selects model files on.
public enum LayerAnnotation {
    public static let name = "name"
    public static let filename = "filename"
    public static let fileType = "wallaroo_file_type"
    public static let runtime = "runtime"
    public static let version = "version"
}

/// ModelPack's layer annotations (model-spec docs/annotations.md); KitOps refuses layers without a file path.
public enum ModelPackAnnotation {
    public static let filepath = "org.cncf.model.filepath"
    public static let fileMetadata = "org.cncf.model.file.metadata+json"

    /// The spec's `FileMetadata` (JSON): normalised owner and mode, and the build's timestamp, so digests stay
    /// the same from any checkout.
    struct FileMetadata: Encodable {
        var name: String
        var mode: UInt32
        var uid: UInt32 = 0
        var gid: UInt32 = 0
        var size: Int64
        var mtime: String
        var typeflag: UInt8

        static func of(name: String, isDirectory: Bool, size: Int64, mtime: Int64) -> FileMetadata {
            isDirectory
                ? FileMetadata(name: name, mode: 0o755, size: 0, mtime: SourceDate.rfc3339(mtime), typeflag: 5)
                : FileMetadata(name: name, mode: 0o644, size: size, mtime: SourceDate.rfc3339(mtime), typeflag: 0)
        }
    }
}

/// edgepack's own annotation keys.
public enum EdgepackAnnotation {
    /// On the pipeline manifest: the engine image that runs it (so a bundle can be re-rendered for a new registry).
    public static let engineImage = "edgepack.dev/engine-image"
    public static let pipelineURL = "edgepack.dev/pipeline-url"
    public static let pipelineDigest = "edgepack.dev/pipeline-digest"
}
