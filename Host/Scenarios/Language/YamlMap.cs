using System.Globalization;
using DaxHolder.Abstractions;
using YamlDotNet.RepresentationModel;

namespace DaxHolder.Scenarios.Language;

/// <summary>
/// A YAML mapping read field by field, every value located: a missing, mistyped or unknown field
/// is a <see cref="ScenarioException"/> naming the file, line, column and the field's path.
/// </summary>
internal sealed class YamlMap
{
    private readonly YamlMappingNode node;
    private readonly HashSet<string> read = new(StringComparer.Ordinal);

    public YamlMap(YamlNode node, string file, string path)
    {
        File = file;
        Path = path;
        Node = node;
        this.node = node switch
        {
            YamlMappingNode map => map,
            YamlScalarNode { Value: null or "" } => new YamlMappingNode(),
            _ => throw Error(node, path, $"expected a mapping, found {Describe(node)}"),
        };
        if (this.node.Children.Keys.FirstOrDefault(k => k is not YamlScalarNode) is { } complex)
        {
            throw Error(complex, path.Length == 0 ? "(document)" : path, $"a key must be a plain name, found {Describe(complex)} (a complex '? key' or a [ ] / {{ }} used as a key)");
        }
    }

    public string File { get; }

    /// <summary>The field path of this mapping, e.g. "steps[3].mmap".</summary>
    public string Path { get; }

    public YamlNode Node { get; }

    public SourceLocation Location => At(Node, Path);

    /// <summary>The keys present, in document order.</summary>
    public IEnumerable<string> Keys => node.Children.Keys.Select(k => ((YamlScalarNode)k).Value ?? "");

    public bool Has(string key) => Find(key) is not null;

    /// <summary>Where a key itself is written (for an unknown key).</summary>
    public SourceLocation KeyAt(string key) =>
        node.Children.Keys.FirstOrDefault(k => k is YamlScalarNode { Value: var v } && v == key) is { } k ? At(k, Field(key)) : Location;

    /// <summary>The location of a field (of the mapping itself if the field is absent).</summary>
    public SourceLocation At(string key) => Find(key) is { } value ? At(value, Field(key)) : Location;

    public string Field(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

    public YamlNode? Raw(string key)
    {
        read.Add(key);
        var value = Find(key);
        return value;
    }

    public string? String(string key) => Raw(key) is { } value ? Scalar(value, Field(key)) : null;

    public string RequiredString(string key) => String(key) ?? throw Missing(key);

    public ulong? Integer(string key)
    {
        var text = String(key);
        if (text is null)
        {
            return null;
        }

        return Quantities.TryParseInteger(text, out var value)
            ? value
            : throw new ScenarioException(At(key), $"'{text}' is not a non-negative integer (decimal or 0x-hex)");
    }

    public ulong RequiredInteger(string key) => Integer(key) ?? throw Missing(key);

    public int? Int(string key, int max = int.MaxValue)
    {
        var value = Integer(key);
        return value is null ? null
            : value <= (ulong)max ? (int)value
            : throw new ScenarioException(At(key), $"{value} is larger than {max.ToString(CultureInfo.InvariantCulture)}");
    }

    public ByteLength? Size(string key)
    {
        var text = String(key);
        if (text is null)
        {
            return null;
        }

        return Quantities.TryParseSize(text, out var size)
            ? size
            : throw new ScenarioException(At(key), $"'{text}' is not a size (bytes, or with a KiB/MiB/GiB/TiB suffix)");
    }

    public ByteLength RequiredSize(string key) => Size(key) ?? throw Missing(key);

    public bool? Bool(string key)
    {
        var text = String(key);
        return text switch
        {
            null => null,
            "true" or "yes" or "on" or "1" => true,
            "false" or "no" or "off" or "0" => false,
            _ => throw new ScenarioException(At(key), $"'{text}' is not a boolean (true or false)"),
        };
    }

    /// <summary>One of <paramref name="choices"/> (as written), or null if absent.</summary>
    public string? Choice(string key, params string[] choices)
    {
        var text = String(key);
        return text is null || choices.Contains(text, StringComparer.Ordinal)
            ? text
            : throw new ScenarioException(At(key), $"'{text}' is not one of: {string.Join(", ", choices)}");
    }

    public YamlMap? Map(string key) => Raw(key) is { } value ? new YamlMap(value, File, Field(key)) : null;

    /// <summary>The items of a sequence, each with its field path ("files[2]"); an absent key is an empty list.</summary>
    public IReadOnlyList<(YamlNode Node, string Path)> Sequence(string key)
    {
        var value = Raw(key);
        return value switch
        {
            null or YamlScalarNode { Value: null or "" } => [],
            YamlSequenceNode seq => seq.Children.Select((n, i) => (n, $"{Field(key)}[{i.ToString(CultureInfo.InvariantCulture)}]")).ToList(),
            _ => throw Error(value, Field(key), $"expected a list, found {Describe(value)}"),
        };
    }

    /// <summary>A scalar or a list of scalars, as a list of strings.</summary>
    public IReadOnlyList<string> Strings(string key)
    {
        var value = Find(key);
        if (value is YamlScalarNode { Value: not null and not "" })
        {
            return [String(key)!];
        }

        return Sequence(key).Select(item => Scalar(item.Node, item.Path)).ToList();
    }

    /// <summary>Refuses any key not read so far, naming it and the keys this mapping understands.</summary>
    public void RejectUnknown(params string[] alsoKnown)
    {
        foreach (var (key, value) in node.Children)
        {
            var name = ((YamlScalarNode)key).Value ?? "";
            if (!read.Contains(name) && !alsoKnown.Contains(name, StringComparer.Ordinal))
            {
                var known = read.Concat(alsoKnown).Distinct().Order(StringComparer.Ordinal);
                throw new ScenarioException(At(key, Field(name)), $"unknown field '{name}'{(known.Any() ? $" (known here: {string.Join(", ", known)})" : "")}");
            }
        }
    }

    public ScenarioException Missing(string key) => new(Location, $"'{key}' is required here");

    public string Scalar(YamlNode node, string path) => node is YamlScalarNode scalar
        ? scalar.Value ?? ""
        : throw Error(node, path, $"expected a single value, found {Describe(node)}");

    public ScenarioException Error(YamlNode at, string path, string problem) => new(At(at, path), problem);

    public SourceLocation At(YamlNode at, string path) => new(File, (int)at.Start.Line, (int)at.Start.Column, path);

    private YamlNode? Find(string key)
    {
        foreach (var (k, v) in node.Children)
        {
            if (k is YamlScalarNode { Value: var name } && string.Equals(name, key, StringComparison.Ordinal))
            {
                return v;
            }
        }

        return null;
    }

    private static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode s => $"'{s.Value}'",
        _ => node.NodeType.ToString(),
    };
}
