using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace DaxHolder.Scenarios.Language;

/// <summary>
/// YAML nodes made by DaxHolder (a matrix cell's keys and mappings set into a cell's tree) that
/// carry a position in the file, so an error about them points where they were written. The
/// representation model takes positions only from parser events, so each node is loaded from a
/// small event stream.
/// </summary>
internal static class LocatedNodes
{
    /// <summary>A plain scalar <paramref name="value"/> positioned at <paramref name="at"/>.</summary>
    public static YamlScalarNode Scalar(string value, Mark at) =>
        (YamlScalarNode)Load(new YamlDotNet.Core.Events.Scalar(AnchorName.Empty, TagName.Empty, value, ScalarStyle.Plain, true, false, at, at));

    /// <summary>An empty mapping positioned at <paramref name="at"/>.</summary>
    public static YamlMappingNode Mapping(Mark at) =>
        (YamlMappingNode)Load(new MappingStart(AnchorName.Empty, TagName.Empty, true, MappingStyle.Block, at, at), new MappingEnd(at, at));

    private static YamlNode Load(params ParsingEvent[] node)
    {
        var stream = new YamlStream();
        stream.Load(new Events([new StreamStart(), new DocumentStart(), .. node, new DocumentEnd(true), new StreamEnd()]));
        return stream.Documents[0].RootNode;
    }

    private sealed class Events(IReadOnlyList<ParsingEvent> events) : IParser
    {
        private int next;

        public ParsingEvent? Current { get; private set; }

        public bool MoveNext()
        {
            Current = next < events.Count ? events[next++] : null;
            return Current is not null;
        }
    }
}
