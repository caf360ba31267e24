import EdgepackKit
import Foundation

/// build and export without a registry render the chart and compose against a placeholder: say so once, on
/// stderr (stdout keeps the lines scripts read), with the ways to name the real registry.
func notePlaceholderRegistry(_ build: PipelineBuild, bundle: String?) {
    guard build.layout.isPlaceholder else { return }
    let push = bundle.map { "'edgepack push \($0) --registry PREFIX' renders them again for the registry it uploads to" }
        ?? "or export a bundle, which 'edgepack push BUNDLE --registry PREFIX' renders again for the registry it uploads to"
    let note = "note: no registry given, so the chart and compose.yaml name \(RegistryLayout.placeholderPrefix); "
        + "pass --registry PREFIX (or set 'registry' in the definition)" + (bundle == nil ? ", " : "; ") + push + "\n"
    FileHandle.standardError.write(Data(note.utf8))
}
