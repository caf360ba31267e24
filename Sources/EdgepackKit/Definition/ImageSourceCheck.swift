import OCIKit

/// Reads an image's `source:` (engine, sidekick): a local image file or another registry reference, checked
/// for its form, for staying inside the definition's folder and, for a file, for being there (what `build` needs).
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
            switch try ImageSourceSpec(parsing: text, relativeTo: baseDirectory) {
            case .ociArchive(let path, _), .ociLayout(let path, _), .dockerArchive(let path, _): _ = try path.resolved()
            case .registry: break
            }
            return text
        } catch let error as OCIError where error.code == .notFound {
            diagnostics.error(at: mapping["source"], "'\(mapping.fieldPath("source"))': \(error.message); make it there, or point the source at the image's local copy")
            return nil
        } catch let error as OCIError {
            diagnostics.error(at: mapping["source"], "'\(mapping.fieldPath("source"))': \(error.message) (expected oci-archive:PATH[:REF], oci:DIR[:REF], docker-archive:PATH or a registry reference)")
            return nil
        } catch {
            diagnostics.error(at: mapping["source"], "'\(mapping.fieldPath("source"))': \(error)")
            return nil
        }
    }
}
