import OCIKit

/// Reads an image's `source:` (engine, sidekick): a local image file or another registry reference, checked
/// for its form and for staying inside the definition's folder; whether it exists is checked when it is read.
struct ImageSourceCheck {
    let diagnostics: DiagnosticCollector
    let baseDirectory: String

    func source(_ mapping: YAMLMapping) -> String? {
        guard let text = mapping.string("source") else { return nil }
        if mapping["image"] == nil {
            diagnostics.error(at: mapping["source"], "'\(mapping.fieldPath("source"))' needs '\(mapping.fieldPath("image"))': the image the pipeline names, which the source holds")
            return nil
        }
        do {
            _ = try ImageSourceSpec(parsing: text, relativeTo: baseDirectory)
            return text
        } catch let error as OCIError {
            diagnostics.error(at: mapping["source"], "'\(mapping.fieldPath("source"))': \(error.message) (expected oci-archive:PATH[:REF], oci:DIR[:REF], docker-archive:PATH or a registry reference)")
            return nil
        } catch {
            diagnostics.error(at: mapping["source"], "'\(mapping.fieldPath("source"))': \(error)")
            return nil
        }
    }
}
