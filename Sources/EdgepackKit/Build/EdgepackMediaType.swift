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

/// edgepack's own annotation keys.
public enum EdgepackAnnotation {
    /// On the pipeline manifest: the engine image that runs it (so a bundle can be re-rendered for a new registry).
    public static let engineImage = "edgepack.dev/engine-image"
    public static let pipelineURL = "edgepack.dev/pipeline-url"
    public static let pipelineDigest = "edgepack.dev/pipeline-digest"
}
