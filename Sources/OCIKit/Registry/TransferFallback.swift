/// A way a transfer went other than the plain path, reported in the transfer summary and the trace.
public enum TransferFallback: String, Sendable, CaseIterable {
    /// An interrupted upload continued from the offset the registry reported.
    case resumedUpload = "resumed-upload"
    /// An upload left open by an earlier run continued from the offset the registry reported.
    case resumedEarlierUpload = "resumed-earlier-upload"
    /// The registry no longer knew the upload session (restarted, expired): a new one started from byte 0.
    case newUploadSession = "new-upload-session"
    /// The registry refused a whole blob in one PUT (a body limit, 413): chunks instead.
    case chunkedAfterBodyLimit = "chunked-after-body-limit"
    /// The registry refused a chunk as too large (a per-request cap, 413/416): smaller chunks.
    case smallerChunks = "smaller-chunks"
    /// The registry refused chunked uploads (PATCH): the rest of the blob in one PUT.
    case monolithicWithoutChunks = "monolithic-without-chunks"
    /// The registry answered a chunk with 201 instead of 202; the upload went on.
    case chunkAnswered201 = "chunk-answered-201"
    /// An interrupted download continued with a Range request.
    case resumedDownload = "resumed-download"

    var explanation: String {
        switch self {
        case .resumedUpload: "continuing an interrupted upload from the registry's offset"
        case .resumedEarlierUpload: "continuing an upload an earlier run left open"
        case .newUploadSession: "the registry lost the upload session; starting a new one"
        case .chunkedAfterBodyLimit: "the registry refused the whole blob in one request; uploading in chunks"
        case .smallerChunks: "the registry refused a chunk as too large; halving the chunk size"
        case .monolithicWithoutChunks: "the registry refuses chunked uploads; sending the rest in one request"
        case .chunkAnswered201: "the registry answered a chunk with 201 Created; going on"
        case .resumedDownload: "continuing an interrupted download with a Range request"
        }
    }
}

/// What one run has learned about a registry's uploads, so that later blobs skip the failed attempt.
struct UploadQuirks: Sendable {
    /// A whole blob in one PUT was refused for its size.
    var refusesLargeBodies = false
    /// PATCH is not supported.
    var refusesChunks = false
    /// The largest chunk known to be refused; chunks stay below it.
    var chunkCap: Int64?
}
