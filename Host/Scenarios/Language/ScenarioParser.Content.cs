using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using YamlDotNet.RepresentationModel;

namespace DaxHolder.Scenarios.Language;

/// <summary>
/// A file's <c>content</c>: one pattern name for the whole file (<c>content: A</c>) or a list of
/// runs (<c>- { pattern: A, length: 64KiB }</c>) whose lengths add up to the size. The bytes at
/// offset o of a run are a pure function of (pattern, o): files whose runs match hold identical
/// bytes, which a filesystem that builds its image at mkfs may deduplicate (mkfs.erofs chunks).
/// </summary>
internal sealed partial class ScenarioParser
{
    private FileContent? ParseContent(YamlMap map, ByteLength size, string? cloneOf, FileContents contents)
    {
        var raw = map.Raw("content");
        if (raw is null)
        {
            return null;
        }

        if (cloneOf is not null)
        {
            throw new ScenarioException(map.At("content"), "a clone holds its source's content; describe the content on the source");
        }

        if (contents != FileContents.Data)
        {
            throw new ScenarioException(map.At("content"), $"content describes written data; this file is '{contents.ToString().ToLowerInvariant()}'");
        }

        if (raw is YamlScalarNode)
        {
            var pattern = PatternName(map.String("content")!, map.At("content"));
            return FileContent.Of([new ContentSegment(size, pattern)]);
        }

        var segments = new List<ContentSegment>();
        foreach (var (node, path) in map.Sequence("content"))
        {
            var run = new YamlMap(node, file, path);
            var pattern = PatternName(run.RequiredString("pattern"), run.At("pattern"));
            var length = run.RequiredSize("length");
            if (length.Value == 0)
            {
                throw new ScenarioException(run.At("length"), "a content run needs a non-zero length");
            }

            run.RejectUnknown();
            segments.Add(new ContentSegment(length, pattern));
        }

        if (segments.Count == 0)
        {
            throw new ScenarioException(map.At("content"), "content needs a pattern name or at least one { pattern, length } run");
        }

        var content = FileContent.Of(segments);
        return content.Length == size
            ? content
            : throw new ScenarioException(map.At("content"), $"the content runs add up to {Quantities.FormatSize(content.Length.Value)}, not the file's size {Quantities.FormatSize(size.Value)}");
    }

    private static string PatternName(string name, SourceLocation at) =>
        name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
            ? name
            : throw new ScenarioException(at, $"'{name}' is not a pattern name (letters, digits, '-' and '_')");
}
