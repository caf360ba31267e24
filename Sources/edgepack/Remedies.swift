import EdgepackKit
import OCIKit

extension OCIError.Obstacle {
    /// What to do about it, in terms of edgepack's own options, commands and definition fields.
    var advice: String {
        switch self {
        case .untrustedCertificate: "pass --ca-file with its CA certificate, or --insecure to skip verification"
        case .noTLS: "if it speaks plain HTTP, add --plain-http"
        case .plainHTTPToRemoteHost: "add --insecure to allow plain HTTP to it"
        case .credentialsNeeded(let host): "run 'edgepack login \(host)', set OCI_USERNAME and OCI_PASSWORD, or pass --username with --password-stdin"
        case .sourceCredentialsNeeded(let host): "set EDGEPACK_SOURCE_USERNAME and EDGEPACK_SOURCE_PASSWORD, or run 'edgepack login \(host)' (the destination's credentials are never sent to an image's registry)"
        case .imageUnreadable: "set engine.source (or the sidekick's source) to a local copy (oci-archive:PATH, oci:DIR or docker-archive:PATH), or turn mirroring off (engine.mirror: false or --no-mirror)"
        case .imageNotCached: "run once with the network (without --offline) to fill the blob cache, or set engine.source (or the sidekick's source) to a local copy (oci-archive:PATH, oci:DIR or docker-archive:PATH)"
        case .unpackLimitChosen: "raise --max-unpacked to pull this model"
        case .destinationLacksLeftOutBlobs: "push the full bundle, or export the delta again with --site-inventory from 'edgepack inventory' of this registry"
        }
    }
}

extension OCIError {
    /// One line: what went wrong, and what to do when there is something to do.
    var userMessage: String {
        obstacle.map { "\(description): \($0.advice)" } ?? description
    }
}

extension Remedy {
    /// What to add to EdgepackKit's statement of the fact, in terms of edgepack's flags (with its own joining words).
    var advice: String {
        switch self {
        case .allowModelsOutside: " (or pass --allow-outside)"
        case .connectWithPlainHTTP: " and add --plain-http for a plain-HTTP registry"
        case .nameChartDirectory: "; point --templates at a Helm chart directory"
        case .listVersions(let pipeline, let registry): ": list them with 'edgepack publishes \(pipeline) --registry \(registry)'"
        }
    }
}

extension InputError {
    /// One line: the fact, and what to do about it.
    var userMessage: String { description + remedy.advice }
}

extension DefinitionError {
    /// One line per problem, each with what to do about it where EdgepackKit stated only the fact.
    var userMessage: String {
        diagnostics.map { $0.description + ($0.remedy?.advice ?? "") }.joined(separator: "\n")
    }
}
