import OCIKit

extension OCIError.Remedy {
    /// The remedy in terms of edgepack's own options and commands.
    var advice: String {
        switch self {
        case .trustCertificate: "pass --ca-file with its CA certificate, or --insecure to skip verification"
        case .usePlainHTTP: "if it speaks plain HTTP, add --plain-http"
        case .allowInsecure: "add --insecure to allow plain HTTP to it"
        case .supplyCredentials(let host): "run 'edgepack login \(host)', set OCI_USERNAME and OCI_PASSWORD, or pass --username with --password-stdin"
        case .provideImageSource: "set the image's source to a local copy (oci-archive:, oci: or docker-archive:), or turn its mirroring off"
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
