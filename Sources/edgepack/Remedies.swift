import OCIKit

extension OCIError.Remedy {
    /// The remedy in terms of edgepack's own options and commands.
    var advice: String {
        switch self {
        case .trustCertificate: "pass --ca-file with its CA certificate, or --insecure to skip verification"
        case .usePlainHTTP: "if it speaks plain HTTP, add --plain-http"
        case .allowInsecure: "add --insecure to allow plain HTTP to it"
        case .supplyCredentials(let host): "run 'edgepack login \(host)', set OCI_USERNAME and OCI_PASSWORD, or pass --username with --password-stdin"
        case .supplySourceCredentials(let host): "set EDGEPACK_SOURCE_USERNAME and EDGEPACK_SOURCE_PASSWORD, or run 'edgepack login \(host)' (the destination's credentials are never sent to an image's registry)"
        case .provideImageSource: "set engine.source (or the sidekick's source) to a local copy (oci-archive:PATH, oci:DIR or docker-archive:PATH), or turn mirroring off (engine.mirror: false or --no-mirror)"
        case .fillImageCache: "run once with the network (without --offline) to fill the blob cache, or set engine.source (or the sidekick's source) to a local copy (oci-archive:PATH, oci:DIR or docker-archive:PATH)"
        case .provideAbsentContent: "push the full bundle, or export the delta again with --site-inventory from 'edgepack inventory' of this registry"
        }
    }
}

extension OCIError {
    /// One line: what went wrong, and what to do when there is something to do.
    var userMessage: String {
        remedy.map { "\(description): \($0.advice)" } ?? description
    }
}
