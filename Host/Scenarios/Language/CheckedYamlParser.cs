using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace DaxHolder.Scenarios.Language;

/// <summary>
/// YamlDotNet's parser with the scenario limits applied as its events go by, before the tree is
/// built: nesting depth, scalar length, and the node count with aliases expanded (counted, never
/// expanded, so an alias bomb is refused at once). It knows the field path of every event
/// ("steps[3].touch.length") and the last event read, so any failure can be located.
/// </summary>
internal sealed class CheckedYamlParser(string file, IParser inner) : IParser
{
    private readonly Stack<Frame> frames = new();
    private readonly Dictionary<string, long> anchors = new(StringComparer.Ordinal);
    private long documentNodes;

    public ParsingEvent? Current => inner.Current;

    /// <summary>The field path of the node the last event belongs to.</summary>
    public string CurrentPath { get; private set; } = "(document)";

    /// <summary>Where the last event read starts (line 1, column 1 before the first).</summary>
    public SourceLocation Here(string field) => inner.Current is { } e
        ? new SourceLocation(file, Math.Max(1, (int)e.Start.Line), Math.Max(1, (int)e.Start.Column), field)
        : new SourceLocation(file, 1, 1, field);

    /// <summary>Where the last event read ends: where the parser was when it stopped.</summary>
    public SourceLocation After(string field) => inner.Current is { } e
        ? new SourceLocation(file, Math.Max(1, (int)e.End.Line), Math.Max(1, (int)e.End.Column), field)
        : new SourceLocation(file, 1, 1, field);

    public bool MoveNext()
    {
        if (!inner.MoveNext())
        {
            return false;
        }

        switch (inner.Current)
        {
            case DocumentStart:
                documentNodes = 0;
                break;
            case Scalar scalar:
                var path = Enter();
                if (scalar.Value.Length > ScenarioLimits.ScalarLength)
                {
                    throw new ScenarioException(Here(path), $"a value of {ScenarioLimits.Count(scalar.Value.Length)} characters; the most is {ScenarioLimits.Count(ScenarioLimits.ScalarLength)}");
                }

                Leave(scalar.Anchor, 1, 1);
                break;
            case AnchorAlias alias:
                var aliasPath = Enter();
                if (!anchors.TryGetValue(alias.Value.Value, out var size))
                {
                    throw new ScenarioException(Here(aliasPath), $"the alias *{alias.Value.Value} names no anchor defined before it");
                }

                Leave(AnchorName.Empty, size, size);
                break;
            case MappingStart start:
                Open(Enter(), start.Anchor, mapping: true);
                break;
            case SequenceStart start:
                Open(Enter(), start.Anchor, mapping: false);
                break;
            case MappingEnd or SequenceEnd:
                var frame = frames.Pop();
                CurrentPath = frame.Path;
                Leave(frame.Anchor, frame.Nodes + 1, 1);
                break;
        }

        return true;
    }

    /// <summary>A node begins at the current position: its path (a mapping key is counted as part of its mapping).</summary>
    private string Enter()
    {
        if (frames.Count == 0)
        {
            return CurrentPath = "(document)";
        }

        var parent = frames.Peek();
        if (!parent.Mapping)
        {
            return CurrentPath = $"{Prefix(parent.Path)}[{(parent.Items++).ToString(CultureInfo.InvariantCulture)}]";
        }

        if (parent.ExpectKey)
        {
            return CurrentPath = parent.Path;
        }

        return CurrentPath = parent.Path == "(document)" ? parent.Key : $"{parent.Path}.{parent.Key}";
    }

    private void Open(string path, AnchorName anchor, bool mapping)
    {
        if (frames.Count >= ScenarioLimits.Depth)
        {
            throw new ScenarioException(Here(path), $"nested deeper than {ScenarioLimits.Depth} mappings and lists");
        }

        frames.Push(new Frame(path, anchor, mapping));
    }

    /// <summary>
    /// A node ends: <paramref name="added"/> nodes join the document's expanded count (1 for a
    /// scalar or a closed mapping or list, an anchor's whole size for an alias), and its subtree's
    /// <paramref name="nodes"/> count into its parent and are remembered under its anchor.
    /// </summary>
    private void Leave(AnchorName anchor, long nodes, long added)
    {
        if (!anchor.IsEmpty)
        {
            anchors[anchor.Value] = nodes;
        }

        documentNodes = Math.Min(documentNodes + added, ScenarioLimits.Nodes + 1);
        if (documentNodes > ScenarioLimits.Nodes)
        {
            throw new ScenarioException(Here(CurrentPath), $"more than {ScenarioLimits.Count(ScenarioLimits.Nodes)} nodes with every alias expanded (an alias bomb?)");
        }

        if (frames.Count == 0)
        {
            return;
        }

        var parent = frames.Peek();
        parent.Nodes = Math.Min(parent.Nodes + nodes, ScenarioLimits.Nodes + 1);
        if (parent.Mapping)
        {
            if (parent.ExpectKey)
            {
                parent.Key = inner.Current is Scalar s ? s.Value : "?";
            }

            parent.ExpectKey = !parent.ExpectKey;
        }
    }

    private static string Prefix(string path) => path == "(document)" ? "" : path;

    private sealed class Frame(string path, AnchorName anchor, bool mapping)
    {
        public string Path { get; } = path;

        public AnchorName Anchor { get; } = anchor;

        public bool Mapping { get; } = mapping;

        public bool ExpectKey { get; set; } = true;

        public string Key { get; set; } = "?";

        public int Items { get; set; }

        public long Nodes { get; set; }
    }
}
